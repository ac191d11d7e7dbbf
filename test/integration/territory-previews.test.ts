// What the territories page and the map tell a manager before and after a change, over real
// HTTP: the players a drawn shape holds before it is saved (scoped, split into those that
// move with the territory and those assigned by hand), why a new territory holds more than
// moved with it, the follow-ups due per officer by the China day, and a balancing move
// previewed (how many, from whom to whom, a few names) and run only when confirmed.
import { describe, expect, it } from 'vitest'
import { todayInChina } from '../../app/domain/china-time'
import { scopeOf } from '../../app/domain/scope'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { workloadByOfficer } from '../../app/services/workload/workload-by-officer.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import type { Client } from '../support/http-client'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'
import type { TestDatabase } from '../support/test-db'
import { squareAround } from '../support/shapes'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let managerId: number
let officer1: number
let officer2: number
const ids: Record<string, number> = {}

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
  managerId = await addUser(t.db, 'mgr.a', 'manager', org.outletA1.id)
  const managerB = await addUser(t.db, 'mgr.b', 'manager', org.outletB1.id)
  officer1 = await addUser(t.db, 'off.1', 'officer', org.outletA1.id)
  officer2 = await addUser(t.db, 'off.2', 'officer', org.outletA1.id)
  await addUser(t.db, 'off.b', 'officer', org.outletB1.id)
  const actor = { id: managerId, username: 'mgr.a', ip: null }
  const here: [string, number, number][] = [
    ['甲户', 114.5, 33.8],
    ['乙户', 114.505, 33.805],
    ['丙户', 114.51, 33.79],
    ['丁户', 114.9, 33.9],
    ['戊户', 114.91, 33.91],
    ['己户', 114.92, 33.92],
  ]
  for (const [name, lng, lat] of here) ids[name] = await createPlayer(t.db, { actor, pii }, { fields: playerFields(name, { lng, lat }), orgUnitId: org.outletA1.id })
  // Another outlet's player inside the same square: never counted for mgr.a.
  ids['他行户'] = await createPlayer(t.db, { actor: { id: managerB, username: 'mgr.b', ip: null }, pii }, { fields: playerFields('他行户', { lng: 114.501, lat: 33.801 }), orgUnitId: org.outletB1.id })
  const caller = { actor, scope: scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }) }
  // 乙户 is off.2's by the manager's own choice; 丁户, 戊户, 己户 are off.1's.
  await assignPlayers(t.db, caller, { playerIds: [ids['乙户']], officerId: officer2, reason: '客户关系' })
  await assignPlayers(t.db, caller, { playerIds: [ids['丁户'], ids['戊户'], ids['己户']], officerId: officer1, reason: 'test' })
})

const count = (client: Client, mode: string, geometry: string) =>
  client.request('/territories/shape-count', { method: 'POST', body: new URLSearchParams({ mode, geometry }) })

describe('before and after a territory is drawn', () => {
  it('counts the players a drawn shape holds before saving: scoped, and who moves with it and who keeps an officer chosen by hand', async () => {
    const manager = await suite.signedIn('mgr.a')
    const shape = JSON.stringify(squareAround(114.505, 33.8, 0.02))
    const territory = await count(manager, 'territory', shape)
    expect(territory.status).toBe(200)
    expect(await territory.json()).toEqual({ mode: 'territory', inside: 3, follow: 2, keepOwn: 1 })
    expect(await (await count(manager, 'lasso', shape)).json()).toEqual({ mode: 'lasso', inside: 3 })
    // The other outlet's manager counts their own player only.
    expect(await (await count(await suite.signedIn('mgr.b'), 'territory', shape)).json()).toEqual({ mode: 'territory', inside: 1, follow: 1, keepOwn: 0 })
    // Not a shape; not a manager.
    expect((await count(manager, 'territory', '{not json')).status).toBe(400)
    expect((await count(manager, 'territory', JSON.stringify({ type: 'Polygon', coordinates: [[[1, 1], [2, 2], [1, 1]]] }))).status).toBe(400)
    expect((await count(await suite.signedIn('off.1'), 'territory', shape)).status).toBe(403)
    // Nothing was written.
    expect(await t.db.selectFrom('territories').select('id').execute()).toEqual([])
  })

  it('says why a new territory holds more players than moved with it, and the table counts those assigned by hand', async () => {
    const manager = await suite.signedIn('mgr.a')
    const response = await manager.request('/territories', {
      method: 'POST',
      body: new URLSearchParams({ intent: 'create', name: '城西片区', officerId: String(officer1), geometry: JSON.stringify(squareAround(114.505, 33.8, 0.02)) }),
    })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('已新建片区“城西片区”，2 户随片区改派。')
    expect(html).toContain('片区内共 3 户：2 户改派给本片区的客户经理；1 户是手工指派的（或划片区前已有客户经理），保持原客户经理；0 户原本就由该客户经理负责。')
    const page = await (await manager.get('/territories')).text()
    expect(page).toMatch(/<tr data-territory="城西片区">.*?<td[^>]*class="num players">3<\/td><td[^>]*class="num by-hand">1<\/td>/s)
    expect(page).toContain('经理手工指派给某位客户经理的主体')
  })
})

