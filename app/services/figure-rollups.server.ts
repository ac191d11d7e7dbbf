// The pre-counted figures (see db/migrations/0008 and domain/figure-facts.ts): kept by a
// drain of the players the triggers queue, read by summing the groups in scope. Exact at any
// moment: a read takes, in one snapshot, the sums, and for the players still queued takes
// away what they counted for and adds what they count for now. A period the sums do not
// hold (a range that is not a calendar month, quarter or year) or a territory is counted
// straight (figures.server.ts), as is everything this file is tested against.
import { sql, type Kysely } from 'kysely'
import { upsertAdding } from '../../db/dialect.server'
import type { Database } from '../../db/schema'
import {
  contributions,
  emptyTotals,
  figuresFromTotals,
  loanFiguresOf,
  periodKeyOf,
  playerMonths,
  TOTALS,
  hourKey,
  type Contribution,
  type LeadHistogram,
  type LeadQuantiles,
  type PlayerMonths,
  type PlayerState,
  type Totals,
} from '../domain/figure-facts'
import { acceptanceOf, loanOf, trendBuckets, type7Ranks, type7Tenths, type Figures, type Period, type TrendStep } from '../domain/figures'
import type { GuaranteeType } from '../domain/first-lender'
import { logger } from '../server/logger.server'
import type { Db } from './audit.server'
import { startBackgroundLoop, type BackgroundLoop } from './background-loop.server'
import { approvedAt, computeFiguresInSql, firstReportAt, loanTrendInSql, periodBounds, type FigureScope } from './figures.server'
import { orgUnitIdsOf } from './scope.server'

const BATCH = 2_000

interface Group {
  orgUnitId: number
  officerId: number
  township: string
}

/**
 * The lead-time rows: per tenth of a day (`visit`, `referral`) and per whole day
 * (`visit_day`, `referral_day`, with the day in `tenths`). A quantile is found in the days
 * (a year is a few hundred rows) and then in the ten tenths of the day it falls in.
 */
type LeadKind = 'visit' | 'referral' | 'visit_day' | 'referral_day'
const DAYS_OF = { visit: 'visit_day', referral: 'referral_day' } as const

/** Each org unit's total (officer 0, township `*`): what a read of units, not of officers or townships, reads. */
const unitTotal = (orgUnitId: number): Group => ({ orgUnitId, officerId: 0, township: '*' })

/**
 * Besides each group's own sums, the whole bank's, kept under org unit 0 (no org unit has
 * that id): in total (township `*`), and by township. A read of the whole bank, or of it by
 * township (the map), reads those few rows instead of every group's.
 */
const BANK: Group = { orgUnitId: 0, officerId: 0, township: '*' }
const bankInTownship = (township: string): Group => ({ orgUnitId: 0, officerId: 0, township })

interface Counted extends Group, PlayerState {
  months: PlayerMonths
}

const column = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const n = (v: unknown) => Number(v ?? 0)

function byPlayer<T extends { player_id: number }>(rows: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>()
  for (const row of rows) {
    const list = out.get(row.player_id)
    if (list) list.push(row)
    else out.set(row.player_id, [row])
  }
  return out
}

/** The players as they count now: their group, their state and their facts by month. */
async function countNow(db: Db, ids: readonly number[]): Promise<Map<number, Counted>> {
  const out = new Map<number, Counted>()
  if (ids.length === 0) return out
  const [players, visits, referrals] = await Promise.all([
    db
      .selectFrom('market_players')
      .select(['id', 'kind', 'org_unit_id', 'assigned_officer_id', 'township_code', 'candidate_status', 'qualification'])
      .where('id', 'in', ids)
      .execute(),
    db.selectFrom('visits').select(['player_id', 'visited_at', 'recorded_at', 'has_need', 'valid']).where('player_id', 'in', ids).execute(),
    db
      .selectFrom('referrals')
      .select([
        'player_id',
        'referred_at',
        'accepted_at',
        'disbursed_at',
        'accept_due_at',
        'first_lender',
        'credit',
        'amount_yuan',
        'lent_yuan',
        'guarantee_type',
        'lender_flag',
        approvedAt.as('approved_at'),
        firstReportAt(['withdrawn']).as('withdrawn_at'),
      ])
      .where('player_id', 'in', ids)
      .execute(),
  ])
  const visitsOf = byPlayer(visits)
  const referralsOf = byPlayer(referrals)
  for (const p of players) {
    out.set(p.id, {
      orgUnitId: p.org_unit_id,
      officerId: p.assigned_officer_id ?? 0,
      township: p.township_code ?? '',
      assigned: p.assigned_officer_id !== null,
      candidate: p.candidate_status === 'candidate',
      qualifies: p.qualification === 'qualifies',
      months: playerMonths(
        (visitsOf.get(p.id) ?? []).map((v) => ({ at: v.visited_at, recordedAt: v.recorded_at, hasNeed: v.has_need === 1, valid: v.valid === 1 })),
        (referralsOf.get(p.id) ?? []).map((r) => ({
          referredAt: r.referred_at,
          acceptedAt: r.accepted_at,
          approvedAt: r.approved_at,
          disbursedAt: r.disbursed_at,
          acceptDueAt: r.accept_due_at,
          withdrawnAt: r.withdrawn_at,
          loan: loanOf({
            playerId: p.id,
            enterprise: p.kind === 'enterprise',
            firstLender: r.first_lender === 1,
            credit: r.credit === 1,
            amountYuan: Number(r.amount_yuan),
            lenderFlag: r.lender_flag === null ? null : Number(r.lender_flag) === 1,
            guaranteeType: r.guarantee_type as GuaranteeType | null,
            lentYuan: r.lent_yuan === null ? null : Number(r.lent_yuan),
          }),
        })),
      ),
    })
  }
  return out
}

