// Territories over real HTTP: a manager creates territories by townships and by a drawn
// polygon, an overlap is answered 409 with the service's message, a lasso and a filter
// assign players, a balancing move changes the workload; officers read their own
// territory and may change nothing; another outlet's manager cannot reach in.
import { describe, expect, it } from 'vitest'
import type { PlayerFields } from '../../app/domain/market-player'
import { scopeOf } from '../../app/domain/scope'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { workloadByOfficer } from '../../app/services/workload/workload-by-officer.server'
import { addUser, buildOrg } from '../support/fixtures'
import type { TestDatabase } from '../support/test-db'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'
import { type Client } from '../support/http-client'
import { squareAround } from '../support/shapes'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let managerId: number
let officer1: number
let officer2: number
let officerB: number
const CHENGGUAN = '411622100'
const DONGXIA = '411622101'

function fields(name: string, kind: 'household' | 'enterprise', lng: number, lat: number, areaCode: string | null): PlayerFields {
  return {
    uscc: null, name, kind, legalRepresentative: null, owner: `${name}主`, idNumber: null, phone: null, industry: null,
    industryCode: null, employees: null, revenueYuan: null, assetsYuan: null, registeredOn: null, registrationStatus: 'active',
    address: `${name}地址`, areaCode, lat, lng, taxGrade: null, loanHistory: 'none', loanCheckedOn: null,
  }
}

const signedIn = (username: string) => suite.signedIn(username)

/** A form post with repeated fields (township checkboxes). */
function post(client: Client, fields: [string, string][]) {
  return client.request('/territories', { method: 'POST', body: new URLSearchParams(fields) })
}

async function officerOf(name: string) {
  const row = await t.db.selectFrom('market_players').select(['assigned_officer_id', 'territory_id']).where('name', '=', name).executeTakeFirstOrThrow()
  return row.assigned_officer_id
}

async function countOf(officerId: number) {
  const row = await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('assigned_officer_id', '=', officerId).executeTakeFirstOrThrow()
  return Number(row.n)
}

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
  managerId = await addUser(t.db, 'mgr.a', 'manager', org.outletA1.id)
  await addUser(t.db, 'mgr.b', 'manager', org.outletB1.id)
  officer1 = await addUser(t.db, 'off.1', 'officer', org.outletA1.id)
  officer2 = await addUser(t.db, 'off.2', 'officer', org.outletA1.id)
  officerB = await addUser(t.db, 'off.b', 'officer', org.outletB1.id)
  await t.db
    .insertInto('areas')
    .values([
      { code: CHENGGUAN, name: '城关镇', level: 'township', parent_code: '411622', boundary: JSON.stringify(squareAround(114.6, 33.9, 0.05)), centre_lat: 33.9, centre_lng: 114.6 },
      { code: DONGXIA, name: '东夏亭镇', level: 'township', parent_code: '411622', boundary: JSON.stringify(squareAround(114.8, 33.9, 0.05)), centre_lat: 33.9, centre_lng: 114.8 },
    ])
    .execute()
  const actor = { id: managerId, username: 'mgr.a', ip: null }
  const players: [string, 'household' | 'enterprise', number, number, string | null][] = [
    ['城关一号户', 'household', 114.59, 33.9, CHENGGUAN],
    ['城关二号户', 'household', 114.6, 33.91, CHENGGUAN],
    ['城关三号户', 'household', 114.61, 33.89, CHENGGUAN],
    ['城关企业', 'enterprise', 114.6, 33.88, CHENGGUAN],
    ['东夏一号户', 'household', 114.8, 33.9, DONGXIA],
    ['东夏二号户', 'household', 114.81, 33.91, DONGXIA],
    ['城外一号', 'household', 114.4, 33.5, null],
    ['城外二号', 'enterprise', 114.41, 33.51, null],
  ]
  for (const [name, kind, lng, lat, area] of players) {
    await createPlayer(t.db, { actor: actor, pii }, { fields: fields(name, kind, lng, lat, area), orgUnitId: org.outletA1.id })
  }
})

