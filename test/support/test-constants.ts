// What tests name without needing a server: the personal-data key of every test database and
// server, and the checkout's root. A module of its own because test-server.ts imports the
// whole HTTP app (about a second of CPU per test file), which a file that only needs the key,
// or a browser test whose server is another process, should not pay for.
import path from 'node:path'

export const TEST_DATA_KEY = Buffer.alloc(32, 7).toString('base64url')

export const ROOT = path.resolve(import.meta.dirname, '../..')