/** The players as they were last counted (what the sums hold for them). */
async function countedBefore(db: Db, ids: readonly number[]): Promise<Map<number, Counted>> {
  const out = new Map<number, Counted>()
  if (ids.length === 0) return out
  const rows = await db.selectFrom('figure_players').selectAll().where('player_id', 'in', ids).execute()
  for (const r of rows) {
    out.set(r.player_id, {
      orgUnitId: r.org_unit_id,
      officerId: r.officer_id,
      township: r.township_code,
      assigned: r.assigned === 1,
      candidate: r.candidate === 1,
      qualifies: r.qualifies === 1,
      months: JSON.parse(r.months) as PlayerMonths,
    })
  }
  return out
}

/** Sums keyed by period and group, and lead counts keyed by period, group, kind and tenth. */
class Deltas {
  readonly totals = new Map<string, { period: string; group: Group; totals: Totals }>()
  readonly leads = new Map<string, { period: string; group: Group; kind: LeadKind; tenths: number; loans: number }>()

  add(counted: Counted, sign: 1 | -1) {
    for (const [period, c] of contributions(counted, counted.months)) {
      this.addContribution(period, counted, c, sign)
      this.addContribution(period, unitTotal(counted.orgUnitId), c, sign)
      this.addContribution(period, BANK, c, sign)
      this.addContribution(period, bankInTownship(counted.township), c, sign)
    }
  }

  private addContribution(period: string, group: Group, c: Contribution, sign: 1 | -1) {
    const key = `${period}|${group.orgUnitId}|${group.officerId}|${group.township}`
    let entry = this.totals.get(key)
    if (!entry) this.totals.set(key, (entry = { period, group: { orgUnitId: group.orgUnitId, officerId: group.officerId, township: group.township }, totals: emptyTotals() }))
    for (const name of TOTALS) entry.totals[name] += sign * c.totals[name]
    for (const [kind, list] of [
      ['visit', c.visitLeads],
      ['referral', c.referralLeads],
    ] as const) {
      for (const tenths of list) {
        // Each lead time counts under its tenth of a day, and under its whole day.
        for (const [k, at] of [
          [kind, tenths],
          [DAYS_OF[kind], Math.floor(tenths / 10)],
        ] as const) {
          const leadKey = `${key}|${k}|${at}`
          const lead = this.leads.get(leadKey)
          if (lead) lead.loans += sign
          else this.leads.set(leadKey, { period, group: entry.group, kind: k, tenths: at, loans: sign })
        }
      }
    }
  }
}

/** Adds the deltas to the sums, in key order, so two drains lock rows in the same order. */
async function applyDeltas(db: Kysely<Database>, trx: Db, deltas: Deltas) {
  const inOrder = <T>(map: Map<string, T>) => [...map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v)
  const rows = inOrder(deltas.totals).filter((d) => TOTALS.some((name) => d.totals[name] !== 0))
  await upsertAdding(
    db,
    trx,
    'figure_rollup',
    GROUP_COLUMNS,
    TOTALS.map(column),
    rows.map((d) => [d.period, d.group.orgUnitId, d.group.officerId, d.group.township, ...TOTALS.map((name) => d.totals[name])]),
  )
  const leads = inOrder(deltas.leads).filter((l) => l.loans !== 0)
  await upsertAdding(
    db,
    trx,
    'figure_leads',
    [...GROUP_COLUMNS, 'kind', 'tenths'],
    ['loans'],
    leads.map((l) => [l.period, l.group.orgUnitId, l.group.officerId, l.group.township, l.kind, l.tenths, l.loans]),
  )
}

