// What tests name without needing a server: the personal-data key of every test database and
// server, and the checkout's root. A module of its own because test-server.ts imports the
// whole HTTP app (about a second of CPU per test file), which a file that only needs the key,
// or a browser test whose server is another process, should not pay for.
import path from 'node:path'

export const TEST_DATA_KEY = Buffer.alloc(32, 7).toString('base64url')

export const ROOT = path.resolve(import.meta.dirname, '../..')

/**
 * The hang guard of a browser test's waits (a page action, a locator, an expect.poll): a
 * few seconds on a quiet machine, but a machine shared with other suites (load 30–40) has
 * stretched 30–40 s guards past their limit with nothing wrong. One figure, so none is shorter.
 */
export const WAIT_MS = 120_000
