// The built app served over real HTTP on a free port, against a test database.
import fs from 'node:fs'
import os from 'node:os'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import type { AppConfig } from '../../app/server/config.server'
import { createHttpApp } from '../../app/http/http-app.server'
import type { TestDatabase } from './test-db'

export const TEST_DATA_KEY = Buffer.alloc(32, 7).toString('base64url')

export const ROOT = path.resolve(import.meta.dirname, '../..')

export interface TestServer {
  url: string
  close(): Promise<void>
}

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    port: 0,
    databaseUrl: 'unused',
    sessionSecret: 'test-secret',
    dataKey: TEST_DATA_KEY,
    uploadDir: path.join(os.tmpdir(), 'wanqi-test-uploads'),
    storage: { kind: 'disk', dir: path.join(os.tmpdir(), `wanqi-test-storage-${process.pid}`) },
    sessionIdleMinutes: 120,
    sessionMaxHours: 12,
    trustProxy: false,
    logLevel: 'error',
    apiRateLimit: 100_000,
    mapTiles: 'none',
    mapTilesKey: null,
    checkInRadiusMetres: 500,
    loanSystemUrl: null,
    loanSystemSecret: 'test-loan-secret',
    loanSimPort: 0,
    loanSimStepMs: 50,
    loanSimDeclineRate: 0,
    ...overrides,
  }
}

export async function loadBuild(): Promise<ServerBuild> {
  const file = path.join(ROOT, 'build/index.js')
  if (!fs.existsSync(file)) throw new Error('build/index.js is missing: run `npm run build` (npm test does it first)')
  return (await import(pathToFileURL(file).href)) as ServerBuild
}

export async function startTestServer(database: TestDatabase, overrides: Partial<AppConfig> = {}): Promise<TestServer> {
  const app = createHttpApp({
    build: await loadBuild(),
    db: database.db,
    dialect: database.dialect,
    config: testConfig(overrides),
    rootDir: ROOT,
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A tiny cookie-keeping HTTP client for route tests. */
export class Client {
  private cookies = new Map<string, string>()
  constructor(private readonly base: string) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    // As a browser does: a change says where it comes from (a cookie-carrying POST that says
    // nothing is refused). A test of another origin passes its own header.
    const method = (init.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'HEAD' && !headers.has('Origin') && !headers.has('Sec-Fetch-Site')) headers.set('Origin', this.base)
    const response = await fetch(this.base + pathname, { ...init, headers, redirect: 'manual' })
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';')
      const index = pair.indexOf('=')
      const name = pair.slice(0, index).trim()
      const value = pair.slice(index + 1).trim()
      const expired = attributes.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a))
      if (expired || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return response
  }

  get(pathname: string) {
    return this.request(pathname)
  }

  /** Fields as pairs where a name repeats (checkboxes). */
  post(pathname: string, fields: Record<string, string> | [string, string][]) {
    return this.request(pathname, { method: 'POST', body: new URLSearchParams(fields) })
  }

  async signIn(username: string, password: string) {
    return this.post('/login', { username, password })
  }

  cookie(name: string) {
    return this.cookies.get(name)
  }
}
