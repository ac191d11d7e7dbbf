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
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/support/setup.ts'] } },
      integration('sqlite'),
      ...(postgres ? [integration('postgres')] : []),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          setupFiles: ['test/support/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