describe('workload', () => {
  it('counts follow-ups due today or overdue by the China day, per officer', async () => {
    const today = todayInChina()
    const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10)
    for (const [name, on] of [['丁户', day(-3)], ['戊户', today], ['己户', day(2)]] as const) {
      await t.db.updateTable('market_players').set({ next_follow_up_on: on }).where('id', '=', ids[name]).execute()
    }
    const workload = await workloadByOfficer(t.db, scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }))
    expect(workload.rows.find((r) => r.id === officer1)).toMatchObject({ followUpsDue: 2, overdue: 1 })
    expect(workload.rows.find((r) => r.id === officer2)).toMatchObject({ followUpsDue: 0, overdue: 0 })
    // The day before, only the overdue one was due.
    expect((await workloadByOfficer(t.db, scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }), { today: day(-1) })).rows.find((r) => r.id === officer1)).toMatchObject({ followUpsDue: 1, overdue: 1 })
    const page = await (await (await suite.signedIn('mgr.a')).get('/territories')).text()
    expect(page).toMatch(/<tr data-officer="off\.1">.*?<td[^>]*class="num follow-ups"><span>2<span class="small overdue"> (<!-- -->)?（逾期 1）<\/span><\/span><\/td>/s)
    expect(page).toMatch(/<tr data-officer="off\.2">.*?<td[^>]*class="num follow-ups"><span>0<\/span><\/td>/s)
  })

  it('"执行" previews a balancing move (how many, from whom to whom, names) and moves nothing until confirmed', async () => {
    const manager = await suite.signedIn('mgr.a')
    const workload = await workloadByOfficer(t.db, scopeOf({ id: managerId, role: 'manager', orgPath: org.outletA1.path }))
    const move = workload.balance.moves[0]
    expect(move).toMatchObject({ fromOfficerId: officer1, toOfficerId: officer2 })
    const theirs = async (officerId: number) =>
      Number((await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('assigned_officer_id', '=', officerId).executeTakeFirstOrThrow()).n)
    const before = [await theirs(officer1), await theirs(officer2)]

    const page = await (await manager.get('/territories')).text()
    expect(page).toMatch(/<form method="get"[^>]*>.*?name="fromOfficerId" value="\d+".*?执行<\/button>/s)
    const preview = await manager.get(`/territories?fromOfficerId=${officer1}&toOfficerId=${officer2}&players=${move.players}`)
    expect(preview.status).toBe(200)
    const html = await preview.text()
    expect(html).toContain(`将把 ${move.players} 户从 off.1 调给 off.2。`)
    expect(html).toMatch(/包括：(甲户|丙户|丁户|戊户|己户)/)
    expect(html).toContain('确认执行')
    expect([await theirs(officer1), await theirs(officer2)]).toEqual(before)
    // Another outlet's officers are not previewed.
    expect(await (await manager.get(`/territories?fromOfficerId=${officer1}&toOfficerId=${officer1 + 100}&players=1`)).text()).not.toContain('确认执行')

    const confirmed = await manager.request('/territories', {
      method: 'POST',
      body: new URLSearchParams({ intent: 'balance', fromOfficerId: String(officer1), toOfficerId: String(officer2), players: String(move.players) }),
    })
    expect(await confirmed.text()).toContain(`已将 ${move.players} 户从 off.1 调给 off.2。`)
    expect([await theirs(officer1), await theirs(officer2)]).toEqual([before[0] - move.players, before[1] + move.players])
  })
})
