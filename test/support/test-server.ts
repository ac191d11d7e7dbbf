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
import { ROOT, TEST_DATA_KEY } from './test-constants'
import { Client } from './http-client'

// Re-exported for the files that start a server anyway.
export { Client, ROOT, TEST_DATA_KEY }

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
    loanQrPerSecond: 150,
    serveOnly: null,
    mapTiles: 'none',
    mapTilesKey: null,
    checkInRadiusMetres: 500,
    loanSystemUrl: null,
    loanSystemSecret: 'test-loan-secret',
    loanSimPort: 0,
    loanSimStepMs: 50,
    loanSimDeclineRate: 0,
    consentFontFile: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
    importGate: null,
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
