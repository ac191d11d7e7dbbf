// The home pages' use cases on a seeded county, on a real database (SQLite, and PostgreSQL
// when configured): every figure equal to a count of the seeded rows made here, apart from
// the services, and each in its caller's scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chinaDay, todayInChina } from '../../app/domain/china-time'
import { periodOf } from '../../app/domain/figures'
import { scopeOf } from '../../app/domain/scope'
import { findOfficerToday } from '../../app/services/home/find-officer-today.server'
import { findOfficersAtWork } from '../../app/services/home/find-officers-at-work.server'
import { readRegulatorFigures } from '../../app/services/home/read-regulator-figures.server'
import { SEEDED_COUNTY, createSeededTestDatabase, type TestDatabase } from '../support/test-db'

let t: TestDatabase

beforeAll(async () => {
  t = await createSeededTestDatabase(SEEDED_COUNTY)
})

afterAll(async () => {
  await t?.destroy()
})

async function user(username: string) {
  return t.db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.id', 'users.role', 'org_units.path as orgPath', 'users.org_unit_id as orgUnitId'])
    .where('users.username', '=', username)
    .executeTakeFirstOrThrow()
}

const callerOf = (u: Awaited<ReturnType<typeof user>>) => ({ actor: { id: u.id, username: 'x', ip: null }, scope: scopeOf(u) })

/** The China day on which the officer made most visits: a day with something done. */
async function busiestDay(officerId: number) {
  const visits = await t.db.selectFrom('visits').select('visited_at').where('officer_id', '=', officerId).execute()
  const perDay = new Map<string, number>()
  for (const v of visits) perDay.set(chinaDay(v.visited_at), (perDay.get(chinaDay(v.visited_at)) ?? 0) + 1)
  return [...perDay].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0]))[0][0]
}

/** An officer's players and visits counted in plain code over every row. */
async function countedByHand(officerId: number, day: string) {
  const players = await t.db.selectFrom('market_players').select(['id', 'last_visited_at', 'last_outcome', 'next_follow_up_on']).where('assigned_officer_id', '=', officerId).execute()
  const visits = await t.db.selectFrom('visits').select(['officer_id', 'visited_at']).execute()
  const due = (p: (typeof players)[number]) => p.next_follow_up_on !== null && p.next_follow_up_on <= day
  return {
    assigned: players.length,
    overdue: players.filter((p) => p.next_follow_up_on !== null && p.next_follow_up_on < day).length,
    dueToday: players.filter((p) => p.next_follow_up_on === day).length,
    never: players.filter((p) => p.last_visited_at === null).length,
    notVisited: players.filter((p) => p.last_visited_at === null && !due(p)).length,
    noOutcome: players.filter((p) => p.last_visited_at !== null && p.last_outcome === null && !due(p)).length,
    visitsToday: visits.filter((v) => v.officer_id === officerId && chinaDay(v.visited_at) === day).length,
  }
}

