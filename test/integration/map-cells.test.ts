// Pre-counted map cells on a real database: a rebuild counts exactly what the players say,
// cell by cell, for every zoom level, scope and counted filter; any change that moves a
// player between cells marks it stale: read for a minute after its last build (the answer
// says when it was counted), then not at all until the next rebuild; the refresher
// rebuilds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gridCellSize, PRECOUNTED_MAX_ZOOM, worldCellIndex } from '../../app/domain/map-clusters'
import { scopeOf, type Scope } from '../../app/domain/scope'
import type { PlayerFields } from '../../app/domain/market-player'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { mapFeatures } from '../../app/services/map.server'
import { mapCellsState, precountedCells, rebuildMapCells,
  rebuildStaleMapCells, startMapCellsRefresher, type CountedCell } from '../../app/services/map-cells.server'
import type { PlayerFilter } from '../../app/services/players/list-players.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { buildOrg } from '../support/fixtures'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const actor = { id: null, username: 'test', ip: null }
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
const WHOLE = { west: 113.5, south: 33, east: 115.5, north: 34.5 }

function fields(i: number, lng: number, lat: number): PlayerFields {
  return {
    uscc: null, name: `格点户${i}`, kind: 'household', legalRepresentative: null, owner: `户主${i}`,
    idNumber: null, phone: null, industry: null, industryCode: null, employees: null, revenueYuan: null, assetsYuan: null,
    registeredOn: null, registrationStatus: 'active', address: `地址${i}`, areaCode: null, lat, lng, taxGrade: null,
    loanHistory: i % 4 === 0 ? 'has_loan' : i % 4 === 1 ? 'unknown' : 'none', loanCheckedOn: null,
  }
}

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  const units = [org.outletA1.id, org.outletA2.id, org.outletB1.id]
  // 240 players on a lattice with some stacked on one spot, spread over three outlets.
  for (let i = 0; i < 240; i++) {
    const lng = i % 10 === 0 ? 114.2 : 114 + ((i * 37) % 97) / 97
    const lat = i % 10 === 0 ? 33.7 : 33.5 + ((i * 53) % 89) / 89 * 0.6
    await createPlayer(t.db, { actor: actor, pii }, { fields: fields(i, lng, lat), orgUnitId: units[i % 3] })
  }
  // A tenth of them enterprises (kind is a counted column), set directly: an enterprise
  // entered by hand would need a USCC, which this test has no use for.
  await t.db.updateTable('market_players').set({ kind: 'enterprise' }).where('id', 'in', t.db.selectFrom('market_players').select('id').where('name', 'like', '格点户%0')).execute()
})
afterAll(async () => {
  await t.destroy()
})

/** What the cells must say, worked out from the players in plain TypeScript. */
async function expectedCells(scope: Scope, filter: PlayerFilter, zoom: number): Promise<CountedCell[]> {
  let q = t.db
    .selectFrom('market_players')
    .innerJoin('org_units', 'org_units.id', 'market_players.org_unit_id')
    .select(['market_players.id', 'market_players.lng', 'market_players.lat', 'market_players.kind', 'market_players.candidate_status', 'org_units.path'])
  if (scope.kind === 'org') q = q.where('org_units.path', 'like', `${scope.orgPath}%`)
  const players = await q.execute()
  const size = gridCellSize(zoom)
  const cells = new Map<string, CountedCell & { sumLng: number; sumLat: number }>()
  for (const p of players) {
    if (filter.kind && p.kind !== filter.kind) continue
    if (filter.candidate && p.candidate_status !== filter.candidate) continue
    const { x, y } = worldCellIndex(p.lng!, p.lat!, size)
    const cell = cells.get(`${x}:${y}`) ?? { x, y, n: 0, lng: 0, lat: 0, sampleId: Infinity, sumLng: 0, sumLat: 0 }
    cell.n++
    cell.sumLng += p.lng!
    cell.sumLat += p.lat!
    cell.sampleId = Math.min(cell.sampleId, p.id)
    cells.set(`${x}:${y}`, cell)
  }
  return [...cells.values()].map(({ sumLng, sumLat, ...c }) => ({ ...c, lng: sumLng / c.n, lat: sumLat / c.n }))
}

const byPosition = (cells: CountedCell[]) => [...cells].sort((a, b) => a.x - b.x || a.y - b.y)