const GROUP_COLUMNS = ['period_key', 'org_unit_id', 'officer_id', 'township_code']

/**
 * Recounts the queued players, a batch at a time: takes them off the queue first (a write to
 * one of them after that queues it again), moves their sums from what they counted for to
 * what they count for now, and records what they count for. `batchesPerTransaction` batches
 * share one transaction and one write of the sums (a rebuild: fewer, larger writes).
 * Returns how many were recounted.
 */
export async function drainFigureQueue(
  db: Kysely<Database>,
  options: { stopping?: () => boolean; batch?: number; batchesPerTransaction?: number; onBatch?: (recounted: number) => void } = {},
): Promise<number> {
  let recounted = 0
  for (;;) {
    if (options.stopping?.()) return recounted
    const claimed = await db.transaction().execute(async (trx) => {
      const deltas = new Deltas()
      let claimed: number | null = null
      for (let b = 0; b < (options.batchesPerTransaction ?? 1); b++) {
        const step = await recountBatch(trx, deltas, options.batch ?? BATCH)
        if (step === null) break
        claimed = (claimed ?? 0) + step
      }
      await applyDeltas(db, trx, deltas)
      return claimed
    })
    if (claimed === null) return recounted
    recounted += claimed
    options.onBatch?.(recounted)
  }
}

/** Claims a batch from the queue, adds its moves to `deltas`, records what each counts for now. */
async function recountBatch(trx: Db, deltas: Deltas, batch: number): Promise<number | null> {
  const queued = await trx.selectFrom('figures_queue').select('player_id').orderBy('player_id').limit(batch).execute()
  if (queued.length === 0) return null
  const ids = (
    await trx
      .deleteFrom('figures_queue')
      .where(
        'player_id',
        'in',
        queued.map((q) => q.player_id),
      )
      .returning('player_id')
      .execute()
  ).map((r) => r.player_id)
  // Another drain took them first.
  if (ids.length === 0) return 0
  const [before, now] = await Promise.all([countedBefore(trx, ids), countNow(trx, ids)])
  for (const counted of before.values()) deltas.add(counted, -1)
  for (const counted of now.values()) deltas.add(counted, 1)
  await trx.deleteFrom('figure_players').where('player_id', 'in', ids).execute()
  const rows = [...now].map(([id, c]) => ({
    player_id: id,
    org_unit_id: c.orgUnitId,
    officer_id: c.officerId,
    township_code: c.township,
    assigned: c.assigned ? 1 : 0,
    candidate: c.candidate ? 1 : 0,
    qualifies: c.qualifies ? 1 : 0,
    months: JSON.stringify(c.months),
  }))
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('figure_players').values(rows.slice(i, i + 500)).execute()
  return ids.length
}

