// A list's photo thumbnail (`GET /visits/:id/photos/:photoId?size=thumb`) answered before
// Remix (http/visit-photo-early.server.ts, decision 0632), over real HTTP against a real
// database (SQLite, and PostgreSQL when configured) and photos on a folder: on a server whose
// Remix photo route fails every request it receives, a manager in scope still gets the
// phone's small copy with the route's headers (private, ETag) and a 304 for the copy they
// hold, not audited; another outlet's manager gets 404 and no session is sent to sign in, as
// the route answers both; the full-size image (audited) still goes through the route.
import crypto from 'node:crypto'
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createRequestHandler, type ServerBuild } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { parseVisit } from '../../app/forms/visit'
import type { AppContext } from '../../app/http/context.server'
import { createHttpApp } from '../../app/http/http-app.server'
import type { AppConfig } from '../../app/server/config.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { createStorage } from '../../app/services/storage/storage.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { addVisitPhoto } from '../../app/services/visit-photos/add-visit-photo.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { PASSWORD, addUser, buildOrg, playerFields } from '../support/fixtures'
import { fixturePhoto } from '../support/photo-fixtures'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, ROOT, TEST_DATA_KEY, loadBuild, testConfig } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const ROUTE = 'routes/visits_.$id.photos.$photoId'

let t: TestDatabase
let build: ServerBuild
let config: AppConfig
let storageDir: string
let base: string
let server: import('node:http').Server | undefined
/** Requests that reached the Remix photo route on the server below (it fails them). */
let reachedRemix = 0
let visitId: string
let photo: { id: string; sha256: string }
const small = fixturePhoto('webp')

/** The built app whose photo route fails every request: an answer proves the request never reached it. */
function withoutRemixPhotoRoute(real: ServerBuild): ServerBuild {
  const route = real.routes[ROUTE]!
  const loader = () => {
    reachedRemix++
    throw new Error('the request reached the Remix photo route')
  }
  return { ...real, routes: { ...real.routes, [ROUTE]: { ...route, module: { ...route.module, loader } } } }
}

/** The same request as the real Remix route answers it (the real build, in this process). */
async function remixAnswer(pathname: string, headers: Record<string, string> = {}): Promise<Response> {
  const handle = createRequestHandler(build, 'production')
  const context: AppContext = { db: t.db, dialect: t.dialect, config, pii, clientIp: '127.0.0.1', requestId: 'remix', nonce: 'remix-nonce' }
  return handle(new Request(`http://127.0.0.1${pathname}`, { headers }), context)
}

async function signedIn(username: string) {
  const client = new Client(base)
  expect((await client.signIn(username, PASSWORD)).status).toBe(302)
  return client
}

const cookieOf = (client: Client) => `wanqi_session=${client.cookie('wanqi_session')}`
const thumbPath = () => `/visits/${visitId}/photos/${photo.id}?size=thumb`
const viewsAudited = async () =>
  (await t.db.selectFrom('audit_log').select('actor_username').where('action', '=', 'visit.photo_viewed').where('entity_id', '=', visitId).execute()).length

beforeAll(async () => {
  t = await createTestDatabase()
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-photo-early-'))
  config = testConfig({ storage: { kind: 'disk', dir: storageDir } })
  const org = await buildOrg(t.db)
  const ids: Record<string, { id: number; path: string; role: 'officer' | 'manager' }> = {}
  for (const [name, role, unit] of [['early.off', 'officer', org.outletA1], ['early.mgr', 'manager', org.outletA1], ['early.other', 'manager', org.outletB1]] as const) {
    ids[name] = { id: await addUser(t.db, name, role, unit.id), path: unit.path, role }
  }
  const as = (name: string) => ({ actor: { id: ids[name]!.id, username: name, ip: null }, scope: scopeOf({ id: ids[name]!.id, role: ids[name]!.role, orgPath: ids[name]!.path }) })
  const player = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields('乙早答面馆'), orgUnitId: org.outletA1.id })
  await assignPlayers(t.db, as('early.mgr'), { playerIds: [player], officerId: ids['early.off']!.id, reason: 'test' })
  const parsed = parseVisit({ id: `early-${crypto.randomBytes(6).toString('hex')}`, playerId: player, channel: 'phone' })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  visitId = (await recordVisit(t.db, as('early.off'), parsed.data)).visit.id
  const added = await addVisitPhoto(t.db, as('early.off'), createStorage(config.storage), {
    visitId,
    photoId: `early-photo-${crypto.randomBytes(6).toString('hex')}`,
    bytes: fixturePhoto('jpeg'),
    thumbnail: small,
  })
  photo = { id: added.photo.id, sha256: added.photo.sha256 }
  build = await loadBuild()
  const app = createHttpApp({ build: withoutRemixPhotoRoute(build), db: t.db, dialect: t.dialect, config, rootDir: ROOT })
  server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server!.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true })
  await t?.destroy()
})

