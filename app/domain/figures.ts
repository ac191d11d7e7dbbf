// PRODUCT.md, "Figures": every figure headquarters reports, defined once, for a scope and a
// period. This is the reference computation: over the facts of each player and referral in
// scope, in memory, with no database. The dashboard's SQL computes the same figures fast;
// it is tested against this one.
//
// Choices the table leaves open, made here once:
// - A period is a range of China calendar days, both ends included.
// - Coverage counts assigned players with a valid visit in the period (domain/visit-validity.ts
//   judges each visit; a player with no officer counts for neither side, as the map's coverage).
//   The funnel's visited and the need rate count every visit, valid or not.
// - Need rate: among players visited in the period, those whose latest visit in the period
//   records a need.
// - A stage is reached at the first report of it or of any stage beyond it (a disbursement
//   reported without its approval has been approved). Players reaching a stage in the period
//   are counted once however many referrals they have.
// - Loans are referrals disbursed in the period, each counted (a player may have two);
//   amounts are what was lent (domain/first-lender.ts: the amount asked only for loans
//   reported before the amount was carried).
// - A player is a first-lender conversion when one of its loans in the period counts as a
//   first lender (the loan system's flag, else the loan history when referred); it is
//   estimated when none of those loans was flagged by the loan system.
// - A referral is due for acceptance in the period when its deadline falls in it and has
//   passed; it is on time when accepted by the deadline. One withdrawn before its deadline
//   without acceptance is not due.
// - Lead times are in days (each to a tenth), for the loans disbursed in the period; median
//   and 90th percentile interpolated between order statistics (type 7), to a tenth.
import { amountLent, countsAsFirstLender, isCreditLoan, type GuaranteeType } from './first-lender'
import { chinaDay } from './china-time'
import { PROGRESS_STAGES, type Stage, type StageEvent } from './pipeline'

/** China calendar days, both included. */
export interface Period {
  from: string
  to: string
}

export type PeriodKind = 'month' | 'quarter' | 'year'

const DAY_MS = 86_400_000

export function inPeriod(iso: string | null | undefined, period: Period): boolean {
  if (!iso) return false
  const day = chinaDay(iso)
  return day >= period.from && day <= period.to
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS
const dayOf = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10)

/** The month, quarter or year holding `today`. */
export function periodOf(kind: PeriodKind, today: string): Period {
  const [y, m] = today.split('-').map(Number)
  const firstMonth = kind === 'month' ? m : kind === 'quarter' ? m - ((m - 1) % 3) : 1
  const months = kind === 'month' ? 1 : kind === 'quarter' ? 3 : 12
  const from = `${y}-${String(firstMonth).padStart(2, '0')}-01`
  const end = new Date(Date.UTC(y, firstMonth - 1 + months, 0)).toISOString().slice(0, 10)
  return { from, to: end }
}

/**
 * The period before, to compare with: the previous month, quarter or year when the period
 * is one; otherwise the same number of days just before.
 */
export function previousPeriod(period: Period): Period {
  const from = dayNumber(period.from)
  const to = dayNumber(period.to)
  for (const kind of ['month', 'quarter', 'year'] as const) {
    const same = periodOf(kind, period.from)
    if (same.from === period.from && same.to === period.to) return periodOf(kind, dayOf(from - 1))
  }
  const days = to - from + 1
  return { from: dayOf(from - days), to: dayOf(from - 1) }
}

/**
 * The period to compare with, like with like: while `period` is still running on `today`,
 * only as many days of the period before as have passed of this one (1–3 December against
 * 1–3 November, not all of November, which painted every figure red on the 3rd).
 */
export function comparablePeriod(period: Period, today: string): Period {
  const before = previousPeriod(period)
  const from = dayNumber(period.from)
  const now = dayNumber(today)
  if (now < from || now >= dayNumber(period.to)) return before
  const last = Math.min(dayNumber(before.from) + (now - from), dayNumber(before.to))
  return { from: before.from, to: dayOf(last) }
}

export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator
}

/**
 * The q-quantile of `count` values sorted ascending, `valueAt(k)` giving the k-th (from 0):
 * linear interpolation between order statistics (type 7), rounded to a tenth; null when
 * there are none. The values are lead times in tenths of a day, so the result is in days.
 */
