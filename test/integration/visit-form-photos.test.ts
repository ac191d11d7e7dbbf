// The visit form posted whole, as a phone sends it before JavaScript loads (issue 24): one
// multipart POST of the fields and the camera's photos stores the visit and its photos through
// the same use cases as the JavaScript path, once however often it is sent; a photo that is no
// image, or too large, refuses the whole post with the reason next to the photo field and
// nothing stored. Real HTTP, SQLite and PostgreSQL.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { scopeOf } from '../../app/domain/scope'
import { MAX_PHOTO_BYTES } from '../../app/services/visit-photos/photo-rules'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { fixturePhoto } from '../support/photo-fixtures'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-form-photos-'))
let playerId = 0

const suite = routeSuite(
  async (t) => {
    const org = await buildOrg(t.db)
    const officer = await addUser(t.db, 'off.form', 'officer', org.outletA1.id)
    const manager = await addUser(t.db, 'mgr.form', 'manager', org.outletA1.id)
    playerId = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields('门店甲'), orgUnitId: org.outletA1.id })
    await assignPlayers(t.db, { actor: { id: manager, username: 'mgr.form', ip: null }, scope: scopeOf({ id: manager, role: 'manager', orgPath: org.outletA1.path }) }, { playerIds: [playerId], officerId: officer, reason: 'test' })
  },
  { storage: { kind: 'disk', dir: storageDir } },
)

afterAll(() => fs.rmSync(storageDir, { recursive: true, force: true }))

function visitForm(id: string, photos: { name: string; type: string; bytes: Uint8Array }[]): FormData {
  const form = new FormData()
  form.append('id', id)
  form.append('channel', 'phone')
  form.append('notes', '店主说要进货')
  form.append('obstacles', 'no_collateral')
  form.append('obstacles', 'cost')
  for (const p of photos) form.append('photos', new Blob([p.bytes as Uint8Array<ArrayBuffer>], { type: p.type }), p.name)
  // The empty file input a form sends with no photo taken.
  if (photos.length === 0) form.append('photos', new Blob([]), '')
  return form
}

const count = async (table: 'visits' | 'visit_photos', id: string) =>
  Number((await suite.t.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).where(table === 'visits' ? 'id' : 'visit_id', '=', id).executeTakeFirstOrThrow()).n)

describe('the visit form posted whole, without JavaScript', () => {
  it('stores the visit and its photos in order, the originals hashed; sent again, once', async () => {
    const officer = await suite.signedIn('off.form')
    const id = crypto.randomUUID()
    const jpeg = fixturePhoto('jpeg')
    const png = fixturePhoto('png')
    const post = () => officer.request(`/players/${playerId}/visit`, { method: 'POST', body: visitForm(id, [{ name: '门头1.jpg', type: 'image/jpeg', bytes: jpeg }, { name: '门头2.png', type: 'image/png', bytes: png }]) })
    const first = await post()
    expect(first.status).toBe(302)
    expect(first.headers.get('location')).toBe(`/visits/${id}?saved=1`)
    const stored = await suite.t.db.selectFrom('visits').select(['notes', 'obstacles']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(stored).toEqual({ notes: '店主说要进货', obstacles: '["no_collateral","cost"]' })
    const photos = await suite.t.db.selectFrom('visit_photos').select(['position', 'content_type', 'sha256']).where('visit_id', '=', id).orderBy('position').execute()
    expect(photos).toEqual([
      { position: 1, content_type: 'image/jpeg', sha256: crypto.createHash('sha256').update(jpeg).digest('hex') },
      { position: 2, content_type: 'image/png', sha256: crypto.createHash('sha256').update(png).digest('hex') },
    ])
    expect((await post()).status).toBe(302)
    expect([await count('visits', id), await count('visit_photos', id)]).toEqual([1, 2])
  })

  it('without a photo taken, stores the visit alone', async () => {
    const officer = await suite.signedIn('off.form')
    const id = crypto.randomUUID()
    expect((await officer.request(`/players/${playerId}/visit`, { method: 'POST', body: visitForm(id, []) })).status).toBe(302)
    expect([await count('visits', id), await count('visit_photos', id)]).toEqual([1, 0])
  })

  it('refuses a post with a photo that is no image, or too large, next to the photo field, storing nothing', async () => {
    const officer = await suite.signedIn('off.form')
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    const notImage = crypto.randomUUID()
    const refused = await officer.request(`/players/${playerId}/visit`, { method: 'POST', body: visitForm(notImage, [{ name: 'a.jpg', type: 'image/jpeg', bytes: fixturePhoto('jpeg') }, { name: 'b.svg', type: 'image/svg+xml', bytes: svg }]) })
    expect(refused.status).toBe(422)
    const page = await refused.text()
    expect(page).toContain('不是照片：只接受 JPEG、PNG 或 WebP 图片。')
    expect([await count('visits', notImage), await count('visit_photos', notImage)]).toEqual([0, 0])

    const tooLarge = crypto.randomUUID()
    const huge = new Uint8Array(MAX_PHOTO_BYTES + 10)
    huge.set(fixturePhoto('jpeg'))
    const big = await officer.request(`/players/${playerId}/visit`, { method: 'POST', body: visitForm(tooLarge, [{ name: 'big.jpg', type: 'image/jpeg', bytes: huge }]) })
    expect(big.status).toBe(422)
    expect(await big.text()).toContain('照片过大')
    expect(await count('visits', tooLarge)).toBe(0)
  })
})
