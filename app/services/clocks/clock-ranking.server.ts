// The ranking per outlet or officer (PRODUCT.md "Channels and clocks": a clock that runs out
// is counted): of the clocked players that came in over a period of China days, how many were
// contacted and decided within their deadlines, how many are overdue and still open, and the
// refusals with their reasons. Scoped as the dashboard.
//
// Read from the pre-counted sums (clock-sums.server.ts, decision 0260) for the whole China
// months of the period, exact at any moment: a group changed since the sums were made is
// counted straight, the clocks that fell due since are added, and the days of a period that
// do not fill a month (a daily ranking) are counted straight over the start-time index. The
// referral acceptance clock is ranked with them, by the referral's org unit and officer
// (referral-clock-counts.server.ts), in the same sums and the same snapshot.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely'
import { withoutIndex } from '../../../db/dialect.server'
import type { Database } from '../../../db/schema'
import { chinaDaysBounds, chinaMidnight } from '../../domain/china-time'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import { inScope, scoped } from '../scope.server'
import { chinaMonthOf, wholeMonthsOf } from './clock-sums.server'
import { countReferralsStraight, referralMarked, referralsDueSince, type ReferralCounts, type ReferralWhere } from './referral-clock-counts.server'

export interface RankingRow {
  id: number | null
  name: string | null
  clocks: number
  contactDue: number
  contactedOnTime: number
  decideDue: number
  decidedOnTime: number
  overdue: number
  refusals: number
  refusalsWithReason: number
  /** Clocks of these players and referrals escalated to a manager (escalate-clocks.server.ts). */
  escalated: number
  /** Referrals made in the period, due for acceptance, accepted on time, overdue and not accepted. */
  referrals: number
  acceptDue: number
  acceptedOnTime: number
  acceptOverdue: number
}

type Counts = Omit<RankingRow, 'id' | 'name'>
const MEASURES = ['clocks', 'contactDue', 'contactedOnTime', 'decideDue', 'decidedOnTime', 'overdue', 'refusals', 'refusalsWithReason', 'escalated', 'referrals', 'acceptDue', 'acceptedOnTime', 'acceptOverdue'] as const
type By = 'outlet' | 'officer'
type Where = (eb: ExpressionBuilder<Database, 'player_clocks' | 'market_players'>) => Expression<SqlBool>

export interface RankInput {
  from: string
  to: string
  by: By
  now?: Date
}