/** Counts everything again from nothing: every player queued, the sums emptied, drained. */
export async function rebuildFigureRollups(db: Kysely<Database>, log: (message: string) => void = () => {}): Promise<number> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('figure_rollup').execute()
    await trx.deleteFrom('figure_leads').execute()
    await trx.deleteFrom('figure_players').execute()
    await sql`insert into figures_queue(player_id) select id from market_players where id not in (select player_id from figures_queue)`.execute(trx)
  })
  const started = performance.now()
  const total = n((await db.selectFrom('figures_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  let logged = 0
  const done = await drainFigureQueue(db, {
    // 100,000 players a transaction: their sums written once, not once per 2,000.
    batchesPerTransaction: 50,
    onBatch: (recounted) => {
      if (recounted - logged < 100_000 && recounted < total) return
      logged = recounted
      log(`figures: ${recounted.toLocaleString('en')} of ${total.toLocaleString('en')} players counted (${((performance.now() - started) / 1000).toFixed(0)} s)`)
    },
  })
  return done
}

/** Keeps the sums fresh in the background of an app server (or `npm run worker`). */
export function startFigureRefresher(db: Kysely<Database>, options: { intervalMs?: number } = {}): BackgroundLoop {
  return startBackgroundLoop('figures refresh', options.intervalMs ?? 1_000, async (stopping) => {
    const started = performance.now()
    const recounted = await drainFigureQueue(db, { stopping })
    if (recounted > 0) logger.info('figures recounted', { players: recounted, ms: Math.round(performance.now() - started) })
  })
}

// Reading.

/** A scope with its org units looked up once: the ids every org condition allows (null: no org condition). */
interface Resolved {
  scope: FigureScope
  orgIds: number[] | null
}

async function resolve(db: Db, scope: FigureScope): Promise<Resolved> {
  return { scope, orgIds: await orgUnitIdsOf(db, scope.scopes) }
}

/** Whether a group lies in the scope, for the players still queued. */
function groupFilter({ scope, orgIds }: Resolved): (g: Group) => boolean {
  const org = orgIds === null ? null : new Set(orgIds)
  const officers = scope.scopes.flatMap((s) => (s.kind === 'own' ? [s.userId] : []))
  return (g) => (org === null || org.has(g.orgUnitId)) && officers.every((id) => g.officerId === id) && (scope.township === undefined || g.township === scope.township)
}

/** Whether a read covers the whole bank, or one township of it, with no other condition. */
const bankWide = (scope: FigureScope) => scope.scopes.every((s) => s.kind === 'all')

/**
 * The rows of the scope's groups (or the bank's own rows when they hold the read). The org
 * units go in as a list of ids, which the key's second column takes (a subquery there would
 * leave SQLite scanning every group of the period).
 */
function inScope<T extends 'figure_rollup' | 'figure_leads'>(db: Db, table: T, { scope, orgIds }: Resolved, by: Dimension | null) {
  const q = db.selectFrom(table as 'figure_rollup')
  if (bankWide(scope) && (by === null || by === 'township_code')) {
    const bank = q.where('org_unit_id', '=', BANK.orgUnitId).where('officer_id', '=', BANK.officerId)
    if (scope.township !== undefined) return bank.where('township_code', '=', scope.township)
    return by === null ? bank.where('township_code', '=', BANK.township) : bank.where('township_code', '<>', BANK.township)
  }
  let groups = orgIds === null ? q.where('org_unit_id', '<>', BANK.orgUnitId) : q.where('org_unit_id', 'in', orgIds.length ? orgIds : [-1])
  const officers = scope.scopes.some((s) => s.kind === 'own')
  if (!officers && scope.township === undefined && by !== 'officer_id' && by !== 'township_code') return groups.where('officer_id', '=', 0).where('township_code', '=', '*')
  groups = groups.where('township_code', '<>', '*')
  for (const s of scope.scopes) if (s.kind === 'own') groups = groups.where('officer_id', '=', s.userId)
  if (scope.township !== undefined) groups = groups.where('township_code', '=', scope.township)
  return groups
}

/** What the sums can be split by: a group's org unit, officer or township. */
export type Dimension = 'org_unit_id' | 'officer_id' | 'township_code'
const dimensionOf = (g: Group, by: Dimension | null): string => (by === 'org_unit_id' ? String(g.orgUnitId) : by === 'officer_id' ? String(g.officerId) : by === 'township_code' ? g.township : '*')

export interface Sums {
  /** By period key (and `now`). */
  totals: Map<string, Totals>
  /** The lead-time histograms of the periods whose lead times were read, by period key. */
  leads: Map<string, { visit: LeadHistogram; referral: LeadHistogram }>
  /** The lead times' quantiles, by period key, when the database took them (an undivided read, nothing queued). */
  quantiles: Map<string, { visit: LeadQuantiles; referral: LeadQuantiles }>
}

const emptySums = (keys: readonly string[]): Sums => ({ totals: new Map(keys.map((k) => [k, emptyTotals()])), leads: new Map(), quantiles: new Map() })
const histogramsOf = (sums: Sums, period: string) => sums.leads.get(period) ?? sums.leads.set(period, { visit: new Map(), referral: new Map() }).get(period)!

/** Sums of several parts as one (the org units of a branch). */
export function mergeSums(parts: readonly Sums[], keys: readonly string[]): Sums {
  const out = emptySums(keys)
  for (const part of parts) {
    for (const [key, t] of part.totals) {
      const into = out.totals.get(key)
      if (into) for (const name of TOTALS) into[name] += t[name]
    }
    for (const [period, histograms] of part.leads) {
      const into = histogramsOf(out, period)
      for (const kind of ['visit', 'referral'] as const) for (const [tenths, loans] of histograms[kind]) into[kind].set(tenths, (into[kind].get(tenths) ?? 0) + loans)
    }
  }
  return out
}

interface ReadOptions {
  /**
   * Lead times (histograms, or quantiles) and the deadlines still ahead: the costliest parts
   * of a read. Lead times for every period asked, or for those given.
   */
  leads: boolean | readonly Period[]
  deadlines: boolean | readonly Period[]
  /** The sums to read; every one when not given (the others stay 0). */
  totals?: readonly (typeof TOTALS)[number][]
}

/** What the reads of one snapshot share: the scope with its org units, and the players still queued. */
interface Snapshot {
  resolved: Resolved
  queued: number[]
}

async function snapshotOf(db: Db, scope: FigureScope): Promise<Snapshot> {
  const resolved = await resolve(db, scope)
  const queued = (await db.selectFrom('figures_queue').select('player_id').execute()).map((q) => q.player_id)
  return { resolved, queued }
}

/** Reads in one snapshot (`inSnapshot`), the scope resolved and the queue read once for all. */
function inScopeSnapshot<T>(db: Kysely<Database>, scope: FigureScope, read: (trx: Db, snapshot: Snapshot) => Promise<T>): Promise<T> {
  return inSnapshot(db, async (trx) => read(trx, await snapshotOf(trx, scope)))
}

/**
 * The sums of the periods (and `now`) in scope, split by a dimension (one part, `*`, when
 * none), with the queued players' corrections made and the deadlines still ahead taken away.
 */
async function sumsOf(db: Db, { resolved, queued }: Snapshot, periods: readonly Period[], by: Dimension | null, now: Date, options: ReadOptions): Promise<Map<string, Sums>> {
  const { leads: withLeads, deadlines: withDeadlines } = options
  // Only the sums asked for are read (a map of 1,300 townships needs five of eighteen).
  const names = options.totals ?? TOTALS
  const keyed = periods.map((p) => periodKeyOf(p)!)
  const keys = ['now', ...keyed]
  const chosen = (asked: boolean | readonly Period[]) => (asked === true ? periods : asked === false ? [] : asked)
  const leadPeriods = chosen(withLeads).map((p) => periodKeyOf(p)!)
  const deadlinePeriods = new Set(chosen(withDeadlines))
  const dim = by ? [sql.ref<string>(by).as('dim')] : [sql<string>`'*'`.as('dim')]
  // Undivided and with nothing queued, the database takes the lead times' quantiles itself
  // (a bank's year is thousands of histogram rows; this is two).
  const byDatabase = by === null && queued.length === 0
  const quantiles = byDatabase && leadPeriods.length ? await leadQuantiles(db, resolved, leadPeriods) : null
  const [rows, leadRows, ahead] = await Promise.all([
    inScope(db, 'figure_rollup', resolved, by)
      .where('period_key', 'in', keys)
      .select(['period_key', ...dim, ...names.map((name) => sql<number>`sum(${sql.ref(column(name))})`.as(name))])
      .groupBy(by ? ['period_key', by] : ['period_key'])
      .execute(),
    leadPeriods.length && !quantiles
      ? inScope(db, 'figure_leads', resolved, by)
          .where('period_key', 'in', leadPeriods)
          .where('kind' as never, 'in', ['visit', 'referral'] as never)
          .select(['period_key', ...dim, 'kind' as never, 'tenths' as never, sql<number>`sum(loans)`.as('loans')])
          .groupBy(['period_key', ...(by ? [by] : []), 'kind', 'tenths'] as never)
          .execute()
      : Promise.resolve([]),
    Promise.all(periods.map((p) => (deadlinePeriods.has(p) ? deadlinesAhead(db, resolved, p, now, by) : new Map<string, { due: number; onTime: number }>()))),
  ])
  const ranges = periods.map((p) => (deadlinePeriods.has(p) ? aheadRange(p, now) : null))
  const parts = new Map<string, Sums>()
  const part = (value: string) => parts.get(value) ?? parts.set(value, emptySums(keys)).get(value)!
  if (quantiles) part('*').quantiles = quantiles
  for (const row of rows as unknown as ({ period_key: string; dim: unknown } & Record<string, unknown>)[]) {
    const t = part(String(row.dim)).totals.get(row.period_key)!
    for (const name of names) t[name] = n(row[name])
  }
  const addLead = (sums: Sums, period: string, kind: 'visit' | 'referral', tenths: number, loans: number) => {
    const histogram = histogramsOf(sums, period)[kind]
    histogram.set(tenths, (histogram.get(tenths) ?? 0) + loans)
  }
  for (const row of leadRows as unknown as { period_key: string; dim: unknown; kind: 'visit' | 'referral'; tenths: number; loans: unknown }[]) addLead(part(String(row.dim)), row.period_key, row.kind, Number(row.tenths), n(row.loans))

  if (queued.length > 0) {
    const covers = groupFilter(resolved)
    const [before, current] = await Promise.all([countedBefore(db, queued), countNow(db, queued)])
    for (const [sign, counted] of [
      [-1, before],
      [1, current],
    ] as const) {
      for (const c of counted.values()) {
        if (!covers(c)) continue
        const value = dimensionOf(c, by)
        const sums = part(value)
        for (const [period, contribution] of contributions(c, c.months)) {
          if (period.startsWith('H')) {
            // A deadline ahead that the sums hold under its hour: corrected like the sums.
            ranges.forEach((range, i) => {
              if (!range || period < range.lo || period >= range.hi) return
              const counts = ahead[i].get(value) ?? ahead[i].set(value, { due: 0, onTime: 0 }).get(value)!
              counts.due += sign * contribution.totals.due
              counts.onTime += sign * contribution.totals.onTime
            })
            continue
          }
          const t = sums.totals.get(period)
          if (t) for (const name of TOTALS) t[name] += sign * contribution.totals[name]
          if (leadPeriods.includes(period)) {
            for (const tenths of contribution.visitLeads) addLead(sums, period, 'visit', tenths, sign)
            for (const tenths of contribution.referralLeads) addLead(sums, period, 'referral', tenths, sign)
          }
        }
      }
    }
  }
  ahead.forEach((byValue, i) => {
    for (const [value, counts] of byValue) {
      const t = part(value).totals.get(keyed[i])!
      t.due -= counts.due
      t.onTime -= counts.onTime
    }
  })
  return parts
}

/** The hour keys of the period's deadlines after this hour, [lo, hi); null when none are ahead. */
function aheadRange(period: Period, now: Date): { nextHour: string; lo: string; hi: string } | null {
  const { from, until } = periodBounds(period)
  if (until <= now.toISOString()) return null
  const nextHour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000).toISOString()
  return { nextHour, lo: hourKey(nextHour > from ? nextHour : from), hi: hourKey(until) }
}

/**
 * The median and 90th percentile of each lead time of each period, interpolated between the
 * two order statistics each falls between (type 7, as domain/figures.ts): the day each of
 * those falls in from the days' counts, then the tenth within that day from its ten tenths'
 * counts. Two reads, whatever the number of periods.
 */
async function leadQuantiles(db: Db, resolved: Resolved, periods: readonly string[]): Promise<Map<string, { visit: LeadQuantiles; referral: LeadQuantiles }>> {
  const out = new Map(periods.map((p) => [p, { visit: { median: null, p90: null } as LeadQuantiles, referral: { median: null, p90: null } as LeadQuantiles }]))
  if (periods.length === 0) return out
  const rows = (kinds: LeadKind[], ranges?: { period: string; kind: LeadKind; day: number }[]) => {
    let q = inScope(db, 'figure_leads', resolved, null)
      .where('period_key', 'in', periods)
      .where('kind' as never, 'in', kinds as never)
    if (ranges) {
      q = q.where((eb) =>
        eb.or(ranges.map((r) => eb.and([eb('period_key', '=', r.period), eb('kind' as never, '=', r.kind as never), eb('tenths' as never, '>=', (r.day * 10) as never), eb('tenths' as never, '<=', (r.day * 10 + 9) as never)]))),
      )
    }
    return q
      .select(['period_key', 'kind' as never, 'tenths' as never, sql<number>`sum(loans)`.as('n')])
      .groupBy(['period_key', 'kind', 'tenths'] as never)
      .orderBy('tenths' as never)
      .execute() as unknown as Promise<{ period_key: string; kind: LeadKind; tenths: number; n: unknown }[]>
  }
  const days = await rows(['visit_day', 'referral_day'])
  // Each order statistic wanted (from 0): the day it falls in, and how many loans came before that day.
  const wanted: { period: string; kind: 'visit' | 'referral'; rank: number; day: number; before: number; tenths?: number }[] = []
  const quantiles: { period: string; kind: 'visit' | 'referral'; field: 'median' | 'p90'; total: number; q: number }[] = []
  for (const period of periods) {
    for (const kind of ['visit', 'referral'] as const) {
      const counts = days.filter((d) => d.period_key === period && d.kind === DAYS_OF[kind]).map((d) => [Number(d.tenths), n(d.n)] as const).filter(([, c]) => c > 0)
      const total = counts.reduce((sum, [, c]) => sum + c, 0)
      if (total === 0) continue
      for (const [q, field] of [
        [0.5, 'median'],
        [0.9, 'p90'],
      ] as const) {
        quantiles.push({ period, kind, field, total, q })
        const { lo, hi } = type7Ranks(total, q)
        for (const rank of new Set([lo, hi])) {
          if (wanted.some((w) => w.period === period && w.kind === kind && w.rank === rank)) continue
          let before = 0
          const at = counts.find(([, c]) => (before + c > rank ? true : ((before += c), false)))!
          wanted.push({ period, kind, rank, day: at[0], before })
        }
      }
    }
  }
  if (wanted.length === 0) return out
  // The tenths of those days, all in one read.
  const tenths = await rows(
    [...new Set(wanted.map((w) => w.kind))],
    wanted.map((w) => ({ period: w.period, kind: w.kind, day: w.day })),
  )
  for (const w of wanted) {
    let seen = w.before
    const within = tenths.filter((r) => r.period_key === w.period && r.kind === w.kind && Math.floor(Number(r.tenths) / 10) === w.day)
    w.tenths = Number(within.find((r) => (seen += n(r.n)) > w.rank)!.tenths)
  }
  for (const { period, kind, field, total, q } of quantiles) {
    out.get(period)![kind][field] = type7Tenths(total, q, (rank) => wanted.find((w) => w.period === period && w.kind === kind && w.rank === rank)!.tenths!)
  }
  return out
}

/**
 * The acceptance deadlines in the period still ahead of `now`, per dimension value: counted
 * in the sums, not yet due. The hours after this one from their sums; this hour's straight.
 */
async function deadlinesAhead(db: Db, resolved: Resolved, period: Period, now: Date, by: Dimension | null): Promise<Map<string, { due: number; onTime: number }>> {
  const { scope, orgIds } = resolved
  const out = new Map<string, { due: number; onTime: number }>()
  const { from, until } = periodBounds(period)
  const nowIso = now.toISOString()
  if (until <= nowIso) return out
  const { nextHour, lo, hi } = aheadRange(period, now)!
  const add = (value: string, due: number, onTime: number) => {
    const counts = out.get(value) ?? out.set(value, { due: 0, onTime: 0 }).get(value)!
    counts.due += due
    counts.onTime += onTime
  }
  let q = db.selectFrom('referrals').innerJoin('market_players', 'market_players.id', 'referrals.player_id')
  // `+ 0`: the hour's few deadlines (referrals_accept_due) lead, not every player of the org
  // units, which SQLite would otherwise pick for an outlet (5 ms against 0.1 at province scale).
  if (orgIds !== null) q = q.where(sql<number>`market_players.org_unit_id + 0`, 'in', orgIds.length ? orgIds : [-1])
  for (const s of scope.scopes) if (s.kind === 'own') q = q.where('market_players.assigned_officer_id', '=', s.userId)
  if (scope.township !== undefined) q = q.where('market_players.township_code', '=', scope.township)
  const dim = by ? [sql.ref<string>(by).as('dim')] : [sql<string>`'*'`.as('dim')]
  const hours = inScope(db, 'figure_rollup', resolved, by)
    .where('period_key', '>=', lo)
    .where('period_key', '<', hi)
    .select([...dim, sql<number>`sum(due)`.as('due'), sql<number>`sum(on_time)`.as('onTime')])
  const [later, thisHour] = await Promise.all([
    (by ? hours.groupBy(by) : hours).execute(),
    // One lower bound, not two: given both, SQLite may range from the period's start.
    (from > nowIso ? q.where('referrals.accept_due_at', '>=', from) : q.where('referrals.accept_due_at', '>', nowIso))
      .where('referrals.accept_due_at', '<', nextHour < until ? nextHour : until)
      .select([
        'referrals.accept_due_at as dueAt',
        'referrals.accepted_at as acceptedAt',
        'market_players.org_unit_id as orgUnitId',
        'market_players.assigned_officer_id as officerId',
        'market_players.township_code as township',
        firstReportAt(['withdrawn']).as('withdrawnAt'),
      ])
      .execute(),
  ])
  for (const row of later as unknown as { dim: unknown; due: unknown; onTime: unknown }[]) add(String(row.dim), n(row.due), n(row.onTime))
  for (const r of thisHour) {
    const acceptance = acceptanceOf({ acceptDueAt: r.dueAt, acceptedAt: r.acceptedAt, withdrawnAt: r.withdrawnAt })
    if (!acceptance.due) continue
    add(dimensionOf({ orgUnitId: r.orgUnitId, officerId: r.officerId ?? 0, township: r.township ?? '' }, by), 1, acceptance.onTime ? 1 : 0)
  }
  return out
}

/** A read of the sums in one snapshot (PostgreSQL: repeatable read; SQLite: a transaction). */
function inSnapshot<T>(db: Kysely<Database>, read: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read)
}