describe(`home pages (${process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite'})`, () => {
  it('an officer’s today counts their own players and visits, the plan most pressing first', async () => {
    const officer = await user('officer')
    const day = await busiestDay(officer.id)
    const today = await findOfficerToday(t.db, callerOf(officer), { today: day, planSize: 50 })
    const hand = await countedByHand(officer.id, day)
    expect(hand.visitsToday).toBeGreaterThan(0)
    expect(hand.assigned).toBeGreaterThan(0)
    expect(today).toMatchObject({ today: day, assigned: hand.assigned, overdue: hand.overdue, dueToday: hand.dueToday, notVisited: hand.notVisited, noOutcome: hand.noOutcome, visitsToday: hand.visitsToday })
    expect(today.visited.length).toBe(Math.min(5, hand.visitsToday))
    // The plan: overdue first, then due today, never visited, no outcome; all the officer's own.
    const order = ['overdue', 'due_today', 'never_visited', 'no_outcome']
    const ranks = today.plan.map((p) => order.indexOf(p.reason))
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
    expect(today.plan.length).toBe(Math.min(50, hand.overdue + hand.dueToday + hand.notVisited + hand.noOutcome))
    const owners = await t.db.selectFrom('market_players').select('assigned_officer_id').where('id', 'in', today.plan.map((p) => p.id)).execute()
    expect(new Set(owners.map((o) => o.assigned_officer_id))).toEqual(new Set([officer.id]))
  })

  it('a day with follow-ups due and overdue counts each once', async () => {
    const officer = await user('officer2')
    // The day of a follow-up the officer has set, so both groups can be met.
    const follow = await t.db.selectFrom('market_players').select('next_follow_up_on').where('assigned_officer_id', '=', officer.id).where('next_follow_up_on', 'is not', null).orderBy('next_follow_up_on', 'desc').executeTakeFirstOrThrow()
    const day = follow.next_follow_up_on!
    const hand = await countedByHand(officer.id, day)
    expect(hand.dueToday).toBeGreaterThan(0)
    const today = await findOfficerToday(t.db, callerOf(officer), { today: day })
    expect([today.overdue, today.dueToday, today.notVisited, today.noOutcome]).toEqual([hand.overdue, hand.dueToday, hand.notVisited, hand.noOutcome])
    expect(today.plan.length).toBeLessThanOrEqual(5)
  })

  it('a manager sees each of their officers with workload and today’s visits, and no one else’s', async () => {
    const manager = await user('manager')
    const officers = await t.db.selectFrom('users').select(['id', 'username']).where('role', '=', 'officer').where('active', '=', 1).where('org_unit_id', '=', manager.orgUnitId).execute()
    expect(officers.length).toBeGreaterThan(1)
    const day = await busiestDay(officers[0].id)
    const found = await findOfficersAtWork(t.db, callerOf(manager), { today: day })
    expect(found.officers.map((o) => o.id).sort((a, b) => a - b)).toEqual(officers.map((o) => o.id).sort((a, b) => a - b))
    for (const o of found.officers) {
      const hand = await countedByHand(o.id, day)
      expect({ id: o.id, players: o.players, notVisited: o.notVisited, dueToday: o.dueToday, overdue: o.overdue, visitsToday: o.visitsToday }).toEqual({
        id: o.id,
        players: hand.assigned,
        notVisited: hand.never,
        dueToday: hand.dueToday,
        overdue: hand.overdue,
        visitsToday: hand.visitsToday,
      })
    }
    expect(found.totals.visitsToday).toBe(found.officers.reduce((s, o) => s + o.visitsToday, 0))
    expect(found.totals.visitsToday).toBeGreaterThan(0)
    // hq sees every officer of the bank.
    const hq = await user('hq')
    const all = await t.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'officer').where('active', '=', 1).executeTakeFirstOrThrow()
    expect((await findOfficersAtWork(t.db, callerOf(hq), { today: day })).officers.length).toBe(Number(all.n))
  })

  it('the regulator’s two figures, for the year and month by month, equal a count of the disbursed loans', async () => {
    const today = todayInChina()
    const loans = await t.db
      .selectFrom('referrals')
      .innerJoin('market_players', 'market_players.id', 'referrals.player_id')
      .select(['referrals.player_id', 'referrals.disbursed_at', 'referrals.lender_flag', 'referrals.first_lender', 'referrals.guarantee_type', 'referrals.credit', 'market_players.org_unit_id'])
      .where('referrals.disbursed_at', 'is not', null)
      .execute()
    const expectFor = (rows: typeof loans, from: string, to: string) => {
      const inside = rows.filter((l) => chinaDay(l.disbursed_at!) >= from && chinaDay(l.disbursed_at!) <= to)
      const customers = new Set(inside.map((l) => l.player_id))
      // The loan system's flag; where it sent none, the history when referred.
      const firstLenders = new Set(inside.filter((l) => (l.lender_flag === null ? l.first_lender === 1 : Number(l.lender_flag) === 1)).map((l) => l.player_id))
      const credit = inside.filter((l) => (l.guarantee_type === null ? l.credit === 1 : l.guarantee_type === 'credit')).length
      return {
        newLoanCustomers: customers.size,
        firstLenderConversions: firstLenders.size,
        firstLenderRatio: customers.size ? firstLenders.size / customers.size : null,
        creditLoanShareByCount: inside.length ? credit / inside.length : null,
        loans: inside.length,
      }
    }
    const hq = await user('hq')
    const read = await readRegulatorFigures(t.db, callerOf(hq), { today, months: 6 })
    const year = periodOf('year', today)
    const { loans: yearLoans, ...yearFigures } = expectFor(loans, year.from, year.to)
    expect(yearLoans).toBeGreaterThan(10)
    expect(yearFigures.firstLenderConversions).toBeGreaterThan(0)
    expect(read.figures).toMatchObject(yearFigures)
    expect(read.months.map((m) => m.month)).toHaveLength(6)
    expect(read.months.at(-1)!.month).toBe(today.slice(0, 7))
    for (const m of read.months) {
      const month = periodOf('month', `${m.month}-01`)
      const { newLoanCustomers, firstLenderConversions, firstLenderRatio, creditLoanShareByCount, loans: count } = expectFor(loans, month.from, month.to)
      expect(m).toEqual({ month: m.month, newLoanCustomers, firstLenderConversions, firstLenderRatio, creditLoanShareByCount, loans: count })
    }
    expect(read.months.some((m) => m.loans > 0)).toBe(true)

    // A manager's figures hold only their outlet's loans.
    const manager = await user('manager')
    const units = new Set((await t.db.selectFrom('org_units').select(['id', 'path']).execute()).filter((u) => u.path.startsWith(manager.orgPath)).map((u) => u.id))
    const theirs = await readRegulatorFigures(t.db, callerOf(manager), { today })
    const { loans: _count, ...outletFigures } = expectFor(loans.filter((l) => units.has(l.org_unit_id)), year.from, year.to)
    expect(theirs.figures).toMatchObject(outletFigures)
    expect(theirs.figures.newLoanCustomers).toBeLessThan(yearFigures.newLoanCustomers)
  })
})
