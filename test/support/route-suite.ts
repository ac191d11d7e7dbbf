// The set-up every route test file repeated: one database and one app server per file
// (a copy of the migrated template, filled by the file's own `fill`), closed after its
// last test, and clients signed in through the real /login form.
import { afterAll, beforeAll, expect } from 'vitest'
import type { AppConfig } from '../../app/server/config.server'
import { PASSWORD } from './fixtures'
import { createTestDatabase, type TestDatabase } from './test-db'
import { Client, startTestServer, type TestServer } from './test-server'

export interface RouteSuite {
  /** The file's database (set before `fill` runs). */
  readonly t: TestDatabase
  /** The file's server (set once `fill` is done). */
  readonly server: TestServer
  /** A client with no session. */
  client(): Client
  /** A client signed in as `username` (the fixtures' password unless given); fails the test if refused. */
  signedIn(username: string, password?: string): Promise<Client>
}

/**
 * Registers the file's beforeAll/afterAll: a database, `fill(t)` (org units, users, players
 * the file's tests need), then a server on it with `config` overrides.
 */
export function routeSuite(fill: (t: TestDatabase) => Promise<void> = async () => {}, config: Partial<AppConfig> = {}): RouteSuite {
  let t: TestDatabase | undefined
  let server: TestServer | undefined
  beforeAll(async () => {
    t = await createTestDatabase()
    await fill(t)
    server = await startTestServer(t, config)
  })
  afterAll(async () => {
    await server?.close()
    await t?.destroy()
  })
  const suite: RouteSuite = {
    get t() {
      if (!t) throw new Error('the route suite\'s database is made in beforeAll')
      return t
    },
    get server() {
      if (!server) throw new Error('the route suite\'s server is started in beforeAll')
      return server
    },
    client: () => new Client(suite.server.url),
    async signedIn(username, password = PASSWORD) {
      const client = suite.client()
      expect((await client.signIn(username, password)).status).toBe(302)
      return client
    },
  }
  return suite
}
