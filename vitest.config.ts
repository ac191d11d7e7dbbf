import { defineConfig } from 'vitest/config'

// Integration tests run once on SQLite and, when TEST_DATABASE_URL points at a PostgreSQL
// server, once more on PostgreSQL. Browser tests drive Debian's Chromium.
const postgres = process.env.TEST_DATABASE_URL

// On SQLite only: the crash tests (a SQLite file's integrity after a SIGKILL) and the route
// suites whose SQL the service suites already run on both dialects (sign-in and admin pages,
// the request defences, hostile input, the log lines), and the serving thread beside
// SQLite's synchronous driver (PostgreSQL's never holds the thread).
const SQLITE_ONLY = [
  'test/integration/crash.test.ts',
  'test/integration/routes.test.ts',
  'test/integration/security.test.ts',
  'test/integration/hostile-input.test.ts',
  'test/integration/logs.test.ts',
  'test/integration/serving-thread.test.ts',
]

const integration = (dialect: 'sqlite' | 'postgres') => ({
  test: {
    name: `integration-${dialect}`,
    include: ['test/integration/**/*.test.ts'],
    exclude: dialect === 'postgres' ? SQLITE_ONLY : [],
    env: { WANQI_TEST_DIALECT: dialect },
    // Migrates once into a template every file's database is copied from.
    globalSetup: ['test/support/migrated-template.ts'],
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
      // Large files streamed with the heap sampled: apart from the unit tests, which stay quick.
      { test: { name: 'memory', include: ['test/memory/**/*.test.ts'], setupFiles: ['test/support/setup.ts'], testTimeout: 120_000 } },
      integration('sqlite'),
      ...(postgres ? [integration('postgres')] : []),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Each file starts a server on a database of its own (a copy of the demo county,
          // seeded once per run) and a Chromium of its own, so they run beside the rest.
          globalSetup: ['test/support/seeded-template.ts'],
          setupFiles: ['test/support/setup.ts'],
          testTimeout: 60_000,
          // The first file may wait for the county's seed.
          hookTimeout: 600_000,
        },
      },
    ],
  },
})
