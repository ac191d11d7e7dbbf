// Pages over real HTTP against the seeded demo county, each compared with /livez: a bare
// Remix route on the same server (no database, no session), measured in the same run.
import { DEMO_PASSWORD, seedDatabase } from '../../db/seed/index'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { ensureBuild, runLoad, type Benchmark, type LoadResult } from './harness'

const CONNECTIONS = 10
const SESSION_COOKIE = 'wanqi_session'

interface Target {
  label: string
  path: string
  /** Who is signed in, or null for an anonymous request. */
  as: string | null
  /** Text the page must contain, so a redirect or the wrong page is not what gets measured. */
  expect: string
}

// The first target is the baseline the others are divided by.
const TARGETS: Target[] = [
  { label: 'GET /livez (baseline)', path: '/livez', as: null, expect: 'ok' },
  { label: 'GET /login (anonymous)', path: '/login', as: null, expect: 'name="password"' },
  { label: 'GET / as officer', path: '/', as: 'officer', expect: 'id="work"' },
  { label: 'GET / as manager', path: '/', as: 'manager', expect: 'id="officers"' },
]

export const benchmark: Benchmark = {
  name: 'http',
  async run({ durationSeconds, log }) {
    ensureBuild(log)
    let database: TestDatabase | undefined
    let server: TestServer | undefined
    try {
      database = await createTestDatabase()
      log(`seeding the demo county (${database.dialect})`)
      await seedDatabase(database.db, { scale: 'county', seed: 1, pii: createPersonalDataCipher(TEST_DATA_KEY) })
      server = await startTestServer(database)

      const cookies = new Map<string, string>()
      for (const username of new Set(TARGETS.flatMap((t) => (t.as ? [t.as] : [])))) {
        cookies.set(username, await signIn(server.url, username))
      }

      const results: LoadResult[] = []
      for (const target of TARGETS) {
        const headers: Record<string, string> = target.as ? { Cookie: cookies.get(target.as)! } : {}
        await checkTarget(server.url, target, headers)
        log(`${target.label}: ${durationSeconds} s`)
        results.push(await runLoad(server.url + target.path, { durationSeconds, connections: CONNECTIONS, headers }))
      }

      const baseline = results[0].requestsPerSecond
      return {
        title: `http: pages of the seeded demo county (${database.dialect}), ${CONNECTIONS} connections, ${durationSeconds} s each, server and load generator in one process`,
        columns: [
          { label: 'route', align: 'left' },
          { label: 'req/s', align: 'right' },
          { label: 'p50 ms', align: 'right' },
          { label: 'p99 ms', align: 'right' },
          { label: 'vs /livez', align: 'right' },
        ],
        rows: TARGETS.map((target, i) => [
          target.label,
          Math.round(results[i].requestsPerSecond).toLocaleString('en-US'),
          results[i].p50Ms.toFixed(2),
          results[i].p99Ms.toFixed(2),
          `${(results[i].requestsPerSecond / baseline).toFixed(2)}×`,
        ]),
      }
    } finally {
      await server?.close()
      await database?.destroy()
    }
  },
}

/** Signs in through the login form and returns the Cookie header that carries the session. */
async function signIn(baseUrl: string, username: string): Promise<string> {
  const client = new Client(baseUrl)
  const response = await client.signIn(username, DEMO_PASSWORD)
  const token = client.cookie(SESSION_COOKIE)
  if (response.status !== 302 || !token) {
    throw new Error(`signing in as ${username} answered ${response.status} without a ${SESSION_COOKIE} cookie`)
  }
  return `${SESSION_COOKIE}=${token}`
}

/** One request before the load: the page answers 200 and is the page we mean to measure. */
async function checkTarget(baseUrl: string, target: Target, headers: Record<string, string>) {
  const response = await fetch(baseUrl + target.path, { headers, redirect: 'manual' })
  const body = await response.text()
  if (response.status !== 200 || !body.includes(target.expect)) {
    const where = response.headers.get('Location')
    throw new Error(
      `${target.label}: expected 200 with ${JSON.stringify(target.expect)}, got ${response.status}${where ? ` → ${where}` : ''}`,
    )
  }
}
