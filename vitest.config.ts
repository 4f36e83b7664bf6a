import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'libs/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'test/e2e/**/*.test.ts',
    ],
    globalSetup: ['test/setup/mongo.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here: integration tests share one Redis and one MongoDB, so keep
    // the worker count modest and let each test isolate itself by prefix/database.
    maxWorkers: 3,
  },
});