describe('pre-counted map cells', () => {
  it('are not read before the first build: the map counts live', async () => {
    expect(await mapCellsState(t.db)).toMatchObject({ state: 'stale' })
    expect(await precountedCells(t.db, { kind: 'all' }, {}, { bbox: WHOLE, zoom: 7 })).toBeNull()
  })

  it('count every cell exactly as the players say, at every level, scope and counted filter', async () => {
    const { cells } = await rebuildMapCells(t.db)
    expect(cells).toBeGreaterThan(0)
    expect(await mapCellsState(t.db)).toMatchObject({ state: 'ready', cells })
    const scopes: Scope[] = [{ kind: 'all' }, scopeOf({ id: 0, role: 'manager', orgPath: org.branchA.path }), scopeOf({ id: 0, role: 'manager', orgPath: org.outletB1.path })]
    const filters: PlayerFilter[] = [{}, { kind: 'household' }, { candidate: 'candidate' }, { kind: 'enterprise', candidate: 'to_verify' }]
    for (let zoom = 0; zoom <= PRECOUNTED_MAX_ZOOM; zoom++) {
      for (const scope of scopes) {
        for (const filter of filters) {
          const got = await precountedCells(t.db, scope, filter, { bbox: WHOLE, zoom })
          const want = await expectedCells(scope, filter, zoom)
          const label = `zoom ${zoom}, ${JSON.stringify(scope)}, ${JSON.stringify(filter)}`
          expect(got, label).not.toBeNull()
          const sorted = byPosition(got!.cells)
          expect(sorted.map(({ x, y, n, sampleId }) => ({ x, y, n, sampleId })), label).toEqual(byPosition(want).map(({ x, y, n, sampleId }) => ({ x, y, n, sampleId })))
          byPosition(want).forEach((cell, i) => {
            expect(sorted[i].lng).toBeCloseTo(cell.lng, 9)
            expect(sorted[i].lat).toBeCloseTo(cell.lat, 9)
          })
        }
      }
    }
    // The filters do narrow: a tenth are enterprises.
    const enterprises = await precountedCells(t.db, { kind: 'all' }, { kind: 'enterprise' }, { bbox: WHOLE, zoom: 0 })
    expect(enterprises!.cells.reduce((sum, c) => sum + c.n, 0)).toBe(24)
  })

  it('answer only what they can: close zooms, an officer’s own players and other filters are counted live', async () => {
    const officer = scopeOf({ id: 1, role: 'officer', orgPath: org.outletA1.path })
    expect(await precountedCells(t.db, { kind: 'all' }, {}, { bbox: WHOLE, zoom: PRECOUNTED_MAX_ZOOM + 1 })).toBeNull()
    expect(await precountedCells(t.db, officer, {}, { bbox: WHOLE, zoom: 7 })).toBeNull()
    expect(await precountedCells(t.db, { kind: 'all' }, { loanHistory: 'none' }, { bbox: WHOLE, zoom: 7 })).toBeNull()
    expect(await precountedCells(t.db, { kind: 'all' }, { q: '格点' }, { bbox: WHOLE, zoom: 7 })).toBeNull()
  })

  it('the map answers from them the same counts it counts live', async () => {
    const counted = await mapFeatures(t.db, pii, { kind: 'all' }, {}, { bbox: WHOLE, zoom: 3, colourBy: 'candidate' })
    const total = (features: typeof counted.features) => features.reduce((sum, f) => sum + (f.properties.cluster ? f.properties.count : 1), 0)
    expect(total(counted.features)).toBe(240)
    // loanHistory is not a counted column: the same view, counted live, for comparison.
    const live = await mapFeatures(t.db, pii, { kind: 'all' }, { loanHistory: 'none' }, { bbox: WHOLE, zoom: 3, colourBy: 'candidate' })
    const none = await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('loan_history', '=', 'none').executeTakeFirstOrThrow()
    expect(total(live.features)).toBe(Number(none.n))
  })

  it('go stale when a player moves, changes status or org unit, or is added, and not on other edits', async () => {
    // The first player: an enterprise with a loan (not a candidate), in outlet A1, not visited.
    const one = await t.db.selectFrom('market_players').select(['id', 'kind', 'candidate_status']).orderBy('id').executeTakeFirstOrThrow()
    expect(one).toMatchObject({ kind: 'enterprise', candidate_status: 'not_candidate' })
    const state = async () => (await mapCellsState(t.db))!.state
    await t.db.updateTable('market_players').set({ name: '改了名字' }).where('id', '=', one.id).execute()
    expect(await state()).toBe('ready')
    const changes = [
      { lat: 34.1 },
      { org_unit_id: org.outletB1.id },
      { campaign_status: 'visited' },
      { candidate_status: 'to_verify' },
      { kind: 'household' as const },
    ]
    for (const change of changes) {
      await rebuildMapCells(t.db)
      expect(await state()).toBe('ready')
      await t.db.updateTable('market_players').set(change).where('id', '=', one.id).execute()
      expect(await state(), JSON.stringify(change)).toBe('stale')
      // Read for a minute after the build, with its time; then not at all.
      const built = (await mapCellsState(t.db))!.builtAt!
      const young = await precountedCells(t.db, { kind: 'all' }, {}, { bbox: WHOLE, zoom: 7 })
      expect(young?.countedAt).toBe(built)
      const later = Date.parse(built) + 61_000
      expect(await precountedCells(t.db, { kind: 'all' }, {}, { bbox: WHOLE, zoom: 7 }, { now: later })).toBeNull()
    }
    await rebuildMapCells(t.db)
    await createPlayer(t.db, { actor: actor, pii }, { fields: fields(999, 114.5, 33.9), orgUnitId: org.outletA1.id })
    expect(await state()).toBe('stale')
    // Live, the new player is there at once.
    const live = await mapFeatures(t.db, pii, { kind: 'all' }, {}, { bbox: { west: 114.4995, south: 33.8995, east: 114.5005, north: 33.9005 }, zoom: 16, colourBy: 'candidate' })
    expect(live.features.some((f) => !f.properties.cluster && f.properties.name === '格点户999')).toBe(true)
  })

  it('are rebuilt in the background once stale', async () => {
    expect((await mapCellsState(t.db))!.state).toBe('stale')
    const refresher = startMapCellsRefresher(t.db, { intervalMs: 20 })
    try {
      await expect.poll(async () => (await mapCellsState(t.db))!.state, { timeout: 60_000, interval: 25 }).toBe('ready')
      const all = await precountedCells(t.db, { kind: 'all' }, {}, { bbox: WHOLE, zoom: 0 })
      expect(all!.cells.reduce((sum, c) => sum + c.n, 0)).toBe(241)
    } finally {
      await refresher.stop()
    }
  })
  describe('rebuilt in generations', () => {
    const total = async () => (await precountedCells(t.db, { kind: 'all' }, {}, { bbox: WHOLE, zoom: 0 }))!.cells.reduce((sum, c) => sum + c.n, 0)
    const generations = async () => (await t.db.selectFrom('map_cells').select('generation').distinct().execute()).map((g) => g.generation)
    const players = async () => Number((await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

    it('are read whole, the old generation, while a rebuild writes the new one; then only the new one is left', async () => {
      await rebuildMapCells(t.db)
      const [before] = await generations()
      await createPlayer(t.db, { actor: actor, pii }, { fields: fields(1000, 114.6, 33.8), orgUnitId: org.outletA2.id })
      const n = await players()
      let done = false
      const rebuilding = rebuildMapCells(t.db).finally(() => (done = true))
      const seen: number[] = []
      // Reading as fast as it can, yet letting timers run: the rebuild rests between batches.
      while (!done) {
        seen.push(await total())
        await new Promise((resolve) => setImmediate(resolve))
      }
      await rebuilding
      // Each read saw one build whole: the one before the new player, or the one after.
      expect(seen.length).toBeGreaterThan(0)
      for (const value of seen) expect([n - 1, n]).toContain(value)
      expect(await total()).toBe(n)
      const after = await generations()
      expect(after).toHaveLength(1)
      expect(after[0]).toBeGreaterThan(before)
    })

    it('leave an interrupted rebuild’s cells unread, and the next rebuild removes them', async () => {
      const n = await players()
      // A rebuild that took its number and wrote part of its cells, then stopped.
      const state = await t.db.updateTable('map_cells_state').set((eb) => ({ next_generation: eb('next_generation', '+', 1) })).returning('next_generation').executeTakeFirstOrThrow()
      const orphan = state.next_generation - 1
      await t.db
        .insertInto('map_cells')
        .values({ level: 0, x: 0, y: 0, org_unit_id: org.outletA1.id, kind: 'household', candidate_status: 'candidate', campaign_status: 'unvisited', players: 1_000, sum_lng: 0, sum_lat: 0, min_id: 1, generation: orphan })
        .execute()
      expect(await total()).toBe(n)
      await rebuildMapCells(t.db)
      expect(await generations()).not.toContain(orphan)
      expect(await total()).toBe(n)
    })

    it('run twice at once, leave one generation that counts every player once', async () => {
      const n = await players()
      const results = await Promise.all([rebuildMapCells(t.db), rebuildMapCells(t.db)])
      expect(results.map((r) => r.cells)).toEqual([results[0].cells, results[0].cells])
      expect(await generations()).toHaveLength(1)
      expect(await total()).toBe(n)
      expect((await mapCellsState(t.db))!.cells).toBe(results[0].cells)
    })

    it('as the refreshers of several app servers seeing the cells stale at once: exactly one rebuilds', async () => {
      await t.db.updateTable('map_cells_state').set({ state: 'stale' }).where('id', '=', 1).execute()
      const before = (await t.db.selectFrom('map_cells_state').select('next_generation').executeTakeFirstOrThrow()).next_generation
      const results = await Promise.all([rebuildStaleMapCells(t.db), rebuildStaleMapCells(t.db), rebuildStaleMapCells(t.db)])
      expect(results.filter((r) => r !== null)).toHaveLength(1)
      expect((await t.db.selectFrom('map_cells_state').select('next_generation').executeTakeFirstOrThrow()).next_generation).toBe(before + 1)
      expect((await mapCellsState(t.db))!.state).toBe('ready')
      // Nothing stale: nothing to do.
      expect(await rebuildStaleMapCells(t.db)).toBeNull()
    })
  })
})
