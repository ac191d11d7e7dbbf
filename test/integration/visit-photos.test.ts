// Storefront photos of visits on a real database (SQLite, and PostgreSQL when configured) and
// on both storage backends (a folder; a real S3-compatible server the test starts): the author
// adds them, stored once per id, in order, their position metadata removed and the original's
// SHA-256 kept; a non-image, an SVG, a 40 MB file or another officer's visit is refused with
// nothing stored; managers see the photos of visits in their scope only, the full-size view
// audited. Over HTTP: PUT refuses a body too large from its Content-Length alone. The phone's
// small copy (decision 0601): stored with the photo and answered for lists; a bad one refuses
// the photo with nothing stored; a photo without one shows itself.
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../app/domain/app-error'
import { scopeOf } from '../../app/domain/scope'
import { parseVisit } from '../../app/forms/visit'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { createStorage, type ObjectStorage, type StorageConfig } from '../../app/services/storage/storage.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { addVisitPhoto } from '../../app/services/visit-photos/add-visit-photo.server'
import { findVisitPhotos } from '../../app/services/visit-photos/find-visit-photos.server'
import { readVisitPhoto } from '../../app/services/visit-photos/read-visit-photo.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { PASSWORD, addUser, buildOrg, playerFields } from '../support/fixtures'
import { GPS_TEXT, fixturePhoto, photoWithPosition } from '../support/photo-fixtures'
import { startS3Server, type TestS3Server } from '../support/s3-server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let s3: TestS3Server
let diskDir: string
let server: TestServer
type Who = { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
const who: Record<string, Who> = {}
let playerA = 0
let n = 0

const sha256 = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex')
const photoId = () => `photo-${++n}-${crypto.randomBytes(4).toString('hex')}`

async function newVisit(officer = 'off.a1'): Promise<string> {
  const parsed = parseVisit({ id: `visit-${++n}-${crypto.randomBytes(4).toString('hex')}`, playerId: playerA, channel: 'phone' })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  const { visit } = await recordVisit(t.db, { ...who[officer] }, parsed.data)
  return visit.id
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

async function photoRows(visitId?: string) {
  let q = t.db.selectFrom('visit_photos').select((eb) => eb.fn.countAll<number | string>().as('n'))
  if (visitId) q = q.where('visit_id', '=', visitId)
  return Number((await q.executeTakeFirstOrThrow()).n)
}

/** Every file either backend holds (s3rver keeps each object as files in its folder). */
function storedFiles(): string[] {
  return [diskDir, s3.dir].flatMap((dir) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)))
}

beforeAll(async () => {
  t = await createTestDatabase()
  s3 = await startS3Server()
  diskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-photos-'))
  const org = await buildOrg(t.db)
  const add = async (name: string, role: 'officer' | 'manager', unit: { id: number; path: string }) => {
    const id = await addUser(t.db, name, role, unit.id)
    who[name] = { actor: { id, username: name, ip: null }, scope: scopeOf({ id, role, orgPath: unit.path }) }
  }
  await add('off.a1', 'officer', org.outletA1)
  await add('off.a2', 'officer', org.outletA1)
  await add('mgr.a1', 'manager', org.outletA1)
  await add('mgr.b1', 'manager', org.outletB1)
  const system = { id: null, username: 'test', ip: null }
  playerA = await createPlayer(t.db, { actor: system, pii }, { fields: playerFields('甲面馆'), orgUnitId: org.outletA1.id })
  await assignPlayers(t.db, { actor: who['mgr.a1'].actor, scope: who['mgr.a1'].scope }, { playerIds: [playerA], officerId: who['off.a1'].actor.id, reason: 'test' })
  server = await startTestServer(t, { storage: s3.config })
})

afterAll(async () => {
  await server?.close()
  await s3?.close()
  if (diskDir) fs.rmSync(diskDir, { recursive: true, force: true })
  await t?.destroy()
})

