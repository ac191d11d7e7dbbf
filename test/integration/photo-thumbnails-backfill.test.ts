// Thumbnails made on the server for the photos that came without one (decision 0631), on a
// real database and on both storage backends (a folder; a real S3-compatible server the test
// starts): each photo without one gets a 240 px JPEG beside it, which lists then read (not
// the photo); the phone's own copy is never replaced; a second run does nothing; a photo
// whose file is missing or cannot be decoded is reported and left as it was, and the run goes
// on. And the command, `npm run photos:thumbnails`, on a folder: its JSON and exit code.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import jpeg from 'jpeg-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sniffPhotoType } from '../../app/domain/photo-file'
import { scopeOf } from '../../app/domain/scope'
import { parseVisit } from '../../app/forms/visit'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { createStorage, type ObjectStorage, type StorageConfig } from '../../app/services/storage/storage.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { addVisitPhoto } from '../../app/services/visit-photos/add-visit-photo.server'
import { backfillPhotoThumbnails, thumbnailKeyOf } from '../../app/services/visit-photos/backfill-photo-thumbnails.server'
import { MAX_THUMBNAIL_BYTES } from '../../app/services/visit-photos/photo-rules'
import { readVisitPhoto } from '../../app/services/visit-photos/read-visit-photo.server'
import { recordVisit } from '../../app/services/visits/record-visit.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { runCli } from '../support/cli'
import { fixturePhoto } from '../support/photo-fixtures'
import { startS3Server, type TestS3Server } from '../support/s3-server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let s3: TestS3Server
let diskDir: string
type Who = { actor: { id: number; username: string; ip: null }; scope: ReturnType<typeof scopeOf> }
const who: Record<string, Who> = {}
let playerA = 0
let n = 0

const photoId = () => `photo-${++n}-${crypto.randomBytes(4).toString('hex')}`

let camera: Buffer | undefined

/** A camera-sized JPEG (1600×1200), as the plain form sends without the phone's small copy (encoded once a file: ~0.6 s of CPU each). */
function cameraJpeg(): Buffer {
  if (camera) return camera
  const width = 1600
  const height = 1200
  const data = Buffer.alloc(width * height * 4)
  for (let i = 0; i < data.length; i += 4) data.set([(i >> 4) & 255, 120, 60, 255], i)
  return (camera = jpeg.encode({ width, height, data }, 85).data)
}

async function newVisit(): Promise<string> {
  const parsed = parseVisit({ id: `visit-${++n}-${crypto.randomBytes(4).toString('hex')}`, playerId: playerA, channel: 'phone' })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return (await recordVisit(t.db, { ...who['off.a1'] }, parsed.data)).visit.id
}

/** A photo row whose stored file is `bytes` (or none), as rows stored long ago may be. */
async function rowWithFile(storage: ObjectStorage, bytes: Buffer | null): Promise<string> {
  const visitId = await newVisit()
  const id = photoId()
  const key = `visit-photos/2026/01/${id}.jpg`
  if (bytes) await storage.put(key, bytes, 'image/jpeg')
  await t.db
    .insertInto('visit_photos')
    .values({ id, visit_id: visitId, position: 1, content_type: 'image/jpeg', storage_key: key, sha256: 'f'.repeat(64), original_bytes: 10, stored_bytes: 10, added_at: '2026-01-05T02:00:00.000Z', added_by: who['off.a1'].actor.id, thumbnail_key: null })
    .execute()
  return id
}

const thumbnailKey = async (id: string) => (await t.db.selectFrom('visit_photos').select('thumbnail_key').where('id', '=', id).executeTakeFirstOrThrow()).thumbnail_key
const withoutThumbnail = async () => Number((await t.db.selectFrom('visit_photos').select((eb) => eb.fn.countAll<number | string>().as('n')).where('thumbnail_key', 'is', null).executeTakeFirstOrThrow()).n)

beforeAll(async () => {
  t = await createTestDatabase()
  s3 = await startS3Server()
  diskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-thumbnails-'))
  const org = await buildOrg(t.db)
  for (const [name, role] of [['off.a1', 'officer'], ['mgr.a1', 'manager']] as const) {
    const id = await addUser(t.db, name, role, org.outletA1.id)
    who[name] = { actor: { id, username: name, ip: null }, scope: scopeOf({ id, role, orgPath: org.outletA1.path }) }
  }
  const system = { id: null, username: 'test', ip: null }
  playerA = await createPlayer(t.db, { actor: system, pii }, { fields: playerFields('甲面馆'), orgUnitId: org.outletA1.id })
  await assignPlayers(t.db, { actor: who['mgr.a1'].actor, scope: who['mgr.a1'].scope }, { playerIds: [playerA], officerId: who['off.a1'].actor.id, reason: 'test' })
})

afterAll(async () => {
  await s3?.close()
  if (diskDir) fs.rmSync(diskDir, { recursive: true, force: true })
  await t?.destroy()
})