/** Whether the sums hold the period for the scope (a calendar month, quarter or year; no territory). */
export function precounted(scope: FigureScope, period: Period): boolean {
  return periodKeyOf(period) !== null && scope.territoryId === undefined
}

/** The figures for a scope and a period: from the sums when they hold the period, else straight. */
export async function readFigures(db: Kysely<Database>, scope: FigureScope, period: Period, now = new Date()): Promise<Figures> {
  if (!precounted(scope, period)) return computeFiguresInSql(db, scope, period, now)
  const parts = await inScopeSnapshot(db, scope, (trx, snapshot) => sumsOf(trx, snapshot, [period], null, now, { leads: true, deadlines: true }))
  return figuresOfSums(parts.get('*') ?? emptySums(['now', periodKeyOf(period)!]), period)
}

export function figuresOfSums(sums: Sums, period: Period): Figures {
  const key = periodKeyOf(period)!
  const quantiles = sums.quantiles.get(key)
  return figuresFromTotals(sums.totals.get(key)!, sums.totals.get('now')!, quantiles ? { quantiles } : (sums.leads.get(key) ?? { visit: new Map(), referral: new Map() }))
}

/** The figures of several parts of the sums together (the org units of a branch; none is zero). */
export function figuresOfParts(parts: readonly Sums[], period: Period): Figures {
  return figuresOfSums(mergeSums(parts, ['now', periodKeyOf(period)!]), period)
}

