// /admin/areas and /areas/place over real HTTP (both dialects): an admin loads a county by
// name, a boundary file with a bad feature is refused naming it, a good one is stored, a
// centre set by hand is checked by the form's schema; a manager places the unit's players
// again and the player's page says where the township came from.
import { describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import type { TestDatabase } from '../support/test-db'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'
import { type Client } from '../support/http-client'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
  await addUser(t.db, 'root', 'admin', org.hq.id)
  await addUser(t.db, 'mgr.a1', 'manager', org.outletA1.id)
})

const signedIn = (username: string) => suite.signedIn(username)

function upload(client: Client, text: string, property = '', fileName = 'townships.geojson') {
  const form = new FormData()
  form.set('intent', 'boundaries')
  form.set('property', property)
  form.set('file', new Blob([text], { type: 'application/geo+json' }), fileName)
  return client.request('/admin/areas', { method: 'POST', body: form })
}

const square = (x: number, y: number, d: number) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]

describe('the divisions page', () => {
  it('loads a county named in words, and says what it loaded', async () => {
    const admin = await signedIn('root')
    const refused = await admin.post('/admin/areas', { intent: 'load', divisions: '' })
    expect(refused.status).toBe(400)
    const answer = await admin.post('/admin/areas', { intent: 'load', divisions: '兰考县' })
    expect(answer.status).toBe(200)
    expect(await answer.text()).toContain('已载入 兰考县（410225）：新增 495')
    const page = await (await admin.get('/admin/areas')).text()
    expect(page).toContain('谷营镇')
    expect(page).toMatch(/data-testid="served".*兰考县.*410225.*县/s)
  })

  it('refuses a boundary file with a bad feature, naming it, and stores a good one', async () => {
    const admin = await signedIn('root')
    const features = [
      { type: 'Feature', properties: { gb: '156410225105' }, geometry: { type: 'Polygon', coordinates: square(114.9, 34.9, 0.1) } },
      { type: 'Feature', properties: { gb: '156410225106' }, geometry: { type: 'Polygon', coordinates: [[[115, 34.9], [115.1, 34.9], [115.1, 35]]] } },
    ]
    const bad = await upload(admin, JSON.stringify({ type: 'FeatureCollection', features }))
    expect(bad.status).toBe(400)
    const html = await bad.text()
    expect(html).toContain('第 2 个要素（代码 410225106）：第 1 个环只有 3 个坐标')
    expect((await t.db.selectFrom('areas').select('boundary').where('code', '=', '410225105').executeTakeFirstOrThrow()).boundary).toBeNull()

    const good = await upload(admin, JSON.stringify({ type: 'FeatureCollection', features: [features[0]] }), 'gb')
    expect(good.status).toBe(200)
    expect(await good.text()).toContain('已存入 1 个边界（代码属性：gb）')
    expect(await t.db.selectFrom('areas').select(['centre_lat', 'centre_basis']).where('code', '=', '410225105').executeTakeFirstOrThrow()).toEqual({ centre_lat: 34.95, centre_basis: 'boundary' })
  })

  // Remix's multipart parser answered 500 to a name holding '=' or ';'.
  it.each(['边界=2024.geojson', 'a;b.geojson', ''])('takes a boundary file named %j', async (fileName) => {
    const admin = await signedIn('root')
    const feature = { type: 'Feature', properties: { gb: '156410225105' }, geometry: { type: 'Polygon', coordinates: square(114.9, 34.9, 0.1) } }
    const answer = await upload(admin, '\uFEFF' + JSON.stringify({ type: 'FeatureCollection', features: [feature] }), 'gb', fileName)
    expect(answer.status).toBe(200)
    expect(await answer.text()).toContain('已存入 1 个边界（代码属性：gb）')
  })

  it('sets a township centre by hand, with its numbers checked', async () => {
    const admin = await signedIn('root')
    const wrong = await admin.post('/admin/areas', { intent: 'centre', code: '410225101', lat: '95', lng: '114.9' })
    expect(wrong.status).toBe(400)
    expect(await wrong.text()).toContain('应为 -90 至 90 之间的数字')
    const set = await admin.post('/admin/areas', { intent: 'centre', code: '410225101', lat: '34.81', lng: '114.82' })
    expect(set.status).toBe(200)
    expect(await t.db.selectFrom('areas').select(['centre_lat', 'centre_lng', 'centre_basis']).where('code', '=', '410225101').executeTakeFirstOrThrow()).toEqual({ centre_lat: 34.81, centre_lng: 114.82, centre_basis: 'manual' })
  })
})

describe('the map', () => {
  it('says the boundaries are schematic only when one drawn is generated', async () => {
    const admin = await signedIn('root')
    expect(await (await admin.get('/map')).text()).not.toContain('data-testid="schematic-note"')
    await t.db.updateTable('areas').set({ boundary_generated: 1 }).where('code', '=', '410225105').execute()
    expect(await (await admin.get('/map')).text()).toContain('示意边界')
    await t.db.updateTable('areas').set({ boundary_generated: 0 }).where('code', '=', '410225105').execute()
  })
})

describe('placing players again', () => {
  it('a manager places the unit’s players by address; the player page says so in words', async () => {
    const id = await createPlayer(t.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields('谷营镇李记超市', { address: '河南省开封市兰考县谷营乡后岗村', lat: null, lng: null }), orgUnitId: org.outletA1.id })
    const manager = await signedIn('mgr.a1')
    const answer = await manager.post('/areas/place', {})
    expect(answer.status).toBe(200)
    expect(await answer.text()).toContain('按地址 1 个')
    expect(await t.db.selectFrom('market_players').select(['area_code', 'area_basis', 'lat']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ area_code: '410225105', area_basis: 'address', lat: 34.95 })
    const page = await (await manager.get(`/players/${id}`)).text()
    expect(page).toContain('按地址：谷营镇 (410225105)')
  })
})
