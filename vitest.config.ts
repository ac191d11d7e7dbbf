import { defineConfig } from 'vitest/config'
import SlowFirstSequencer from './test/support/slow-first-sequencer'
import { WAIT_MS } from './test/support/test-constants'

// Integration tests run once on SQLite and, when TEST_DATABASE_URL points at a PostgreSQL
// server, once more on PostgreSQL. Browser tests drive Debian's Chromium.
const postgres = process.env.TEST_DATABASE_URL

// On SQLite only: the crash tests (a SQLite file's integrity after a SIGKILL) and the route
// suites whose SQL the service suites already run on both dialects (sign-in and admin pages,
// the request defences, hostile input, the log lines, the periods refused before anything
// is counted), and the serving thread beside SQLite's synchronous driver (PostgreSQL's never
// holds the thread); and the files no dialect changes: no database at all (the upload's byte
// counter, the rows' preparing threads, the storage backends, the stand-in loan system's
// stage dates) or the built scripts' weight.
const SQLITE_ONLY = [
  'test/integration/crash.test.ts',
  'test/integration/routes.test.ts',
  'test/integration/security.test.ts',
  'test/integration/untrusted-requests.test.ts',
  'test/integration/hostile-input.test.ts',
  'test/integration/logs.test.ts',
  'test/integration/date-ranges.test.ts',
  'test/integration/serving-thread.test.ts',
  'test/integration/background-slices.test.ts',
  'test/integration/body-cap.test.ts',
  'test/integration/prepare-rows.test.ts',
  'test/integration/storage.test.ts',
  'test/integration/page-weight.test.ts',
  'test/integration/import-lock.test.ts',
  'test/integration/loan-sim-stage-times.test.ts',
  'test/integration/serve-only.test.ts',
  'test/integration/real-time-serving.test.ts',
]

const integration = (dialect: 'sqlite' | 'postgres') => ({
  test: {
    name: `integration-${dialect}`,
    include: ['test/integration/**/*.test.ts'],
    exclude: dialect === 'postgres' ? SQLITE_ONLY : [],
    env: { WANQI_TEST_DIALECT: dialect },
    // Threads that run file after file without re-importing (the root's poolOptions.threads).
    pool: 'threads' as const,
    // Migrates once into a template every file's database is copied from; bundles the server
    // the crash tests start (once per run, whichever project asks first).
    globalSetup: ['test/support/migrated-template.ts', 'test/support/server-bundle.ts'],
    // Test users' passwords hashed cheaply (the unit tests check the real cost).
    setupFiles: ['test/support/setup.ts', 'test/support/cheap-passwords.ts'],
    // Hang guards, wide enough for a machine ten times slower than a quiet one: the access
    // matrix's 20 s alone took over 120 s beside five other suites (load 30).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // expect.poll's own default gives up after 1 s: a hang guard, sized as the browser tests' waits.
    expect: { poll: { timeout: WAIT_MS } },
  },
})

export default defineConfig({
  test: {
    // Browser and memory files (forks, each file alone in a fresh process): three at a time on
    // a 2-core machine (Vitest would take one): a browser file's worker mostly waits while the
    // server process or Chromium works, and the first browser files wait for the county's seed.
    maxWorkers: 3,
    // Unit and integration files (threads, two at a time, beside the forks): not isolated. A
    // thread imports the app once and runs file after file, instead of a fresh process
    // importing it all again for every file: the SQLite project spent 371 worker-seconds
    // collecting, 53 after (docs/decisions/0611-test-threads-not-isolated.md). A file closes
    // what it starts (servers, databases, threads) and sets the module state it needs (setup
    // files run again before each file). minThreads = maxThreads: with fewer, Tinypool ends an
    // idle thread and the run fails on its own "Terminating worker thread" rejection. The
    // memory files stay in forks: they read the process's heap and RSS.
    poolOptions: { threads: { isolate: false, minThreads: 2, maxThreads: 2 }, forks: { isolate: false, minForks: 3, maxForks: 3 } },
    // The slowest files first, even on a fresh clone with no durations cached.
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads', setupFiles: ['test/support/setup.ts'], testTimeout: 60_000 } },
      // Large files streamed with the heap sampled: apart from the unit tests, which stay quick.
      // They assert memory, never time: the limits are hang guards, as wide as the integration
      // tests' (a 60 MB CSV read took over 120 s on a busy CI machine).
      {
        test: {
          name: 'memory',
          include: ['test/memory/**/*.test.ts'],
          setupFiles: ['test/support/setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      integration('sqlite'),
      ...(postgres ? [integration('postgres')] : []),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Each file starts a server on a database of its own (a copy of the demo county,
          // seeded once per run) and contexts of its own, so they run beside the rest.
          // The server bundled once per run for every file's server process; one Chromium
          // for the run that every file connects to.
          globalSetup: ['test/support/seeded-template.ts', 'test/support/server-bundle.ts', 'test/support/browser-server.ts'],
          setupFiles: ['test/support/setup.ts'],
          // A hang guard as wide as the integration tests' (a browser test took 170 s at load 40).
          testTimeout: 300_000,
          // expect.poll's own default gives up after 1 s, which a page re-rendering took at load 50.
          expect: { poll: { timeout: WAIT_MS } },
          // The first file may wait for the county's seed.
          hookTimeout: 600_000,
        },
      },
    ],
  },
})
