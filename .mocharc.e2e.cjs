// End-to-end tests: playwright-core drives Debian's Chromium against the real demo server.
module.exports = {
  'node-option': ['import=tsx'],
  spec: ['e2e/**/*.e2e.ts'],
  timeout: 60000,
  exit: true,
  reporter: './scripts/mocha-reporter.cjs',
};