export function type7Tenths(count: number, q: number, valueAt: (k: number) => number): number | null {
  if (count === 0) return null
  const { lo, hi, weight } = type7Ranks(count, q)
  const low = valueAt(lo)
  return Math.round(low + weight * (valueAt(hi) - low)) / 10
}

/** The order statistics (from 0) a type-7 quantile reads, and the weight of the upper one. */
export function type7Ranks(count: number, q: number): { lo: number; hi: number; weight: number } {
  const h = (count - 1) * q
  const lo = Math.floor(h)
  return { lo, hi: Math.min(lo + 1, count - 1), weight: h - lo }
}

/** The figures that count players by a referral of theirs reaching a stage in the period
 * (each drills down to those players). */
export const REACHING_FIGURES = ['referred', 'accepted', 'approved', 'disbursed', 'firstLenderConversions'] as const
export type ReachingFigure = (typeof REACHING_FIGURES)[number]

/** The figures that count players by what they are, or by their visits in the period (each drills down to those players). */
export const PLAYER_FIGURES = ['listed', 'assigned', 'candidates', 'visited', 'withNeed', 'qualified'] as const
export type PlayerFigure = (typeof PLAYER_FIGURES)[number]

export interface PlayerFacts {
  id: number
  assigned: boolean
  candidate: boolean
  /** A product accepts the case now (the stored hand-off flag). */
  qualifies: boolean
  /** Every visit of the player: when, whether it recorded a need, whether it counts under the bank's rules. */
  visits: { at: string; hasNeed: boolean; valid: boolean }[]
}

export interface ReferralFacts {
  playerId: number
  /** The player is an enterprise (not a household). */
  enterprise: boolean
  /** Loan history `none` when referred. */
  firstLender: boolean
  /** The product's kind is credit. */
  credit: boolean
  /** Asked. */
  amountYuan: number
  /** From the `disbursed` report; null when not reported. */
  lenderFlag: boolean | null
  guaranteeType: GuaranteeType | null
  lentYuan: number | null
  referredAt: string
  acceptDueAt: string
  events: StageEvent[]
}

type Reached = 'referred' | 'accepted' | 'approved' | 'disbursed'

/** When the referral first reached `stage` (or any stage beyond it), or null. */
export function reachedAt(events: readonly StageEvent[], stage: (typeof PROGRESS_STAGES)[number]): string | null {
  const index = PROGRESS_STAGES.indexOf(stage)
  let first: string | null = null
  for (const e of events) {
    const at = PROGRESS_STAGES.indexOf(e.stage as (typeof PROGRESS_STAGES)[number])
    if (at >= index && (first === null || e.at < first)) first = e.at
  }
  return first
}

function closedBy(events: readonly StageEvent[], stage: Stage): string | null {
  const found = events.filter((e) => e.stage === stage).map((e) => e.at)
  return found.length ? found.sort()[0] : null
}

/**
 * Whether a referral counts for acceptance on time once its deadline has passed, and whether
 * it was on time: one withdrawn before its deadline without being accepted first is not due;
 * it is on time when accepted by the deadline.
 */
export function acceptanceOf(r: { acceptDueAt: string; acceptedAt: string | null; withdrawnAt: string | null }): { due: boolean; onTime: boolean } {
  const withdrawnFirst = r.withdrawnAt !== null && r.withdrawnAt < r.acceptDueAt && (r.acceptedAt === null || r.withdrawnAt < r.acceptedAt)
  return { due: !withdrawnFirst, onTime: !withdrawnFirst && r.acceptedAt !== null && r.acceptedAt <= r.acceptDueAt }
}

export interface Figures {
  listed: number
  assigned: number
  /** The funnel's middle steps: visited in the period, of them with a need (latest visit in
   * the period), of those a product accepts now. */
  visited: number
  withNeed: number
  qualified: number
  coverage: number | null
  needRate: number | null
  candidates: number
  referred: number
  accepted: number
  approved: number
  disbursed: number
  newLoanCustomers: number
  firstLenderConversions: number
  /** Of the conversions: those no loan-system flag decided (loan history when referred). */
  firstLenderEstimated: number
  /** Of the conversions: enterprises, not households. */
  firstLenderEnterprises: number
  firstLenderRatio: number | null
  creditLoanShareByCount: number | null
  creditLoanShareByAmount: number | null
  acceptedOnTime: number | null
  leadTimeVisitToDisbursementDays: { median: number | null; p90: number | null }
  leadTimeReferralToDisbursementDays: { median: number | null; p90: number | null }
}

