/**
 * Type-checking happens once, in `tsc --noEmit` (npm test runs it first); jest only
 * transpiles (isolatedModules in tsconfig.json), which keeps the suite fast and lean.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.js"],
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/global-teardown.js",
  maxWorkers: 2,
  // A guard against a hang, not a speed check: a test that takes seconds on an idle machine may
  // take ten times as long on a loaded one, and jest's default of 5 s would fail it.
  testTimeout: 300_000,
};
