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
};