describe('territories through the pages', () => {
  it('a manager creates a territory by picking a township; its players get its officer and are counted', async () => {
    const manager = await signedIn('mgr.a')
    const response = await post(manager, [['intent', 'create'], ['name', '城关片区'], ['officerId', String(officer1)], ['townships', CHENGGUAN]])
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('已新建片区“城关片区”，4 户随片区改派。')
    for (const name of ['城关一号户', '城关二号户', '城关三号户', '城关企业']) expect(await officerOf(name)).toBe(officer1)
    expect(await officerOf('东夏一号户')).toBeNull()
    const page = await (await manager.get('/territories')).text()
    expect(page).toMatch(/<tr data-territory="城关片区">.*?off\.1.*?<td[^>]*class="num players">4<\/td>/s)
  })

  it('a manager creates a territory from a polygon drawn on the map', async () => {
    const manager = await signedIn('mgr.a')
    const response = await post(manager, [['intent', 'create'], ['name', '城外片区'], ['officerId', String(officer2)], ['geometry', JSON.stringify(squareAround(114.4, 33.5, 0.03))]])
    expect(response.status).toBe(200)
    expect(await officerOf('城外一号')).toBe(officer2)
    expect(await officerOf('城外二号')).toBe(officer2)
  })

  it('a manager moves the corners of a drawn territory: players leave and join by the new shape; others cannot', async () => {
    const manager = await signedIn('mgr.a')
    const territory = await t.db.selectFrom('territories').select(['id', 'name', 'officer_id']).where('name', '=', '城外片区').executeTakeFirstOrThrow()
    const redraw = (client: Client, geometry: string) => post(client, [['intent', 'redraw'], ['territoryId', String(territory.id)], ['geometry', geometry]])

    const shrunk = await redraw(manager, JSON.stringify(squareAround(114.4, 33.5, 0.005)))
    expect(shrunk.status).toBe(200)
    expect(await shrunk.text()).toContain('片区边界已调整，1 户随之改派。')
    expect(await officerOf('城外一号')).toBe(officer2)
    expect(await officerOf('城外二号')).toBeNull()
    const after = await t.db.selectFrom('territories').select(['name', 'officer_id', 'east']).where('id', '=', territory.id).executeTakeFirstOrThrow()
    expect(after).toEqual({ name: '城外片区', officer_id: territory.officer_id, east: 114.405 })
    const history = await t.db
      .selectFrom('player_assignments')
      .innerJoin('market_players', 'market_players.id', 'player_assignments.player_id')
      .select(['player_assignments.officer_id', 'player_assignments.reason'])
      .where('market_players.name', '=', '城外二号')
      .orderBy('player_assignments.id', 'desc')
      .executeTakeFirstOrThrow()
    expect(history).toEqual({ officer_id: null, reason: 'territory.reason.redrawn' })

    // Moved onto another territory: refused with where, nothing changed.
    const onto = await redraw(manager, JSON.stringify(squareAround(114.6, 33.9, 0.01)))
    expect(onto.status).toBe(409)
    expect(await onto.text()).toMatch(/与片区“城关片区”在 114\.\d+, 33\.\d+ 附近重叠。/)
    expect(await officerOf('城外一号')).toBe(officer2)
    // Not a shape, and not another outlet's manager's to change.
    expect((await redraw(manager, '{not json')).status).toBe(400)
    expect((await redraw(await signedIn('mgr.b'), JSON.stringify(squareAround(114.4, 33.5, 0.03)))).status).toBe(404)
    expect((await t.db.selectFrom('territories').select('east').where('id', '=', territory.id).executeTakeFirstOrThrow()).east).toBe(114.405)

    // Back as it was, for the tests after this one.
    expect((await redraw(manager, JSON.stringify(squareAround(114.4, 33.5, 0.03)))).status).toBe(200)
    expect(await officerOf('城外二号')).toBe(officer2)
  })

  it('refuses an overlapping territory with 409 and the service’s message, with where', async () => {
    const manager = await signedIn('mgr.a')
    const drawn = await post(manager, [['intent', 'create'], ['name', '重叠片区'], ['officerId', String(officer2)], ['geometry', JSON.stringify(squareAround(114.64, 33.9, 0.03))]])
    expect(drawn.status).toBe(409)
    expect(await drawn.text()).toMatch(/与片区“城关片区”在 114\.\d+, 33\.\d+ 附近重叠。/)
    const picked = await post(manager, [['intent', 'create'], ['name', '又一个城关'], ['officerId', String(officer2)], ['townships', CHENGGUAN]])
    expect(picked.status).toBe(409)
    expect(await picked.text()).toContain(`乡镇 ${CHENGGUAN} 已属于片区“城关片区”。`)
    expect(await t.db.selectFrom('territories').select('name').where('name', 'in', ['重叠片区', '又一个城关']).execute()).toEqual([])
  })

  it('keeps the input and says what is wrong next to the field', async () => {
    const manager = await signedIn('mgr.a')
    const response = await post(manager, [['intent', 'create'], ['name', ''], ['officerId', ''], ['townships', DONGXIA]])
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toMatch(/aria-invalid="true"[^>]*name="name"|name="name"[^>]*aria-invalid="true"/)
    expect(html).toMatch(/aria-invalid="true"[^>]*name="officerId"|name="officerId"[^>]*aria-invalid="true"/)
  })

  it('a lasso drawn on the map assigns the players inside it', async () => {
    const manager = await signedIn('mgr.a')
    const response = await post(manager, [['intent', 'lasso'], ['officerId', String(officer2)], ['geometry', JSON.stringify(squareAround(114.805, 33.905, 0.02))]])
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('已分配 2 户。')
    expect(await officerOf('东夏一号户')).toBe(officer2)
    expect(await officerOf('东夏二号户')).toBe(officer2)
    const history = await t.db
      .selectFrom('player_assignments')
      .innerJoin('market_players', 'market_players.id', 'player_assignments.player_id')
      .select(['player_assignments.officer_id', 'player_assignments.reason', 'player_assignments.assigned_by'])
      .where('market_players.name', '=', '东夏一号户')
      .orderBy('player_assignments.id', 'desc')
      .executeTakeFirstOrThrow()
    expect(history).toEqual({ officer_id: officer2, reason: 'territory.reason.lasso', assigned_by: managerId })
  })

  it('applying a balancing move changes the workload table', async () => {
    const manager = await signedIn('mgr.a')
    // off.1: 4 players, off.2: 4 players: balanced. Move two of off.2's to off.1 by filter first, so there is something to balance.
    const before = await workloadByOfficer(t.db, scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }))
    expect(before.balance.moves).toEqual([])
    const page = await (await manager.get('/territories')).text()
    expect(page).toContain('各客户经理工作量已均衡，无需调整。')

    const byFilter = await post(manager, [['intent', 'assign-filter'], ['officerId', String(officer1)], ['township', DONGXIA], ['kind', 'household']])
    expect(byFilter.status).toBe(200)
    expect(await byFilter.text()).toContain('已分配 2 户。')
    expect([await countOf(officer1), await countOf(officer2)]).toEqual([6, 2])

    const unbalanced = await (await manager.get('/territories')).text()
    expect(unbalanced).toMatch(/<tr data-officer="off\.1">.*?<td[^>]*class="num players">6<\/td>/s)
    const after = await workloadByOfficer(t.db, scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }))
    expect(after.balance.moves).toEqual([{ fromOfficerId: officer1, toOfficerId: officer2, players: 2 }])
    expect(unbalanced).toContain('执行')

    const applied = await post(manager, [['intent', 'balance'], ['fromOfficerId', String(officer1)], ['toOfficerId', String(officer2)], ['players', '2']])
    expect(applied.status).toBe(200)
    const html = await applied.text()
    expect(html).toContain('已将 2 户从 off.1 调给 off.2。')
    expect(html).toMatch(/<tr data-officer="off\.1">.*?<td[^>]*class="num players">4<\/td>/s)
    expect(html).toMatch(/<tr data-officer="off\.2">.*?<td[^>]*class="num players">4<\/td>/s)
    expect([await countOf(officer1), await countOf(officer2)]).toEqual([4, 4])
  })

  it('assigns by filter only what matches, and never everything by an empty filter', async () => {
    const manager = await signedIn('mgr.a')
    const enterpriseOfficer = await officerOf('城关企业')
    const households = await post(manager, [['intent', 'assign-filter'], ['officerId', String(officer2)], ['township', CHENGGUAN], ['kind', 'household']])
    expect(households.status).toBe(200)
    expect(await households.text()).toContain('已分配 3 户。')
    expect(await officerOf('城关一号户')).toBe(officer2)
    expect(await officerOf('城关企业')).toBe(enterpriseOfficer)
    const empty = await post(manager, [['intent', 'assign-filter'], ['officerId', String(officer2)]])
    expect(empty.status).toBe(400)
  })

  it('reassigns a territory with a reason, and deletes one', async () => {
    const manager = await signedIn('mgr.a')
    const territory = await t.db.selectFrom('territories').select('id').where('name', '=', '城外片区').executeTakeFirstOrThrow()
    const noReason = await post(manager, [['intent', 'assign'], ['territoryId', String(territory.id)], ['officerId', String(officer1)], ['reason', '']])
    expect(noReason.status).toBe(400)
    const reassigned = await post(manager, [['intent', 'assign'], ['territoryId', String(territory.id)], ['officerId', String(officer1)], ['reason', '人员调整']])
    expect(reassigned.status).toBe(200)
    expect(await officerOf('城外一号')).toBe(officer1)
    const deleted = await post(manager, [['intent', 'delete'], ['territoryId', String(territory.id)]])
    expect(deleted.status).toBe(200)
    expect(await officerOf('城外一号')).toBeNull()
    expect(await (await manager.get('/territories')).text()).not.toContain('data-territory="城外片区"')
  })
})