describe.each(['disk', 's3'] as const)('photos kept on %s', (kind) => {
  let storage: ObjectStorage
  beforeAll(() => {
    const config: StorageConfig = kind === 'disk' ? { kind: 'disk', dir: diskDir } : s3.config
    storage = createStorage(config)
  })

  it('stores the author\'s photos once each, in order, without their position, keeping the original\'s hash', async () => {
    const visitId = await newVisit()
    const first = photoWithPosition('jpeg')
    const a = await addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes: first })
    const b = await addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes: photoWithPosition('webp') })
    expect(a.created).toBe(true)
    expect(a.photo).toMatchObject({ visit_id: visitId, position: 1, content_type: 'image/jpeg', sha256: sha256(first), original_bytes: first.length })
    expect(b.photo).toMatchObject({ position: 2, content_type: 'image/webp' })
    expect(a.photo.storage_key).toMatch(new RegExp(`^visit-photos/\\d{4}/\\d{2}/${a.photo.id}\\.jpg$`))

    const shown = await storage.get(a.photo.storage_key)
    expect(shown!.includes(GPS_TEXT)).toBe(false)
    expect(Buffer.compare(shown!, fixturePhoto('jpeg'))).toBe(0)

    // The outbox sending the same photo again: the same row, nothing new.
    const again = await addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: a.photo.id, bytes: first })
    expect(again).toEqual({ photo: a.photo, created: false })
    expect(await photoRows(visitId)).toBe(2)
    const audit = await t.db.selectFrom('audit_log').select(['action', 'detail']).where('entity_id', '=', visitId).where('action', '=', 'visit.photo_added').execute()
    expect(audit).toHaveLength(2)
    expect(JSON.parse(audit[0].detail!)).toMatchObject({ photoId: a.photo.id, sha256: sha256(first) })
  })

  it.each([
    ['a text file', Buffer.from('not a photo at all'), 'unprocessable', 'photo.notImage'],
    ['an SVG with a script', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'unprocessable', 'photo.notImage'],
    ['a broken JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x7f, 0xff, 0x00]), 'unprocessable', 'photo.broken'],
    ['a 40 MB photo', Buffer.concat([fixturePhoto('jpeg'), Buffer.alloc(40 * 1024 * 1024)]), 'unprocessable', 'photo.tooLarge'],
    ['an empty file', Buffer.alloc(0), 'unprocessable', 'photo.empty'],
  ])('refuses %s, storing nothing', async (_name, bytes, code, key) => {
    const visitId = await newVisit()
    const before = storedFiles()
    const error = await failure(addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes }))
    expect([error.code, error.messageKey]).toEqual([code, key])
    expect(await photoRows(visitId)).toBe(0)
    expect(storedFiles()).toEqual(before)
  })

  it('refuses a photo for another officer\'s visit: out of scope 404, a manager in scope 403, nothing stored', async () => {
    const visitId = await newVisit('off.a1')
    const before = storedFiles()
    const other = await failure(addVisitPhoto(t.db, who['off.a2'], storage, { visitId, photoId: photoId(), bytes: fixturePhoto('png') }))
    expect([other.code, other.messageKey]).toEqual(['not_found', 'photo.visitNotFound'])
    const manager = await failure(addVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: photoId(), bytes: fixturePhoto('png') }))
    expect([manager.code, manager.messageKey]).toEqual(['forbidden', 'photo.notAuthor'])
    expect(await photoRows(visitId)).toBe(0)
    expect(storedFiles()).toEqual(before)
  })

  it('refuses a seventh photo and removes the file it had written', async () => {
    const visitId = await newVisit()
    for (let i = 0; i < 6; i++) await addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes: fixturePhoto('png') })
    const before = storedFiles()
    const error = await failure(addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes: fixturePhoto('png') }))
    expect([error.code, error.messageKey]).toEqual(['unprocessable', 'photo.tooMany'])
    expect(await photoRows(visitId)).toBe(6)
    expect(storedFiles()).toEqual(before)
  })

  it('refuses a photo id already used for other bytes', async () => {
    const visitId = await newVisit()
    const id = photoId()
    await addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: id, bytes: fixturePhoto('png') })
    const error = await failure(addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: id, bytes: fixturePhoto('jpeg') }))
    expect([error.code, error.messageKey]).toEqual(['conflict', 'photo.idTaken'])
  })

  it('shows managers the photos of visits in their scope; the full-size view is audited, the thumbnail not', async () => {
    const visitId = await newVisit()
    const { photo } = await addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes: photoWithPosition('png') })
    expect((await findVisitPhotos(t.db, who['mgr.a1'], [visitId])).get(visitId)?.map((p) => p.id)).toEqual([photo.id])
    expect((await findVisitPhotos(t.db, who['mgr.b1'], [visitId])).size).toBe(0)

    const viewed = () => t.db.selectFrom('audit_log').select('actor_username').where('action', '=', 'visit.photo_viewed').where('entity_id', '=', visitId).execute()
    const thumb = await readVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: photo.id, purpose: 'thumbnail' })
    expect(thumb.contentType).toBe('image/png')
    expect(await viewed()).toHaveLength(0)
    const full = await readVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: photo.id, purpose: 'full' })
    expect(Buffer.compare(full.bytes, fixturePhoto('png'))).toBe(0)
    expect(await viewed()).toEqual([{ actor_username: 'mgr.a1' }])

    const elsewhere = await failure(readVisitPhoto(t.db, who['mgr.b1'], storage, { visitId, photoId: photo.id, purpose: 'full' }))
    expect(elsewhere.code).toBe('not_found')
    expect(await viewed()).toHaveLength(1)
  })

  it('keeps the phone\'s thumbnail beside the photo; lists read it (not audited), the full size stays the photo', async () => {
    const visitId = await newVisit()
    const small = fixturePhoto('webp')
    const { photo } = await addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes: photoWithPosition('jpeg'), thumbnail: small })
    expect(photo.thumbnail_key).toMatch(new RegExp(`^visit-photos/\\d{4}/\\d{2}/${photo.id}\\.thumb\\.webp$`))
    expect(Buffer.compare((await storage.get(photo.thumbnail_key!))!, small)).toBe(0)
    const thumb = await readVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: photo.id, purpose: 'thumbnail' })
    expect([thumb.contentType, thumb.sha256, Buffer.compare(thumb.bytes, small)]).toEqual(['image/webp', `${photo.sha256}-t`, 0])
    const full = await readVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: photo.id, purpose: 'full' })
    expect([full.contentType, full.sha256, Buffer.compare(full.bytes, fixturePhoto('jpeg'))]).toEqual(['image/jpeg', photo.sha256, 0])
    const viewed = await t.db.selectFrom('audit_log').select('actor_username').where('action', '=', 'visit.photo_viewed').where('entity_id', '=', visitId).execute()
    expect(viewed).toEqual([{ actor_username: 'mgr.a1' }])
  })

  it('falls back to the photo itself for a list when no thumbnail came with it', async () => {
    const visitId = await newVisit()
    const { photo } = await addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes: fixturePhoto('jpeg') })
    expect(photo.thumbnail_key).toBeNull()
    const thumb = await readVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: photo.id, purpose: 'thumbnail' })
    expect([thumb.contentType, thumb.sha256, Buffer.compare(thumb.bytes, fixturePhoto('jpeg'))]).toEqual(['image/jpeg', photo.sha256, 0])
  })

  it.each([
    ['a text file', Buffer.from('not a thumbnail'), 'photo.thumbnailNotImage'],
    ['a PNG', fixturePhoto('png'), 'photo.thumbnailNotImage'],
    ['a broken JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x7f, 0xff, 0x00]), 'photo.thumbnailNotImage'],
    ['a 40 KB JPEG', Buffer.concat([fixturePhoto('jpeg'), Buffer.alloc(40 * 1024)]), 'photo.thumbnailTooLarge'],
  ])('refuses the photo with %s as its thumbnail, storing nothing', async (_name, thumbnail, key) => {
    const visitId = await newVisit()
    const before = storedFiles()
    const error = await failure(addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes: fixturePhoto('jpeg'), thumbnail }))
    expect([error.code, error.messageKey]).toEqual(['unprocessable', key])
    expect(await photoRows(visitId)).toBe(0)
    expect(storedFiles()).toEqual(before)
  })
})

