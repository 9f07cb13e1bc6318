// Shared jest settings: swc strips types (fast); `tsc --noEmit` is the separate typecheck task.
// Dynamic import() is kept as is (ignoreDynamic) so ESM-only packages such as @platformatic/kafka
// load through jest's ESM support; the test scripts run jest with --experimental-vm-modules.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs', ignoreDynamic: true },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60_000,
};