describe('who may do what', () => {
  it('an officer sees only their own territory, read-only, and every action answers 403', async () => {
    const officer = await signedIn('off.1')
    const page = await officer.get('/territories')
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('data-territory="城关片区"')
    expect(html).toContain('以下是您负责的片区（只读）。')
    expect(html).not.toContain('value="create"')
    expect(html).not.toContain('value="balance"')
    const other = await signedIn('off.2')
    expect(await (await other.get('/territories')).text()).not.toContain('data-territory="城关片区"')
    for (const fields of [
      [['intent', 'create'], ['name', '越权'], ['officerId', String(officer1)], ['townships', DONGXIA]],
      [['intent', 'lasso'], ['officerId', String(officer1)], ['geometry', JSON.stringify(squareAround(114.8, 33.9, 0.1))]],
      [['intent', 'balance'], ['fromOfficerId', String(officer2)], ['toOfficerId', String(officer1)], ['players', '1']],
      [['intent', 'assign-filter'], ['officerId', String(officer1)], ['township', DONGXIA]],
    ] as [string, string][][]) {
      expect((await post(officer, fields)).status).toBe(403)
    }
    expect(await t.db.selectFrom('territories').select('id').where('name', '=', '越权').execute()).toEqual([])
  })

  it('another outlet’s manager can neither see nor change this outlet’s territories and officers', async () => {
    const other = await signedIn('mgr.b')
    const page = await (await other.get('/territories')).text()
    expect(page).not.toContain('城关片区')
    const territory = await t.db.selectFrom('territories').select('id').where('name', '=', '城关片区').executeTakeFirstOrThrow()
    expect((await post(other, [['intent', 'assign'], ['territoryId', String(territory.id)], ['officerId', String(officerB)], ['reason', '越权']])).status).toBe(404)
    const toTheirs = await post(other, [['intent', 'assign-filter'], ['officerId', String(officer1)], ['township', CHENGGUAN]])
    expect(toTheirs.status).toBe(400)
    expect(await toTheirs.text()).toContain('只能指派本机构在岗的客户经理。')
  })

  it('the map page opens for every role, and draws nothing before the browser does', async () => {
    for (const username of ['mgr.a', 'off.1']) {
      const client = await signedIn(username)
      const response = await client.get('/map')
      expect(response.status).toBe(200)
      const html = await response.text()
      expect(html).toContain('class="territory-map"')
      // The townships of the user's territories are drawn, even where they have no players now.
      expect(html).toContain('城关镇')
    }
  })
})