describe('over HTTP (photos on the S3-compatible server)', () => {
  async function signedIn(username: string) {
    const client = new Client(server.url)
    expect((await client.signIn(username, PASSWORD)).status).toBe(302)
    return client
  }
  const put = (client: Client, visitId: string, id: string, body: Uint8Array, type = 'image/jpeg') =>
    client.request(`/api/v1/visits/${visitId}/photos/${id}`, { method: 'PUT', headers: { 'Content-Type': type }, body: new Uint8Array(body) })

  const putWithThumbnail = (client: Client, visitId: string, id: string, photo: Uint8Array, thumbnail: Uint8Array) => {
    const form = new FormData()
    form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'photo.jpg')
    form.append('thumbnail', new Blob([new Uint8Array(thumbnail)], { type: 'image/jpeg' }), 'thumbnail.jpg')
    return client.request(`/api/v1/visits/${visitId}/photos/${id}`, { method: 'PUT', body: form })
  }

  it('PUT with a thumbnail stores both; the list\'s address answers the small file (304 by its tag), the full size the photo', async () => {
    const officer = await signedIn('off.a1')
    const visitId = await newVisit()
    const id = photoId()
    const small = fixturePhoto('webp')
    const first = await putWithThumbnail(officer, visitId, id, photoWithPosition('jpeg'), small)
    expect(first.status).toBe(201)
    expect(((await first.json()) as { photo: Record<string, unknown> }).photo).toMatchObject({ id, thumbnail: true })
    expect((await putWithThumbnail(officer, visitId, id, photoWithPosition('jpeg'), small)).status).toBe(200)

    const manager = await signedIn('mgr.a1')
    const dayView = await (await manager.get('/visits')).text()
    expect(dayView).toContain(`src="/visits/${visitId}/photos/${id}?size=thumb"`)
    const thumb = await manager.get(`/visits/${visitId}/photos/${id}?size=thumb`)
    const bytes = Buffer.from(await thumb.arrayBuffer())
    expect([thumb.status, thumb.headers.get('content-type'), thumb.headers.get('cache-control')]).toEqual([200, 'image/webp', 'private, max-age=3600'])
    expect(Buffer.compare(bytes, small)).toBe(0)
    expect(bytes.length).toBeLessThanOrEqual(32 * 1024)
    const etag = thumb.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]{64}-t"$/)
    const again = await manager.request(`/visits/${visitId}/photos/${id}?size=thumb`, { headers: { 'If-None-Match': etag } })
    expect([again.status, (await again.arrayBuffer()).byteLength]).toEqual([304, 0])
    const full = await manager.get(`/visits/${visitId}/photos/${id}`)
    expect([full.headers.get('content-type'), Buffer.compare(Buffer.from(await full.arrayBuffer()), fixturePhoto('jpeg'))]).toEqual(['image/jpeg', 0])
    const viewed = await t.db.selectFrom('audit_log').select('actor_username').where('action', '=', 'visit.photo_viewed').where('entity_id', '=', visitId).execute()
    expect(viewed).toEqual([{ actor_username: 'mgr.a1' }])
  })

  it('PUT with a bad thumbnail is 422 with a message and stores neither file nor row', async () => {
    const officer = await signedIn('off.a1')
    const visitId = await newVisit()
    const before = storedFiles()
    const big = await putWithThumbnail(officer, visitId, photoId(), fixturePhoto('jpeg'), Buffer.concat([fixturePhoto('jpeg'), Buffer.alloc(40 * 1024)]))
    expect(big.status).toBe(422)
    expect(await big.json()).toMatchObject({ error: 'unprocessable', message: '缩略图过大：不能超过 32 KB。' })
    const png = await putWithThumbnail(officer, visitId, photoId(), fixturePhoto('jpeg'), fixturePhoto('png'))
    expect(png.status).toBe(422)
    expect(await png.json()).toMatchObject({ message: '缩略图无效：只接受 JPEG 或 WebP 图片。' })
    expect(await photoRows(visitId)).toBe(0)
    expect(storedFiles()).toEqual(before)
  })

  it('answers the list\'s address with the photo itself when it came without a thumbnail (the plain bytes PUT)', async () => {
    const officer = await signedIn('off.a1')
    const visitId = await newVisit()
    const id = photoId()
    expect((await put(officer, visitId, id, fixturePhoto('jpeg'))).status).toBe(201)
    const thumb = await (await signedIn('mgr.a1')).get(`/visits/${visitId}/photos/${id}?size=thumb`)
    expect([thumb.status, thumb.headers.get('content-type')]).toEqual([200, 'image/jpeg'])
    expect(Buffer.compare(Buffer.from(await thumb.arrayBuffer()), fixturePhoto('jpeg'))).toBe(0)
  })

  it('PUT stores a photo (201), the same again is 200; the manager opens it, another branch\'s manager gets 404', async () => {
    const officer = await signedIn('off.a1')
    const visitId = await newVisit()
    const id = photoId()
    const bytes = photoWithPosition('jpeg')
    const first = await put(officer, visitId, id, bytes)
    expect(first.status).toBe(201)
    const answer = (await first.json()) as { photo: Record<string, unknown> }
    expect(answer.photo).toMatchObject({ id, visit_id: visitId, sha256: sha256(bytes) })
    expect(answer.photo).not.toHaveProperty('storage_key')
    expect((await put(officer, visitId, id, bytes)).status).toBe(200)

    const manager = await signedIn('mgr.a1')
    const image = await manager.get(`/visits/${visitId}/photos/${id}`)
    expect(image.status).toBe(200)
    expect(image.headers.get('content-type')).toBe('image/jpeg')
    expect(image.headers.get('cache-control')).toBe('private, no-store')
    expect(Buffer.compare(Buffer.from(await image.arrayBuffer()), fixturePhoto('jpeg'))).toBe(0)
    expect((await (await signedIn('mgr.b1')).get(`/visits/${visitId}/photos/${id}`)).status).toBe(404)
  })

  it('answers a non-image 422 and another officer\'s visit 404 with a message, 401 without a session', async () => {
    const visitId = await newVisit()
    const svg = await put(await signedIn('off.a1'), visitId, photoId(), Buffer.from('<svg onload="alert(1)"/>'), 'image/svg+xml')
    expect(svg.status).toBe(422)
    expect(await svg.json()).toMatchObject({ error: 'unprocessable', message: '不是照片：只接受 JPEG、PNG 或 WebP 图片。' })
    const other = await put(await signedIn('off.a2'), visitId, photoId(), fixturePhoto('jpeg'))
    expect(other.status).toBe(404)
    expect(await other.json()).toMatchObject({ message: '找不到该走访记录。' })
    expect((await put(new Client(server.url), visitId, photoId(), fixturePhoto('jpeg'))).status).toBe(401)
    expect(await photoRows(visitId)).toBe(0)
  })

  it('shows thumbnails on the day view and the visit page to a manager in scope, linking the full-size view', async () => {
    const officer = await signedIn('off.a1')
    const visitId = await newVisit()
    const ids = [photoId(), photoId()]
    for (const id of ids) expect((await put(officer, visitId, id, fixturePhoto('webp'), 'image/webp')).status).toBe(201)
    const manager = await signedIn('mgr.a1')
    const thumbs = (html: string) => [...html.matchAll(new RegExp(`src="/visits/${visitId}/photos/([^"?]+)\\?size=thumb"`, 'g'))].map((m) => m[1])
    const dayView = await (await manager.get('/visits')).text()
    expect(thumbs(dayView)).toEqual(ids)
    expect(dayView).toContain(`href="/visits/${visitId}/photos/${ids[0]}"`)
    const page = await (await manager.get(`/visits/${visitId}`)).text()
    expect(thumbs(page)).toEqual(ids)
    expect(page).toContain('门头照 2')
    const thumb = await manager.get(`/visits/${visitId}/photos/${ids[0]}?size=thumb`)
    expect([thumb.status, thumb.headers.get('content-type')]).toEqual([200, 'image/webp'])
    const other = await (await signedIn('mgr.b1')).get('/visits')
    expect(thumbs(await other.text())).toEqual([])
  })

  it('answers a thumbnail the browser holds with 304 and no bytes; the full size is read and audited each time', async () => {
    const officer = await signedIn('off.a1')
    const visitId = await newVisit()
    const id = photoId()
    expect((await put(officer, visitId, id, fixturePhoto('jpeg'))).status).toBe(201)
    const manager = await signedIn('mgr.a1')
    const first = await manager.get(`/visits/${visitId}/photos/${id}?size=thumb`)
    expect(first.status).toBe(200)
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/)
    const again = await manager.request(`/visits/${visitId}/photos/${id}?size=thumb`, { headers: { 'If-None-Match': etag } })
    expect([again.status, again.headers.get('etag'), (await again.arrayBuffer()).byteLength]).toEqual([304, etag, 0])
    const stale = await manager.request(`/visits/${visitId}/photos/${id}?size=thumb`, { headers: { 'If-None-Match': '"not-this-one"' } })
    expect([stale.status, (await stale.arrayBuffer()).byteLength]).toEqual([200, (await first.arrayBuffer()).byteLength])
    // Another outlet's manager learns nothing from a hash: not found, as without one.
    const other = await (await signedIn('mgr.b1')).request(`/visits/${visitId}/photos/${id}?size=thumb`, { headers: { 'If-None-Match': etag } })
    expect(other.status).toBe(404)
    const full = await manager.request(`/visits/${visitId}/photos/${id}`, { headers: { 'If-None-Match': etag } })
    expect(full.status).toBe(200)
    const audited = await t.db.selectFrom('audit_log').select('actor_username').where('action', '=', 'visit.photo_viewed').where('entity_id', '=', visitId).execute()
    expect(audited).toEqual([{ actor_username: 'mgr.a1' }])
  })

  it('refuses a 40 MB photo from its Content-Length alone (413), before a byte is read', async () => {
    const officer = await signedIn('off.a1')
    const visitId = await newVisit()
    const cookie = `wanqi_session=${officer.cookie('wanqi_session')}`
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${server.url}/api/v1/visits/${visitId}/photos/${photoId()}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'image/jpeg', 'Content-Length': String(40 * 1024 * 1024), Cookie: cookie, Origin: server.url },
      })
      request.on('response', (response) => {
        response.resume()
        resolve(response.statusCode ?? 0)
        request.destroy()
      })
      request.on('error', reject)
      request.flushHeaders() // the headers only: the body is never sent
    })
    expect(status).toBe(413)
    expect(await photoRows(visitId)).toBe(0)
  })
})
