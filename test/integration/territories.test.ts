// Territories on a real database: players fall into drawn areas and townships, overlaps
// are refused, officers follow their territory, direct choices stand, and an officer who
// leaves leaves their players visibly unassigned — all recorded in each player's history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scopeOf } from '../../app/domain/scope'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { assignPlayers } from '../../app/services/territories/assign-players.server'
import { assignTerritory } from '../../app/services/territories/assign-territory.server'
import { createTerritory } from '../../app/services/territories/create-territory.server'
import { deleteTerritory } from '../../app/services/territories/delete-territory.server'
import { listTerritories } from '../../app/services/territories/list-territories.server'
import { setUserActive } from '../../app/services/users/set-user-active.server'
import { workloadByOfficer } from '../../app/services/workload/workload-by-officer.server'
import type { PlayerFields } from '../../app/domain/market-player'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { addUser, buildOrg } from '../support/fixtures'
import { squareAround } from '../support/shapes'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
let mgr: { id: number; username: string; ip: null }
let managerScope: ReturnType<typeof scopeOf>
let officer1: number
let officer2: number
const ids: Record<string, number> = {}

/** A square of `half` degrees around a centre, as a GeoJSON polygon. */
function fields(name: string, lng: number | null, lat: number | null, areaCode: string | null = null): PlayerFields {
  return {
    uscc: null, name, kind: 'household', legalRepresentative: null, owner: `${name}主`, idNumber: null, phone: null, industry: null,
    industryCode: null, employees: null, revenueYuan: null, assetsYuan: null, registeredOn: null, registrationStatus: 'active',
    address: `${name}地址`, areaCode, lat, lng, taxGrade: null, loanHistory: 'none', loanCheckedOn: null,
  }
}

async function player(name: string) {
  return t.db.selectFrom('market_players').selectAll().where('id', '=', ids[name]).executeTakeFirstOrThrow()
}

async function history(name: string) {
  return t.db.selectFrom('player_assignments').select(['officer_id', 'reason']).where('player_id', '=', ids[name]).orderBy('id').execute()
}

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  const mgrId = await addUser(t.db, 'mgr.a1', 'manager', org.outletA1.id)
  mgr = { id: mgrId, username: 'mgr.a1', ip: null }
  managerScope = scopeOf({ id: mgrId, role: 'manager', orgPath: org.outletA1.path })
  officer1 = await addUser(t.db, 'off.1', 'officer', org.outletA1.id)
  officer2 = await addUser(t.db, 'off.2', 'officer', org.outletA1.id)
  await t.db.insertInto('areas').values({ code: '411622100', name: '城关镇', level: 'township', parent_code: '411622', boundary: JSON.stringify(squareAround(114.6, 33.9, 0.05)), centre_lat: 33.9, centre_lng: 114.6 }).execute()
  for (const [name, lng, lat, area] of [
    ['inside', 114.50, 33.80, null],
    ['edge', 114.52, 33.80, null], // exactly on the east edge of the first square
    ['outside', 114.70, 33.70, null],
    ['township', null, null, '411622100'], // no position of its own: the township centre
    ['direct', 114.505, 33.805, null],
  ] as const) {
    ids[name] = await createPlayer(t.db, { actor: mgr, pii }, { fields: fields(name, lng, lat, area), orgUnitId: org.outletA1.id })
  }
  await assignPlayers(t.db, { actor: mgr, scope: managerScope }, { playerIds: [ids.direct], officerId: officer2, reason: '客户关系' })
})
afterAll(() => t.destroy())