/** Tenths of a day between two ISO times (each lead time is rounded to a tenth first). */
export const tenthsBetween = (from: string, to: string) => Math.round(((Date.parse(to) - Date.parse(from)) / DAY_MS) * 10)

/** A lead time over pairs of ISO times (from, to): median and 90th percentile in days. */
export function leadTime(pairs: readonly (readonly [string, string])[]): { median: number | null; p90: number | null } {
  const tenths = pairs.map(([from, to]) => tenthsBetween(from, to)).sort((a, b) => a - b)
  const at = (k: number) => tenths[k]
  return { median: type7Tenths(tenths.length, 0.5, at), p90: type7Tenths(tenths.length, 0.9, at) }
}

export function computeFigures(players: readonly PlayerFacts[], referrals: readonly ReferralFacts[], period: Period, now: Date): Figures {
  const nowIso = now.toISOString()
  let assigned = 0
  let visitedAssigned = 0
  let visited = 0
  let withNeed = 0
  let qualified = 0
  let candidates = 0
  const firstVisit = new Map<number, string>()
  for (const p of players) {
    if (p.candidate) candidates++
    if (p.assigned) assigned++
    const sorted = [...p.visits].sort((a, b) => a.at.localeCompare(b.at))
    if (sorted.length) firstVisit.set(p.id, sorted[0].at)
    const inside = sorted.filter((v) => inPeriod(v.at, period))
    if (inside.length === 0) continue
    visited++
    if (p.assigned && inside.some((v) => v.valid)) visitedAssigned++
    if (inside[inside.length - 1].hasNeed) {
      withNeed++
      if (p.qualifies) qualified++
    }
  }

  const reaching: Record<Reached, Set<number>> = { referred: new Set(), accepted: new Set(), approved: new Set(), disbursed: new Set() }
  const loans: { referral: ReferralFacts; at: string }[] = []
  let due = 0
  let onTime = 0
  for (const r of referrals) {
    for (const stage of ['referred', 'accepted', 'approved', 'disbursed'] as const) {
      const at = stage === 'referred' ? r.referredAt : reachedAt(r.events, stage)
      if (inPeriod(at, period)) reaching[stage].add(r.playerId)
    }
    const disbursedAt = reachedAt(r.events, 'disbursed')
    if (disbursedAt && inPeriod(disbursedAt, period)) loans.push({ referral: r, at: disbursedAt })
    // Acceptance on time.
    const acceptance = acceptanceOf({ acceptDueAt: r.acceptDueAt, acceptedAt: reachedAt(r.events, 'accepted'), withdrawnAt: closedBy(r.events, 'withdrawn') })
    if (inPeriod(r.acceptDueAt, period) && r.acceptDueAt <= nowIso && acceptance.due) {
      due++
      if (acceptance.onTime) onTime++
    }
  }

  const money = loanFigures(loans.map((l) => loanOf(l.referral)))
  const fromVisit = loans.flatMap((l) => {
    const visited = firstVisit.get(l.referral.playerId)
    return visited ? [[visited, l.at] as const] : []
  })

  return {
    listed: players.length,
    assigned,
    visited,
    withNeed,
    qualified,
    coverage: ratio(visitedAssigned, assigned),
    needRate: ratio(withNeed, visited),
    candidates,
    referred: reaching.referred.size,
    accepted: reaching.accepted.size,
    approved: reaching.approved.size,
    disbursed: reaching.disbursed.size,
    newLoanCustomers: money.newLoanCustomers,
    firstLenderConversions: money.firstLenderConversions,
    firstLenderEstimated: money.firstLenderEstimated,
    firstLenderEnterprises: money.firstLenderEnterprises,
    firstLenderRatio: money.firstLenderRatio,
    creditLoanShareByCount: money.creditLoanShareByCount,
    creditLoanShareByAmount: money.creditLoanShareByAmount,
    acceptedOnTime: ratio(onTime, due),
    leadTimeVisitToDisbursementDays: leadTime(fromVisit),
    leadTimeReferralToDisbursementDays: leadTime(loans.map((l) => [l.referral.referredAt, l.at] as const)),
  }
}

