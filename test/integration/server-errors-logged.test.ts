// Every 5xx the app answers has an error line in its log (issue 22: the soak at 2,000
// officers saw two 500s on GET /my and no line in any server's log; decision 0653). Remix
// hands no thrown 5xx answer to handleError, so a route that throws one answered 500 in
// silence: here two routes of the real build are made to throw one, and the real server
// answers them over HTTP.
import type { ServerBuild } from '@remix-run/node'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpApp } from '../../app/http/http-app.server'
import { setLogLevel } from '../../app/server/logger.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { loadBuild, testConfig } from '../support/test-server'
import { addUser, buildOrg } from '../support/fixtures'

interface Line {
  level: string
  message: string
  requestId?: string
  path?: string
  url?: string
  status?: number
  errors?: Record<string, { status?: number }>
}

let t: TestDatabase
let close: () => Promise<void>
let base: string

/** The build with one route's loader throwing a 5xx answer instead of its own. */
function throwing(build: ServerBuild, routeId: string, answer: () => unknown): ServerBuild {
  const route = build.routes[routeId]
  return { ...build, routes: { ...build.routes, [routeId]: { ...route, module: { ...route.module, loader: () => { throw answer() } } } } }
}

beforeAll(async () => {
  t = await createTestDatabase()
  // A bank set up (a user exists): else every page leads to /setup.
  const org = await buildOrg(t.db)
  await addUser(t.db, 'admin.a', 'admin', org.hq.id)
  let build = await loadBuild()
  // A resource route (the answer is the thrown Response) and a page (drawn by its error boundary).
  build = throwing(build, 'routes/livez', () => new Response('down', { status: 500 }))
  build = throwing(build, 'routes/login', () => new Response(null, { status: 500 }))
  const app = createHttpApp({ build, db: t.db, dialect: t.dialect, config: testConfig(), rootDir: process.cwd() })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => new Promise<void>((resolve) => server.close(() => resolve()))
})

afterAll(async () => {
  await close?.()
  await t?.destroy()
})

async function logged(work: () => Promise<Response>): Promise<{ response: Response; lines: Line[] }> {
  const lines: Line[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      try {
        lines.push(JSON.parse(line) as Line)
      } catch {
        // Not the app's log (a library's warning): shown, not counted.
        write(line + '\n')
      }
    }
    return true
  }) as typeof process.stderr.write
  setLogLevel('info')
  try {
    const response = await work()
    await response.text()
    // The line for an answer that ends without one is written when it ends.
    await expect.poll(() => lines.some((l) => l.level === 'error')).toBe(true)
    return { response, lines }
  } finally {
    setLogLevel('error')
    process.stderr.write = write
  }
}

describe('a 5xx answer nothing else logged', () => {
  it('a resource route throwing a 500 answer: one error line with the request id, path and status', async () => {
    const { response, lines } = await logged(() => fetch(`${base}/livez`, { redirect: 'manual' }))
    expect(response.status).toBe(500)
    const errors = lines.filter((l) => l.level === 'error')
    expect(errors.map((l) => [l.message, l.path, l.status])).toEqual([['answered with a server error that nothing logged', '/livez', 500]])
    expect(errors[0].requestId).toBe(response.headers.get('X-Request-Id'))
  })

  it('a page whose loader throws a 500 answer: one error line naming the path and the status', async () => {
    const { response, lines } = await logged(() => fetch(`${base}/login`, { redirect: 'manual' }))
    expect(response.status).toBe(500)
    const errors = lines.filter((l) => l.level === 'error')
    expect(errors.map((l) => [l.message, l.url, l.status])).toEqual([['page answered with a server error', '/login', 500]])
    // Keyed by the route whose error boundary shows it (the root's: the sign-in page has none).
    expect(Object.values(errors[0].errors ?? {})).toEqual([{ status: 500 }])
    expect(errors[0].requestId).toBe(response.headers.get('X-Request-Id'))
  })
})