describe('territories', () => {
  let first: number

  it('a drawn territory takes the players inside it, edges included, and gives them its officer', async () => {
    const result = await createTerritory(t.db, { actor: mgr, scope: managerScope }, { orgUnitId: org.outletA1.id, name: '城西片区', geometry: squareAround(114.5, 33.8, 0.02), officerId: officer1 })
    first = result.id
    expect(await player('inside')).toMatchObject({ territory_id: first, assigned_officer_id: officer1, assignment_source: 'territory' })
    expect(await player('edge')).toMatchObject({ territory_id: first, assigned_officer_id: officer1 })
    expect(await player('outside')).toMatchObject({ territory_id: null, assigned_officer_id: null })
    // A manager's direct choice stands, though the player lies in the territory.
    expect(await player('direct')).toMatchObject({ territory_id: first, assigned_officer_id: officer2, assignment_source: 'direct' })
    expect((await history('inside')).at(-1)).toEqual({ officer_id: officer1, reason: 'territory.reason.drawn' })
  })

  it('refuses an overlapping territory in the same org unit, saying which and where; a neighbour sharing an edge is fine', async () => {
    await expect(
      createTerritory(t.db, { actor: mgr, scope: managerScope }, { orgUnitId: org.outletA1.id, name: '重叠', geometry: squareAround(114.53, 33.8, 0.02) }),
    ).rejects.toMatchObject({ code: 'conflict', messageKey: 'territory.overlap', params: { name: '城西片区' } })
    const neighbour = await createTerritory(t.db, { actor: mgr, scope: managerScope }, { orgUnitId: org.outletA1.id, name: '城东片区', geometry: squareAround(114.54, 33.8, 0.02) })
    expect(neighbour.id).toBeGreaterThan(first)
    // On the shared edge, the older territory keeps the player.
    expect(await player('edge')).toMatchObject({ territory_id: first })
  })

  it('a territory of townships takes players without a position of their own, by township', async () => {
    const result = await createTerritory(t.db, { actor: mgr, scope: managerScope }, { orgUnitId: org.outletA1.id, name: '城关镇', townshipCodes: ['411622100'], officerId: officer2 })
    expect(await player('township')).toMatchObject({ territory_id: result.id, assigned_officer_id: officer2, position_approximate: 1 })
    await expect(
      createTerritory(t.db, { actor: mgr, scope: managerScope }, { orgUnitId: org.outletA1.id, name: '又一个城关', townshipCodes: ['411622100'] }),
    ).rejects.toMatchObject({ messageKey: 'territory.overlapTownship' })
  })

  it('reassigning a territory moves its players to the new officer, with the reason in their history', async () => {
    await assignTerritory(t.db, { actor: mgr, scope: managerScope }, { id: first, officerId: officer2, reason: '人员调整' })
    expect(await player('inside')).toMatchObject({ assigned_officer_id: officer2 })
    expect((await history('inside')).at(-1)).toEqual({ officer_id: officer2, reason: '人员调整' })
    const territoryHistory = await t.db.selectFrom('territory_assignments').select(['officer_id', 'reason']).where('territory_id', '=', first).orderBy('id').execute()
    expect(territoryHistory).toEqual([{ officer_id: officer1, reason: null }, { officer_id: officer2, reason: '人员调整' }])
  })

  it('a lasso assigns the players inside it directly', async () => {
    const result = await assignPlayers(t.db, { actor: mgr, scope: managerScope }, { lasso: squareAround(114.7, 33.7, 0.01), officerId: officer1, reason: '套索分配' })
    expect(result.moved).toBe(1)
    expect(await player('outside')).toMatchObject({ assigned_officer_id: officer1, assignment_source: 'direct' })
  })

  it('shows the workload per officer and proposes balancing moves', async () => {
    const workload = await workloadByOfficer(t.db, managerScope)
    const byName = Object.fromEntries(workload.rows.map((r) => [r.username, r]))
    expect(byName['off.1'].players).toBe(1)
    expect(byName['off.2'].players).toBe(4)
    expect(workload.balance.moves).toEqual([{ fromOfficerId: officer2, toOfficerId: officer1, players: expect.any(Number) }])
  })

  it('an officer who is deactivated leaves their players and territories visibly unassigned', async () => {
    await setUserActive(t.db, { actor: mgr }, { id: officer2, active: false })
    for (const name of ['inside', 'direct', 'township', 'edge']) {
      expect(await player(name)).toMatchObject({ assigned_officer_id: null })
      expect((await history(name)).at(-1)).toEqual({ officer_id: null, reason: 'territory.reason.officerDeactivated' })
    }
    const territories = await listTerritories(t.db, { scope: managerScope })
    expect(territories.find((x) => x.id === first)).toMatchObject({ officerId: null, players: 3 })
    await setUserActive(t.db, { actor: mgr }, { id: officer2, active: true })
  })

  it('deleting a territory releases its players', async () => {
    await assignTerritory(t.db, { actor: mgr, scope: managerScope }, { id: first, officerId: officer1, reason: null })
    await deleteTerritory(t.db, { actor: mgr, scope: managerScope }, { id: first })
    expect(await player('inside')).toMatchObject({ territory_id: null, assigned_officer_id: null })
  })

  it('a manager of another branch can neither see these territories nor draw in this outlet', async () => {
    const otherId = await addUser(t.db, 'mgr.b', 'manager', org.branchB.id)
    const other = scopeOf({ id: otherId, role: 'manager', orgPath: org.branchB.path })
    expect(await listTerritories(t.db, { scope: other })).toEqual([])
    await expect(
      createTerritory(t.db, { actor: { id: otherId, username: 'mgr.b', ip: null }, scope: other }, { orgUnitId: org.outletA1.id, name: '越权', geometry: squareAround(115, 34, 0.01) }),
    ).rejects.toMatchObject({ code: 'forbidden' })
    await expect(
      assignPlayers(t.db, { actor: { id: otherId, username: 'mgr.b', ip: null }, scope: other }, { playerIds: [ids.inside], officerId: null, reason: 'x' }),
    ).resolves.toEqual({ moved: 0 })
  })
})