export async function rankClocks(db: Kysely<Database>, scope: Scope, input: RankInput): Promise<RankingRow[]> {
  const now = (input.now ?? new Date()).toISOString()
  const totals = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const state = await trx.selectFrom('clock_sums_state').select('as_of').where('id', '=', 1).executeTakeFirst()
      const asOf = state?.as_of ?? null
      const { from, until } = chinaDaysBounds(input.from, input.to)
      const months = wholeMonthsOf(input.from, input.to)
      // No sums yet, or a ranking as of a moment before they were made: counted straight.
      if (asOf === null || now < asOf || months.length === 0) return countAllStraight(trx, scope, input.by, now, from, until)
      const monthsFrom = chinaMidnight(`${months[0]}-01`)
      const monthsUntil = chinaMidnight(`${nextMonth(months[months.length - 1])}-01`)
      // Not through the start-time index: these parts are found through the marks or the due times.
      const started = withoutIndex(trx, 'player_clocks.started_at')
      const inMonths: Where = (eb) => eb.and([eb(started, '>=', monthsFrom), eb(started, '<', monthsUntil)])
      const referred = withoutIndex(trx, 'referrals.referred_at')
      const referredInMonths: ReferralWhere = (eb) => eb.and([eb(referred, '>=', monthsFrom), eb(referred, '<', monthsUntil)])
      // The players of the marked groups, through the officer index (or, unassigned, the org
      // unit's): the marks are read first, so the planner is handed the ids (PostgreSQL, given a
      // subquery, scanned every player to join them to the marks).
      const marks = await trx.selectFrom('clock_sums_dirty').select(['clock_sums_dirty.org_unit_id', 'clock_sums_dirty.officer_id']).where('clock_sums_dirty.month', 'in', months).execute()
      const markedOfficers = [...new Set(marks.filter((m) => m.officer_id !== 0).map((m) => m.officer_id))]
      const markedUnits = [...new Set(marks.filter((m) => m.officer_id === 0).map((m) => m.org_unit_id))]
      const none = async () => new Map<number, Counts>()
      // The days of the period outside its whole months (none for a period of whole months).
      const edges = ([[from, monthsFrom], [monthsUntil, until]] as const).filter(([a, b]) => a < b)
      const dirty = (eb: ExpressionBuilder<Database, 'player_clocks' | 'market_players'>) =>
        eb.exists(
          eb
            .selectFrom('clock_sums_dirty')
            .select('clock_sums_dirty.month')
            .where('clock_sums_dirty.month', '=', chinaMonthOf(trx, sql.ref('player_clocks.started_at')))
            .where('clock_sums_dirty.org_unit_id', '=', sql<number>`coalesce(market_players.org_unit_id, 0)`)
            .where('clock_sums_dirty.officer_id', '=', sql<number>`coalesce(market_players.assigned_officer_id, 0)`),
        )
      const parts = await Promise.all([
        // The days before and after the whole months, each a range of the start-time index
        // (SQLite scanned every clock for the two ranges or'ed, even both empty).
        ...edges.map(([a, b]) => countStraight(trx, scope, input.by, now, (eb) => eb.and([eb('player_clocks.started_at', '>=', a), eb('player_clocks.started_at', '<', b)]))),
        // The groups changed since the sums were made.
        markedOfficers.length === 0 ? none() : countStraight(trx, scope, input.by, now, (eb) => eb.and([eb('market_players.assigned_officer_id', 'in', markedOfficers), inMonths(eb), dirty(eb)])),
        markedUnits.length === 0
          ? none()
          : countStraight(trx, scope, input.by, now, (eb) => eb.and([eb('market_players.assigned_officer_id', 'is', null), eb('market_players.org_unit_id', 'in', markedUnits), inMonths(eb), dirty(eb)])),
        readSumsOnce(db, trx, asOf, scope, input.by, months),
        dueSince(trx, scope, input.by, asOf, now, (eb) => eb.and([inMonths(eb), eb.not(dirty(eb))])),
        // The referrals, the same parts: days outside the months, marked groups (a referral
        // always has an officer), and what time changed.
        ...edges.map(([a, b]) => countReferralsStraight(trx, scope, input.by, now, (eb) => eb.and([eb('referrals.referred_at', '>=', a), eb('referrals.referred_at', '<', b)])).then(withClocks)),
        markedOfficers.length === 0
          ? none()
          : countReferralsStraight(trx, scope, input.by, now, (eb) => eb.and([eb('referrals.officer_id', 'in', markedOfficers), referredInMonths(eb), referralMarked(trx, eb)])).then(withClocks),
        referralsDueSince(trx, scope, input.by, asOf, now, (eb) => eb.and([referredInMonths(eb), eb.not(referralMarked(trx, eb))])).then(withClocks),
      ])
      const out = new Map<number, Counts>()
      for (const part of parts) for (const [key, counts] of part) add(out, key, counts)
      // The sums of the marked groups, read whole above (a plain read of the months is the
      // cheapest), are taken away again: those groups were counted straight.
      if (marks.length > 0) for (const [key, counts] of await readSums(trx, scope, input.by, months, true)) add(out, key, counts, -1)
      return out
    })
  return named(db, input.by, totals)
}

/** The ranking counted straight over player_clocks and referrals: what the sums are checked against, and the baseline of the bench. */
export async function rankClocksStraight(db: Kysely<Database>, scope: Scope, input: RankInput): Promise<RankingRow[]> {
  const now = (input.now ?? new Date()).toISOString()
  const { from, until } = chinaDaysBounds(input.from, input.to)
  return named(db, input.by, await countAllStraight(db, scope, input.by, now, from, until))
}

/** The clocks started and the referrals made in [from, until), counted straight. */
async function countAllStraight(db: Db, scope: Scope, by: By, now: string, from: string, until: string): Promise<Map<number, Counts>> {
  const [clocks, referrals] = await Promise.all([
    countStraight(db, scope, by, now, (eb) => eb.and([eb('player_clocks.started_at', '>=', from), eb('player_clocks.started_at', '<', until)])),
    countReferralsStraight(db, scope, by, now, (eb) => eb.and([eb('referrals.referred_at', '>=', from), eb('referrals.referred_at', '<', until)])),
  ])
  for (const [key, counts] of withClocks(referrals)) add(clocks, key, counts)
  return clocks
}

/** The referrals' counts as ranking counts (no channel clock among them). */
function withClocks(referrals: Map<number, ReferralCounts>): Map<number, Counts> {
  return new Map([...referrals].map(([key, r]) => [key, { ...zero(), ...r }]))
}