/** The steps of a trend the sums hold (every step a whole month), or null when it is counted straight. */
function precountedSteps(scope: FigureScope, period: Period, step: TrendStep): ReturnType<typeof trendBuckets> | null {
  const buckets = trendBuckets(period, step)
  return step === 'month' && buckets.every((b) => precounted(scope, b)) ? buckets : null
}

const trendOfSums = (buckets: ReturnType<typeof trendBuckets>, sums: Sums | undefined) => buckets.map((bucket) => ({ ...bucket, ...loanFiguresOf(sums?.totals.get(periodKeyOf(bucket)!) ?? emptyTotals()) }))

/** The loans step by step through the period: by month from the sums when every step is a whole month. */
export async function readLoanTrend(db: Kysely<Database>, scope: FigureScope, period: Period, step: TrendStep) {
  const buckets = precountedSteps(scope, period, step)
  if (!buckets) return loanTrendInSql(db, scope, period, step)
  const parts = await inScopeSnapshot(db, scope, (trx, snapshot) => sumsOf(trx, snapshot, buckets, null, new Date(), { leads: false, deadlines: false }))
  return trendOfSums(buckets, parts.get('*'))
}

/** A split of the sums the dashboard reads beside its figures: the league's, the map's. */
export interface SumsSplit {
  by: Dimension
  options: ReadOptions
}