/** A disbursed loan as the figures count it (domain/first-lender.ts decides each part). */
export interface Loan {
  playerId: number
  enterprise: boolean
  /** Counts as a first lender. */
  firstLender: boolean
  /** …by the loan system's flag, not estimated. */
  flagged: boolean
  credit: boolean
  /** Lent. */
  amountYuan: number
}

export function loanOf(r: Pick<ReferralFacts, 'playerId' | 'enterprise' | 'firstLender' | 'credit' | 'amountYuan' | 'lenderFlag' | 'guaranteeType' | 'lentYuan'>): Loan {
  const reported = { historyNone: r.firstLender, productCredit: r.credit, askedYuan: r.amountYuan, lenderFlag: r.lenderFlag, guaranteeType: r.guaranteeType, lentYuan: r.lentYuan }
  return {
    playerId: r.playerId,
    enterprise: r.enterprise,
    firstLender: countsAsFirstLender(reported),
    flagged: r.lenderFlag === true,
    credit: isCreditLoan(reported),
    amountYuan: amountLent(reported),
  }
}

/** The figures of the loans disbursed in a period (each loan a referral disbursed in it). */
export function loanFigures(loans: readonly Loan[]) {
  const customers = new Set(loans.map((l) => l.playerId))
  const converted = new Set(loans.filter((l) => l.firstLender).map((l) => l.playerId))
  const flagged = new Set(loans.filter((l) => l.firstLender && l.flagged).map((l) => l.playerId))
  const enterprises = new Set(loans.filter((l) => l.firstLender && l.enterprise).map((l) => l.playerId))
  const credit = loans.filter((l) => l.credit)
  const amount = (list: readonly Loan[]) => list.reduce((sum, l) => sum + l.amountYuan, 0)
  return {
    loans: loans.length,
    newLoanCustomers: customers.size,
    firstLenderConversions: converted.size,
    firstLenderEstimated: converted.size - flagged.size,
    firstLenderEnterprises: enterprises.size,
    firstLenderRatio: ratio(converted.size, customers.size),
    creditLoanShareByCount: ratio(credit.length, loans.length),
    creditLoanShareByAmount: ratio(amount(credit), amount(loans)),
  }
}

export type TrendStep = 'week' | 'month'

/** The weeks (Monday to Sunday) or months the period touches, each cut to the period. */
export function trendBuckets(period: Period, step: TrendStep): (Period & { key: string })[] {
  const buckets: (Period & { key: string })[] = []
  let day = dayNumber(period.from)
  const end = dayNumber(period.to)
  while (day <= end) {
    const date = dayOf(day)
    let last: number
    let key: string
    if (step === 'month') {
      last = dayNumber(periodOf('month', date).to)
      key = date.slice(0, 7)
    } else {
      // 1970-01-01 was a Thursday: Monday is (n + 3) % 7 === 0.
      last = day + (6 - ((day + 3) % 7))
      key = date
    }
    buckets.push({ key, from: date, to: dayOf(Math.min(last, end)) })
    day = last + 1
  }
  return buckets
}

/** The loan figures step by step through the period: what the trend charts draw. */
export function loanTrend(loans: readonly (Loan & { disbursedAt: string })[], period: Period, step: TrendStep) {
  return trendBuckets(period, step).map((bucket) => ({ ...bucket, ...loanFigures(loans.filter((l) => inPeriod(l.disbursedAt, bucket))) }))
}

/** The figures a league table shows for each row. */
export const LEAGUE_FIGURES: readonly (keyof Figures)[] = ['listed', 'coverage', 'referred', 'newLoanCustomers', 'firstLenderConversions', 'firstLenderRatio', 'creditLoanShareByCount']

/** A figure as a number to rank by (a lead time by its median); null when there is none. */
export function rankValue(figures: Figures, key: keyof Figures): number | null {
  const value = figures[key]
  if (value === null) return null
  return typeof value === 'number' ? value : value.median
}

/** Rows ranked by a figure, highest first (or lowest), those without a value last. */
export function rankBy<T extends { name: string; figures: Figures }>(rows: readonly T[], key: keyof Figures, direction: 'asc' | 'desc'): T[] {
  return [...rows].sort((a, b) => {
    const x = rankValue(a.figures, key)
    const y = rankValue(b.figures, key)
    if (x === null || y === null) return x === y ? a.name.localeCompare(b.name) : x === null ? 1 : -1
    return (direction === 'asc' ? x - y : y - x) || a.name.localeCompare(b.name)
  })
}

