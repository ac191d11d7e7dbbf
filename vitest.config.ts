import { defineConfig } from 'vitest/config'

// Integration tests run once on SQLite and, when TEST_DATABASE_URL points at a PostgreSQL
// server, once more on PostgreSQL. Browser tests drive Debian's Chromium.
const postgres = process.env.TEST_DATABASE_URL
const integration = (dialect: 'sqlite' | 'postgres') => ({
  test: {
    name: `integration-${dialect}`,
    include: ['test/integration/**/*.test.ts'],
    env: { WANQI_TEST_DIALECT: dialect },
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})

export default defineConfig({
  test: {
    // Two files at a time (Vitest would take one on a 2-core machine): most of a test's time
    // is spent waiting on a server process, PostgreSQL or the browser, and every file has a
    // database of its own.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/support/setup.ts'] } },
      integration('sqlite'),
      ...(postgres ? [integration('postgres')] : []),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // One browser test file at a time: each starts a server and a Chromium of its own.
          poolOptions: { forks: { singleFork: true } },
          setupFiles: ['test/support/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
