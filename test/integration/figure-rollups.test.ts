// The pre-counted figures (services/figure-rollups/) against the figures counted
// straight from the tables (figures.server.ts, itself tested against the reference), on a
// seeded county: every scope kind and calendar period equal; equal again while writes from
// every table the figures read are still queued, and after they are drained; and after
// concurrent writers and drains, the sums are what a rebuild from nothing makes.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { periodOf, previousPeriod, type Period } from '../../app/domain/figures'
import { todayInChina } from '../../app/domain/china-time'
import { drainFigureQueue, rebuildFigureRollups } from '../../app/services/figure-rollups/drain.server'
import { figuresOfParts, figuresOfSums, readFigures, readFiguresOverTime, readLoanTrend } from '../../app/services/figure-rollups/read-figures.server'
import type { Dimension } from '../../app/services/figure-rollups/scope-of-sums.server'
import { computeFiguresInSql, loanTrendInSql, type FigureScope } from '../../app/services/figures.server'
import { SEEDED_COUNTY, createSeededTestDatabase, testDialect, type TestDatabase } from '../support/test-db'

let t: TestDatabase
let scopes: [string, FigureScope][]
const today = todayInChina()
const periods: [string, Period][] = [
  ['the year', periodOf('year', today)],
  ['the quarter', periodOf('quarter', today)],
  ['the month', periodOf('month', today)],
  ['last month', periodOf('month', new Date(Date.parse(`${periodOf('month', today).from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10))],
]

beforeAll(async () => {
  // The county shared by the files that read one, seeded once per run (test-db.ts): the
  // project's 300 s hook guard covers waiting for another file's seed.
  t = await createSeededTestDatabase(SEEDED_COUNTY)
  const branch = await t.db.selectFrom('org_units').select('path').where('kind', '=', 'branch').orderBy('id').executeTakeFirstOrThrow()
  const outlet = await t.db.selectFrom('org_units').select('path').where('kind', '=', 'outlet').orderBy('id', 'desc').executeTakeFirstOrThrow()
  const officer = await t.db
    .selectFrom('market_players')
    .innerJoin('users', 'users.id', 'market_players.assigned_officer_id')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.id', 'org_units.path'])
    .groupBy(['users.id', 'org_units.path'])
    .orderBy(sql`count(*)`, 'desc')
    .executeTakeFirstOrThrow()
  const township = await t.db.selectFrom('market_players').select('township_code').where('township_code', 'is not', null).groupBy('township_code').orderBy(sql`count(*)`, 'desc').executeTakeFirstOrThrow()
  scopes = [
    ['the bank', { scopes: [{ kind: 'all' }] }],
    ['a branch', { scopes: [{ kind: 'all' }, { kind: 'org', orgPath: branch.path }] }],
    ['an outlet', { scopes: [{ kind: 'org', orgPath: outlet.path }] }],
    ['an officer', { scopes: [{ kind: 'org', orgPath: officer.path }, { kind: 'own', userId: officer.id, orgPath: officer.path }] }],
    ['a township', { scopes: [{ kind: 'all' }], township: township.township_code! }],
  ]
})

afterAll(async () => {
  await t?.destroy()
})

const queued = async () => Number((await t.db.selectFrom('figures_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

/**
 * Every scope and period: the sums read equal to the straight count; and the dashboard's one
 * read of a year or a quarter, the period before it and its months or weeks equal to each
 * counted alone, the parts of its split by org unit together equal to the whole.
 */
async function expectEqualEverywhere() {
  for (const [, scope] of scopes) {
    for (const [, period] of periods) {
      const now = new Date()
      expect(await readFigures(t.db, scope, period, now)).toEqual(await computeFiguresInSql(t.db, scope, period, now))
    }
    // The last: this month against the first day of the last, no period the sums hold (counted straight).
    const lastMonth = previousPeriod(periods[2][1])
    for (const [period, step, comparedWith] of [[periods[0][1], 'month'], [periods[1][1], 'month'], [periods[1][1], 'week'], [periods[2][1], 'week', { from: lastMonth.from, to: lastMonth.from }]] as const) {
      const now = new Date()
      const before = comparedWith ?? previousPeriod(period)
      const split = { by: 'org_unit_id' as const, options: { leads: true, deadlines: true } }
      const read = await readFiguresOverTime(t.db, scope, period, before, step, [split], now)
      expect({ current: read.current, previous: read.previous, trend: read.trend }).toEqual({
        current: await computeFiguresInSql(t.db, scope, period, now),
        previous: await computeFiguresInSql(t.db, scope, before, now),
        trend: await loanTrendInSql(t.db, scope, period, step),
      })
      // The parts of the split together are the scope.
      expect(figuresOfParts([...read.splits![0].values()], period)).toEqual(read.current)
    }
  }
}

/** The sums as rows, all-zero rows (left by players who moved away) left out. */
async function sums() {
  const rollup = await t.db.selectFrom('figure_rollup').selectAll().execute()
  const leads = await t.db.selectFrom('figure_leads').selectAll().where('loans', '<>', 0).execute()
  const key = (r: { period_key: string; org_unit_id: number; officer_id: number; township_code: string }) => `${r.period_key}|${r.org_unit_id}|${r.officer_id}|${r.township_code}`
  return {
    rollup: rollup
      .filter((r) => Object.entries(r).some(([k, v]) => !['period_key', 'org_unit_id', 'officer_id', 'township_code'].includes(k) && Number(v) !== 0))
      .map((r) => ({ ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && k !== 'period_key' && k !== 'township_code' ? Number(v) : v])) }))
      .sort((a, b) => key(a as never).localeCompare(key(b as never))),
    leads: leads.map((l) => ({ ...l, loans: Number(l.loans) })).sort((a, b) => `${key(a)}|${a.kind}|${a.tenths}`.localeCompare(`${key(b)}|${b.kind}|${b.tenths}`)),
  }
}

describe(`pre-counted figures equal the straight count (${process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite'})`, () => {
  it('for the bank, a branch, an outlet, an officer and a township, each calendar period, once seeded', async () => {
    expect(await queued()).toBe(0)
    const year = await readFigures(t.db, scopes[0][1], periods[0][1])
    // Enough of everything for equality to mean something.
    expect(year.listed).toBe(3000)
    expect(year.firstLenderConversions).toBeGreaterThan(5)
    expect(year.leadTimeReferralToDisbursementDays.median).not.toBeNull()
    await expectEqualEverywhere()
  })

  it('split by outlet, by officer and by township (the league and the map), each part equal to its own straight count', async () => {
    const year = periods[0][1]
    const now = new Date()
    // As the dashboard reads them: beside the figures of the period and the one before.
    const splitOf = async (scope: FigureScope, period: Period, by: Dimension, options: { leads: boolean; deadlines: boolean }, at: Date) =>
      (await readFiguresOverTime(t.db, scope, period, previousPeriod(period), 'month', [{ by, options }], at)).splits![0]
    const outlets = await t.db.selectFrom('org_units').select(['id', 'path']).where('kind', '=', 'outlet').execute()
    // Lists read from the seed: an empty one would let the loops below assert nothing.
    expect(outlets.length).toBeGreaterThan(1)
    const byOutlet = await splitOf(scopes[0][1], year, 'org_unit_id', { leads: true, deadlines: true }, now)
    for (const o of outlets) expect(figuresOfSums(byOutlet.get(String(o.id))!, year)).toEqual(await computeFiguresInSql(t.db, { scopes: [{ kind: 'org', orgPath: o.path }] }, year, now))
    const officers = await t.db.selectFrom('users').innerJoin('org_units', 'org_units.id', 'users.org_unit_id').select(['users.id', 'org_units.path']).where('role', '=', 'officer').limit(8).execute()
    expect(officers).toHaveLength(8)
    const byOfficer = await splitOf(scopes[0][1], periods[2][1], 'officer_id', { leads: true, deadlines: true }, now)
    for (const o of officers) {
      const expected = await computeFiguresInSql(t.db, { scopes: [{ kind: 'own', userId: o.id, orgPath: o.path }] }, periods[2][1], now)
      expect(byOfficer.has(String(o.id)) ? figuresOfSums(byOfficer.get(String(o.id))!, periods[2][1]) : null).toEqual(expected.listed ? expected : null)
    }
    const byTownship = await splitOf(scopes[0][1], year, 'township_code', { leads: true, deadlines: true }, now)
    const townships = [...byTownship.keys()].filter((k) => k !== '')
    expect(townships.length).toBeGreaterThan(3)
    for (const code of townships.slice(0, 6)) expect(figuresOfSums(byTownship.get(code)!, year)).toEqual(await computeFiguresInSql(t.db, { scopes: [{ kind: 'all' }], township: code }, year, now))
  })

  it('the loan trend month by month', async () => {
    for (const [, scope] of scopes) expect(await readLoanTrend(t.db, scope, periods[0][1], 'month')).toEqual(await loanTrendInSql(t.db, scope, periods[0][1], 'month'))
  })

  it('while writes to players, visits, referrals and stage reports are queued, and once drained', async () => {
    const players = await t.db.selectFrom('market_players').select(['id', 'assigned_officer_id', 'org_unit_id', 'township_code']).orderBy('id').execute()
    const officers = await t.db.selectFrom('users').select(['id', 'org_unit_id']).where('role', '=', 'officer').orderBy('id').execute()
    const visit = await t.db.selectFrom('visits').selectAll().orderBy('visited_at', 'desc').executeTakeFirstOrThrow()
    const open = await t.db.selectFrom('referrals').selectAll().where('stage', '=', 'accepted').orderBy('id').executeTakeFirstOrThrow()
    const disbursed = await t.db.selectFrom('referrals').selectAll().where('stage', '=', 'disbursed').orderBy('id').executeTakeFirstOrThrow()
    const stamp = new Date().toISOString()
    const yesterday = new Date(Date.now() - 86_400_000).toISOString()

    // A player moves to another officer at another outlet, and into another township.
    const mover = players.find((p) => p.assigned_officer_id !== null)!
    const elsewhere = officers.find((o) => o.org_unit_id !== mover.org_unit_id)!
    const township = players.find((p) => p.township_code && p.township_code !== mover.township_code)!.township_code
    await t.db.updateTable('market_players').set({ assigned_officer_id: elsewhere.id, org_unit_id: elsewhere.org_unit_id, township_code: township }).where('id', '=', mover.id).execute()
    // Others lose their officer, change their verdict, become candidates.
    await t.db.updateTable('market_players').set({ assigned_officer_id: null }).where('id', 'in', players.slice(10, 20).map((p) => p.id)).execute()
    await t.db.updateTable('market_players').set({ qualification: 'refused' }).where('qualification', '=', 'qualifies').where('id', '<', 400).execute()
    await t.db.updateTable('market_players').set({ candidate_status: 'candidate' }).where('id', 'in', players.slice(30, 60).map((p) => p.id)).execute()
    // A new visit with a need today for a player, an older visit's need undone.
    await t.db.insertInto('visits').values({ ...visit, id: 'rollup-test-visit', player_id: players[100].id, visited_at: stamp, recorded_at: stamp, updated_at: stamp, has_need: 1 }).execute()
    await t.db.updateTable('visits').set({ has_need: 0 }).where('id', '=', visit.id).execute()
    // A visit judged again (a far check-in not accepted): coverage drops for its player, by
    // the trigger migration 0023 put on `valid`.
    const judged = await t.db.selectFrom('visits').select(['id', 'player_id']).where('player_id', 'not in', t.db.selectFrom('figures_queue').select('player_id')).orderBy('visited_at', 'desc').executeTakeFirstOrThrow()
    await t.db.updateTable('visits').set({ valid: 0, invalid_reasons: '["far"]' }).where('id', '=', judged.id).execute()
    expect(await t.db.selectFrom('figures_queue').select('player_id').where('player_id', '=', judged.player_id).executeTakeFirst()).toBeDefined()
    // An open referral approved, then withdrawn; a disbursed one's amount corrected.
    await t.db.insertInto('referral_events').values({ referral_id: open.id, stage: 'approved', at: yesterday, reason: null, external_ref: null, received_at: stamp }).execute()
    await t.db.insertInto('referral_events').values({ referral_id: open.id, stage: 'withdrawn', at: stamp, reason: null, external_ref: null, received_at: stamp }).execute()
    await t.db.updateTable('referrals').set({ stage: 'withdrawn', stage_at: stamp }).where('id', '=', open.id).execute()
    await t.db.updateTable('referrals').set({ amount_yuan: Number(disbursed.amount_yuan) + 12_345, credit: 1 - disbursed.credit }).where('id', '=', disbursed.id).execute()
    // Another disbursement's report corrected: the flag turned, what was lent, the guarantee
    // type (migration 0016's columns, which its triggers watch); a player's kind (the
    // enterprise count reads it).
    // One whose player the changes above did not queue already (which referrals the seed
    // has disbursed by now depends on the clock).
    const reported = await t.db.selectFrom('referrals').selectAll().where('stage', '=', 'disbursed').where('player_id', 'not in', t.db.selectFrom('figures_queue').select('player_id')).orderBy('id', 'desc').executeTakeFirstOrThrow()
    const isQueued = async (playerId: number) => (await t.db.selectFrom('figures_queue').select('player_id').where('player_id', '=', playerId).executeTakeFirst()) !== undefined
    expect(await isQueued(reported.player_id)).toBe(false)
    await t.db
      .updateTable('referrals')
      .set({ lender_flag: reported.lender_flag === 1 ? 0 : 1, lent_yuan: Number(reported.amount_yuan) - 1_000, guarantee_type: reported.guarantee_type === 'credit' ? 'mixed' : 'credit' })
      .where('id', '=', reported.id)
      .execute()
    expect(await isQueued(reported.player_id)).toBe(true)
    const kindChanged = (await t.db.selectFrom('market_players').select('id').where('id', 'not in', t.db.selectFrom('figures_queue').select('player_id')).orderBy('id', 'desc').executeTakeFirstOrThrow()).id
    expect(await isQueued(kindChanged)).toBe(false)
    await t.db.updateTable('market_players').set({ kind: sql<'enterprise'>`case when kind = 'enterprise' then 'household' else 'enterprise' end` }).where('id', '=', kindChanged).execute()
    expect(await isQueued(kindChanged)).toBe(true)
    // A new referral, disbursed today for a first lender.
    const { id: _id, ...copy } = disbursed
    await t.db.insertInto('referrals').values({ ...copy, player_id: players[200].id, referred_at: yesterday, accepted_at: yesterday, disbursed_at: stamp, first_lender: 1, accept_due_at: new Date(Date.now() + 2 * 86_400_000).toISOString() }).execute()

    expect(await queued()).toBeGreaterThan(50)
    await expectEqualEverywhere()
    // Half drained: some players counted anew, some still queued.
    await drainFigureQueue(t.db, { batch: 20, stopping: (() => { let batches = 0; return () => ++batches > 2 })() })
    expect(await queued()).toBeGreaterThan(0)
    await expectEqualEverywhere()
    await drainFigureQueue(t.db)
    expect(await queued()).toBe(0)
    await expectEqualEverywhere()
  })

  it('after concurrent writers and drains, the sums are what a rebuild from nothing makes', async () => {
    const players = (await t.db.selectFrom('market_players').select('id').orderBy('id').execute()).map((p) => p.id)
    const officers = (await t.db.selectFrom('users').select(['id', 'org_unit_id']).where('role', '=', 'officer').execute())
    const visits = (await t.db.selectFrom('visits').select(['id', 'has_need']).orderBy('id').limit(400).execute())
    const writer = async (w: number) => {
      for (let i = 0; i < 40; i++) {
        const player = players[(w * 97 + i * 31) % players.length]
        const officer = officers[(w + i) % officers.length]
        await t.db.transaction().execute(async (trx) => {
          await trx.updateTable('market_players').set({ assigned_officer_id: officer.id, org_unit_id: officer.org_unit_id }).where('id', '=', player).execute()
          const v = visits[(w * 13 + i) % visits.length]
          await trx.updateTable('visits').set({ has_need: (v.has_need + i) % 2 }).where('id', '=', v.id).execute()
        })
      }
    }
    let writing = true
    const drainer = async () => {
      while (writing) await drainFigureQueue(t.db, { batch: 7 })
    }
    const drains = [drainer(), drainer()]
    await Promise.all([0, 1, 2, 3].map(writer))
    writing = false
    await Promise.all(drains)
    await drainFigureQueue(t.db)
    await expectEqualEverywhere()
    const kept = await sums()
    expect(kept.rollup.length).toBeGreaterThan(100)
    await rebuildFigureRollups(t.db)
    expect(await sums()).toEqual(kept)
  })

  // SQLite's one write lock keeps a drain out of a write's transaction; PostgreSQL runs them side
  // by side (decision 0881).
  if (testDialect() === 'postgres') {
    it('a write under way to a queued player is counted: no drain takes the player before the write commits (postgres)', async () => {
      await drainFigureQueue(t.db)
      const year = periods[0][1]
      const visit = await t.db.selectFrom('visits').select(['id', 'player_id', 'has_need']).where('valid', '=', 1).where('visited_at', '>=', year.from).orderBy('id').executeTakeFirstOrThrow()
      // Queued by an earlier write not yet drained.
      await t.db.insertInto('figures_queue').values({ player_id: visit.player_id! }).execute()
      let wrote!: () => void
      const written = new Promise<void>((resolve) => (wrote = resolve))
      let commit!: () => void
      const committing = new Promise<void>((resolve) => (commit = resolve))
      // A write to the queued player, left open: its need changes.
      const writing = t.db.transaction().execute(async (trx) => {
        await trx.updateTable('visits').set({ has_need: 1 - visit.has_need }).where('id', '=', visit.id).execute()
        wrote()
        await committing
      })
      await written
      let drained = false
      const draining = drainFigureQueue(t.db, { batch: 50 }).then((n) => ((drained = true), n))
      const waitingForLock = async () =>
        Number((await sql<{ n: string }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db)).rows[0].n)
      // The drain has ended (taking the player from before the write was the fault) or waits for a lock.
      await expect.poll(async () => drained || (await waitingForLock()) > 0).toBe(true)
      commit()
      await writing
      await draining
      await drainFigureQueue(t.db)
      const now = new Date()
      expect(await readFigures(t.db, scopes[0][1], year, now)).toEqual(await computeFiguresInSql(t.db, scopes[0][1], year, now))
    })
  }
})