/**
 * The figures of a period and of the one before it, the loans step by step through it, and
 * the period's sums split as asked (the dashboard's headline, trend, league and map): when
 * the sums hold both periods, one snapshot, the scope resolved and the queue read once for
 * all; `splits` null otherwise, the rest each counted on its own.
 */
export async function readFiguresOverTime(db: Kysely<Database>, scope: FigureScope, period: Period, before: Period, step: TrendStep, splits: readonly SumsSplit[] = [], now = new Date()) {
  if (!precounted(scope, period)) {
    const [current, previous, trend] = await Promise.all([readFigures(db, scope, period, now), readFigures(db, scope, before, now), readLoanTrend(db, scope, period, step)])
    return { current, previous, trend, splits: null }
  }
  // The period before as far as this one has run (1–3 November beside 1–3 December) is no
  // calendar period the sums hold: counted straight, beside the snapshot.
  const compared = precounted(scope, before) ? [before] : []
  // A trend by week is counted straight, beside the snapshot.
  const buckets = precountedSteps(scope, period, step)
  const [read, weekly, straight] = await Promise.all([
    inScopeSnapshot(db, scope, async (trx, snapshot) => {
      const over = await sumsOf(trx, snapshot, [period, ...compared, ...(buckets ?? [])], null, now, { leads: [period, ...compared], deadlines: [period, ...compared] })
      const parts: Map<string, Sums>[] = []
      for (const split of splits) parts.push(await sumsOf(trx, snapshot, [period], split.by, now, split.options))
      return { sums: over.get('*') ?? emptySums(['now', ...[period, ...compared].map((p) => periodKeyOf(p)!)]), parts }
    }),
    buckets ? null : loanTrendInSql(db, scope, period, step),
    compared.length ? null : computeFiguresInSql(db, scope, before, now),
  ])
  const { sums, parts } = read
  return { current: figuresOfSums(sums, period), previous: straight ?? figuresOfSums(sums, before), trend: weekly ?? trendOfSums(buckets!, sums), splits: parts }
}