const count = (condition: ReturnType<typeof sql>) => sql<number>`sum(case when ${condition} then 1 else 0 end)`
const keyOf = (by: By) => (by === 'outlet' ? 'market_players.org_unit_id' : 'market_players.assigned_officer_id')

/** The counts as the definitions give them, at `now`, for the clocks `where` picks. Keys: 0 for none. */
async function countStraight(db: Db, scope: Scope, by: By, now: string, where: Where): Promise<Map<number, Counts>> {
  const rows = await db
    .selectFrom('player_clocks')
    .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
    .select(sql<number | null>`${sql.ref(keyOf(by))}`.as('id'))
    .select((eb) => eb.fn.countAll<number>().as('clocks'))
    .select(count(sql`player_clocks.contact_due_at <= ${now} or player_clocks.contacted_at is not null and player_clocks.contact_due_at is not null`).as('contactDue'))
    .select(count(sql`player_clocks.contacted_at <= player_clocks.contact_due_at`).as('contactedOnTime'))
    .select(count(sql`player_clocks.decide_due_at <= ${now} or player_clocks.decided_at is not null and player_clocks.decide_due_at is not null`).as('decideDue'))
    .select(count(sql`player_clocks.decided_at <= player_clocks.decide_due_at`).as('decidedOnTime'))
    .select(count(sql`player_clocks.next_due_at < ${now}`).as('overdue'))
    .select(count(sql`player_clocks.decision = 'refused'`).as('refusals'))
    .select(count(sql`player_clocks.decision = 'refused' and player_clocks.refusal_reason is not null`).as('refusalsWithReason'))
    .select(sql<number>`sum(player_clocks.escalations)`.as('escalated'))
    .where(where)
    .where(scoped(scope))
    .groupBy(sql.ref(keyOf(by)))
    .execute()
  return new Map(rows.map((r) => [Number(r.id ?? 0), countsOf(r)]))
}

/**
 * The sums of every group are rewritten only by a rebuild, which moves `as_of`: read once per
 * `as_of`, months, scope and grouping by this app server, and kept (the largest part of a
 * read: a row per month and officer). The marked groups, read on every call, are what
 * changed since; another server's rebuild is seen through its new `as_of`.
 */
const sumsReads = new WeakMap<Kysely<Database>, Map<string, Promise<Map<number, Counts>>>>()
const SUMS_KEPT = 200

function readSumsOnce(database: Kysely<Database>, trx: Db, asOf: string, scope: Scope, by: By, months: string[]): Promise<Map<number, Counts>> {
  let sumsRead = sumsReads.get(database)
  if (!sumsRead) sumsReads.set(database, (sumsRead = new Map()))
  const key = JSON.stringify([asOf, scope, by, months])
  let read = sumsRead.get(key)
  if (!read) {
    if (sumsRead.size >= SUMS_KEPT) sumsRead.clear()
    read = readSums(trx, scope, by, months, false)
    sumsRead.set(key, read)
    // A failed read is not kept.
    read.catch(() => sumsRead!.delete(key))
  }
  return read
}

/** The sums of the whole months: of every group, or of the groups marked changed since. */
async function readSums(db: Db, scope: Scope, by: By, months: string[], marked: boolean): Promise<Map<number, Counts>> {
  const key = by === 'outlet' ? 'clock_sums.org_unit_id' : 'clock_sums.officer_id'
  // The marked groups' sums: from the marks, each found by the sums' key (not every sum
  // tested against the marks).
  const from = marked
    ? db.selectFrom('clock_sums_dirty').innerJoin('clock_sums', (join) =>
        join.onRef('clock_sums.month', '=', 'clock_sums_dirty.month').onRef('clock_sums.org_unit_id', '=', 'clock_sums_dirty.org_unit_id').onRef('clock_sums.officer_id', '=', 'clock_sums_dirty.officer_id'),
      )
    : db.selectFrom('clock_sums')
  const rows = await from
    .select(sql<number>`${sql.ref(key)}`.as('id'))
    .select((eb) => [
      eb.fn.sum<number>('clock_sums.clocks').as('clocks'),
      eb.fn.sum<number>('clock_sums.contact_due').as('contactDue'),
      eb.fn.sum<number>('clock_sums.contacted_on_time').as('contactedOnTime'),
      eb.fn.sum<number>('clock_sums.decide_due').as('decideDue'),
      eb.fn.sum<number>('clock_sums.decided_on_time').as('decidedOnTime'),
      eb.fn.sum<number>('clock_sums.overdue').as('overdue'),
      eb.fn.sum<number>('clock_sums.refusals').as('refusals'),
      eb.fn.sum<number>('clock_sums.refusals_with_reason').as('refusalsWithReason'),
      eb.fn.sum<number>('clock_sums.escalated').as('escalated'),
      eb.fn.sum<number>('clock_sums.referrals').as('referrals'),
      eb.fn.sum<number>('clock_sums.accept_due').as('acceptDue'),
      eb.fn.sum<number>('clock_sums.accepted_on_time').as('acceptedOnTime'),
      eb.fn.sum<number>('clock_sums.accept_overdue').as('acceptOverdue'),
    ])
    .where('clock_sums.month', 'in', months)
    .where(inScope(scope, { orgUnit: 'clock_sums.org_unit_id', owner: 'clock_sums.officer_id' }))
    .groupBy(sql.ref(key))
    .execute()
  return new Map(rows.map((r) => [Number(r.id), countsOf(r)]))
}