describe.each(['disk', 's3'] as const)('thumbnails made for old photos on %s', (kind) => {
  let storage: ObjectStorage
  const leftOver: string[] = []
  beforeAll(() => {
    const config: StorageConfig = kind === 'disk' ? { kind: 'disk', dir: diskDir } : s3.config
    storage = createStorage(config)
  })
  afterAll(async () => {
    // The rows left without a thumbnail would be the next backend's missing files.
    if (leftOver.length) await t.db.deleteFrom('visit_photos').where('id', 'in', leftOver).execute()
  })

  it('gives every photo without one a small JPEG that lists then read; the phone\'s own copy is kept; a second run does nothing', async () => {
    const big = cameraJpeg()
    const visitId = await newVisit()
    const add = (bytes: Buffer, thumbnail?: Buffer) => addVisitPhoto(t.db, who['off.a1'], storage, { visitId, photoId: photoId(), bytes, thumbnail })
    const camera = (await add(big)).photo
    const png = (await add(fixturePhoto('png'))).photo
    const webp = (await add(fixturePhoto('webp'))).photo
    const phones = (await add(fixturePhoto('jpeg'), fixturePhoto('jpeg'))).photo
    expect(await withoutThumbnail()).toBe(3)
    // Before: the list is sent the whole photo.
    expect((await readVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: camera.id, purpose: 'thumbnail' })).bytes.byteLength).toBe(camera.stored_bytes)

    const result = await backfillPhotoThumbnails(t.db, storage)
    expect(result).toEqual({ seen: 3, made: 3, problems: [] })
    for (const photo of [camera, png, webp]) {
      const key = await thumbnailKey(photo.id)
      expect(key).toBe(thumbnailKeyOf(photo.storage_key))
      expect(key).toMatch(new RegExp(`^visit-photos/\\d{4}/\\d{2}/${photo.id}\\.thumb\\.jpg$`))
      const thumb = await readVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: photo.id, purpose: 'thumbnail' })
      expect([thumb.contentType, thumb.sha256, sniffPhotoType(thumb.bytes)]).toEqual(['image/jpeg', `${photo.sha256}-t`, 'image/jpeg'])
      expect(thumb.bytes.byteLength).toBeLessThanOrEqual(MAX_THUMBNAIL_BYTES)
      expect(Buffer.compare(thumb.bytes, (await storage.get(key!))!)).toBe(0)
    }
    const small = jpeg.decode((await storage.get((await thumbnailKey(camera.id))!))!)
    expect([small.width, small.height]).toEqual([240, 180])
    expect(await thumbnailKey(phones.id)).toBe(phones.thumbnail_key)
    // The full size is still the photo itself.
    const full = await readVisitPhoto(t.db, who['mgr.a1'], storage, { visitId, photoId: camera.id, purpose: 'full' })
    expect(full.bytes.byteLength).toBe(camera.stored_bytes)

    expect(await backfillPhotoThumbnails(t.db, storage)).toEqual({ seen: 0, made: 0, problems: [] })
  })

  it('reports a photo whose file is missing or cannot be decoded, leaves it as it was and goes on', async () => {
    const missing = await rowWithFile(storage, null)
    const broken = await rowWithFile(storage, Buffer.concat([fixturePhoto('jpeg').subarray(0, 150), Buffer.alloc(500, 0x42)]))
    const text = await rowWithFile(storage, Buffer.from('not a photo at all'))
    const good = await rowWithFile(storage, cameraJpeg())
    leftOver.push(missing, broken, text)

    const result = await backfillPhotoThumbnails(t.db, storage)
    expect(result.seen).toBe(4)
    expect(result.made).toBe(1)
    expect(Object.fromEntries(result.problems.map((p) => [p.photoId, p.reason]))).toEqual({ [missing]: 'missing', [broken]: 'undecodable', [text]: 'not_image' })
    for (const id of [missing, broken, text]) expect(await thumbnailKey(id)).toBeNull()
    expect(await storage.get(thumbnailKeyOf(`visit-photos/2026/01/${broken}.jpg`))).toBeNull()
    expect(await thumbnailKey(good)).toBe(`visit-photos/2026/01/${good}.thumb.jpg`)
  })
})

describe('npm run photos:thumbnails', () => {
  const cli = (options: { tsx?: boolean } = {}) =>
    runCli('app/cli/photo-thumbnails.server.ts', [], {
      env: { ...process.env, DATABASE_URL: t.url, DATA_KEY: TEST_DATA_KEY, STORAGE_DIR: diskDir, S3_BUCKET: '', WANQI_SECRETS_FILE: path.join(os.tmpdir(), `wanqi-thumbnails-cli-${process.pid}.json`) },
      tsx: options.tsx,
    }).then(
      (done) => ({ code: 0, ...done }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    )

  it('makes what is missing on the configured folder, prints the JSON, and exits 3 when a photo could not be made small', async () => {
    const storage = createStorage({ kind: 'disk', dir: diskDir })
    const good = await rowWithFile(storage, cameraJpeg())
    const missing = await rowWithFile(storage, null)
    const first = await cli({ tsx: true })
    expect(first.code).toBe(3)
    expect(JSON.parse(first.stdout)).toEqual({ seen: 2, made: 1, problems: [expect.objectContaining({ photoId: missing, reason: 'missing' })] })
    expect(first.stderr).toContain(`photo ${missing}`)
    expect(fs.existsSync(path.join(diskDir, `visit-photos/2026/01/${good}.thumb.jpg`))).toBe(true)

    await t.db.deleteFrom('visit_photos').where('id', '=', missing).execute()
    const second = await cli()
    expect([second.code, JSON.parse(second.stdout)]).toEqual([0, { seen: 0, made: 0, problems: [] }])
  })
})
