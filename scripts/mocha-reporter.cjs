// The spec reporter, plus the run's totals written to $LL_STATS_FILE so scripts/test-all.mjs can add up the whole suite.
const Mocha = require('mocha');
const fs = require('node:fs');

class Reporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.LL_STATS_FILE;
      if (!file) return;
      const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
      fs.writeFileSync(file, JSON.stringify({ passed: passes, failed: failures, skipped: pending }));
    });
  }
}
module.exports = Reporter;