const HEADERS = ['content-type', 'content-length', 'cache-control', 'etag', 'x-content-type-options', 'content-disposition'] as const

describe('a list\'s photo thumbnail, answered before Remix', () => {
  it('gives a manager in scope the phone\'s small copy with the route\'s own headers, not audited', async () => {
    const manager = await signedIn('early.mgr')
    const answer = await manager.get(thumbPath())
    expect(answer.status).toBe(200)
    expect(Buffer.compare(Buffer.from(await answer.arrayBuffer()), small)).toBe(0)
    expect([answer.headers.get('content-type'), answer.headers.get('cache-control'), answer.headers.get('etag')]).toEqual(['image/webp', 'private, max-age=3600', `"${photo.sha256}-t"`])
    const remix = await remixAnswer(thumbPath(), { Cookie: cookieOf(manager) })
    expect(remix.status).toBe(200)
    for (const header of HEADERS) expect(answer.headers.get(header)).toBe(remix.headers.get(header))
    expect(Buffer.compare(Buffer.from(await remix.arrayBuffer()), small)).toBe(0)
    expect(await viewsAudited()).toBe(0)
    expect(reachedRemix).toBe(0)
  })

  it('answers 304 and no bytes for the copy the browser holds, 200 for another tag', async () => {
    const manager = await signedIn('early.mgr')
    const etag = `"${photo.sha256}-t"`
    const held = await manager.request(thumbPath(), { headers: { 'If-None-Match': etag } })
    expect([held.status, held.headers.get('etag'), held.headers.get('cache-control'), (await held.arrayBuffer()).byteLength]).toEqual([304, etag, 'private, max-age=3600', 0])
    const stale = await manager.request(thumbPath(), { headers: { 'If-None-Match': `"${photo.sha256}"` } })
    expect([stale.status, (await stale.arrayBuffer()).byteLength]).toEqual([200, small.length])
    expect(reachedRemix).toBe(0)
  })

  it('refuses another outlet\'s manager 404, even naming the tag, as the route does', async () => {
    const other = await signedIn('early.other')
    const refused = await other.request(thumbPath(), { headers: { 'If-None-Match': `"${photo.sha256}-t"` } })
    const body = Buffer.from(await refused.arrayBuffer())
    expect(refused.status).toBe(404)
    expect(body.includes(small)).toBe(false)
    expect(refused.headers.get('etag')).toBeNull()
    const remix = await remixAnswer(thumbPath(), { Cookie: cookieOf(other) })
    expect([refused.status, refused.headers.get('content-type')]).toEqual([remix.status, remix.headers.get('content-type')])
    expect(reachedRemix).toBe(0)
  })

  it('sends a browser without a session to sign in, coming back to the thumbnail, as the route does', async () => {
    const answer = await new Client(base).get(thumbPath())
    expect(answer.status).toBe(302)
    expect(answer.headers.get('location')).toBe(`/login?redirectTo=${encodeURIComponent(thumbPath())}`)
    const remix = await remixAnswer(thumbPath())
    expect([answer.status, answer.headers.get('location')]).toEqual([remix.status, remix.headers.get('location')])
    // A signed cookie that is not this server's is no session either.
    const forged = await new Client(base).request(thumbPath(), { headers: { Cookie: 'wanqi_session=forged.value' } })
    expect([forged.status, forged.headers.get('location')]).toEqual([302, answer.headers.get('location')])
    expect(reachedRemix).toBe(0)
  })

  it('leaves the full-size image to the Remix route (audited there)', async () => {
    const manager = await signedIn('early.mgr')
    const before = reachedRemix
    const full = await manager.get(`/visits/${visitId}/photos/${photo.id}`)
    expect(full.status).toBe(500)
    expect(reachedRemix).toBe(before + 1)
  })
})
