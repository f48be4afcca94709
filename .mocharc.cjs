// Server and embedded-engine tests: mocha runs TypeScript through tsx.
module.exports = {
  'node-option': ['import=tsx'],
  spec: ['core/**/*.test.ts', 'engine/**/*.test.ts', 'sandbox/**/*.test.ts', 'server/**/*.test.ts', 'demo/**/*.test.ts'],
  require: ['server/src/testing/root-hooks.ts'],
  timeout: 20000,
  exit: true,
  reporter: './scripts/mocha-reporter.cjs',
};