/**
 * What changed with time alone since the sums were made at `asOf`: clocks still open whose
 * contact or decision fell due in (asOf, now], and those whose next due time passed in [asOf, now).
 */
async function dueSince(db: Db, scope: Scope, by: By, asOf: string, now: string, where: Where): Promise<Map<number, Counts>> {
  // One range on one due-time index each: a planner need not combine them.
  const ranges = [
    { measure: 'contactDue', column: 'player_clocks.contact_due_at', met: 'player_clocks.contacted_at', from: '>', to: '<=' },
    { measure: 'decideDue', column: 'player_clocks.decide_due_at', met: 'player_clocks.decided_at', from: '>', to: '<=' },
    { measure: 'overdue', column: 'player_clocks.next_due_at', met: null, from: '>=', to: '<' },
  ] as const
  const out = new Map<number, Counts>()
  for (const r of ranges) {
    const rows = await db
      .selectFrom('player_clocks')
      .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
      .select(sql<number | null>`${sql.ref(keyOf(by))}`.as('id'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(r.column, r.from, asOf)
      .where(r.column, r.to, now)
      .where((eb) => (r.met === null ? eb.lit(true) : eb(r.met, 'is', null)))
      .where(where)
      .where(scoped(scope))
      .groupBy(sql.ref(keyOf(by)))
      .execute()
    for (const row of rows) add(out, Number(row.id ?? 0), { ...zero(), [r.measure]: Number(row.n) })
  }
  return out
}

function zero(): Counts {
  return { clocks: 0, contactDue: 0, contactedOnTime: 0, decideDue: 0, decidedOnTime: 0, overdue: 0, refusals: 0, refusalsWithReason: 0, escalated: 0, referrals: 0, acceptDue: 0, acceptedOnTime: 0, acceptOverdue: 0 }
}

function countsOf(r: Record<string, unknown>): Counts {
  const out = zero()
  for (const m of MEASURES) out[m] = Number(r[m] ?? 0)
  return out
}

function add(out: Map<number, Counts>, key: number, counts: Counts, sign = 1) {
  const into = out.get(key) ?? zero()
  for (const m of MEASURES) into[m] += sign * counts[m]
  out.set(key, into)
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

async function named(db: Kysely<Database>, by: By, totals: Map<number, Counts>): Promise<RankingRow[]> {
  const ids = [...totals.keys()].filter((id) => id !== 0)
  const names = new Map<number, string>()
  if (ids.length > 0) {
    const named = by === 'outlet' ? await db.selectFrom('org_units').select(['id', 'name']).where('id', 'in', ids).execute() : await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute()
    for (const n of named) names.set(n.id, n.name)
  }
  return [...totals]
    .filter(([, c]) => c.clocks > 0 || c.referrals > 0)
    .map(([id, c]) => ({ id: id === 0 ? null : id, name: id === 0 ? null : (names.get(id) ?? null), ...c }))
    .sort((a, b) => onTime(b) - onTime(a) || b.clocks + b.referrals - (a.clocks + a.referrals) || (a.id ?? 0) - (b.id ?? 0))
}

/** The share of the deadlines due that were met: contact, decision and the referrals' acceptance alike. */
function onTime(c: Counts): number {
  const due = c.contactDue + c.decideDue + c.acceptDue
  return due === 0 ? 1 : (c.contactedOnTime + c.decidedOnTime + c.acceptedOnTime) / due
}
