// The figures of domain/figures.ts, counted ahead: what one player adds to each month,
// quarter and year, so the dashboard sums pre-counted groups instead of walking millions of
// visits (services/figure-rollups/ keeps the sums). Each definition here is the
// one in figures.ts, taken apart per player; the sums are tested equal to it.
// - A player's facts are kept month by month; a quarter or a year is put together from its
//   months: visited in any, the need of the latest visit (in the last month visited), a
//   stage reached in any, loans and deadlines summed, lead times joined.
// - Acceptance deadlines count in their month whether passed or not, and again under the
//   hour (UTC) they fall in; a query takes away the hours still ahead, and counts the
//   current hour's deadlines straight (a few dozen).
// - Lead times are kept in tenths of a day, as the figures round them, so the median and the
//   90th percentile of the sums are exact.
// - A loan counts as the figures count it (figures.ts `loanOf`): first lender by the loan
//   system's flag else the loan history, credit by the guarantee type reported, what was lent.
import { chinaDay } from './china-time'
import { acceptanceOf, loanFigures, loanOf, periodOf, ratio, reachedAt, tenthsBetween, type7Tenths, type Figures, type Loan, type Period, type ReferralFacts } from './figures'

export interface VisitFact {
  at: string
  recordedAt: string
  hasNeed: boolean
  /** Counts under the bank's rules (coverage counts only these). */
  valid: boolean
}

/** A referral by the times it reached each stage (a stage reached by one beyond it too). */
export interface ReferralTimes {
  referredAt: string
  acceptedAt: string | null
  approvedAt: string | null
  disbursedAt: string | null
  acceptDueAt: string
  /** The first withdrawal reported. */
  withdrawnAt: string | null
  /** The loan as the figures count it, once disbursed. */
  loan: Omit<Loan, 'playerId'>
}

export function referralTimesOf(r: ReferralFacts): ReferralTimes {
  const withdrawn = r.events.filter((e) => e.stage === 'withdrawn').map((e) => e.at)
  return {
    referredAt: r.referredAt,
    acceptedAt: reachedAt(r.events, 'accepted'),
    approvedAt: reachedAt(r.events, 'approved'),
    disbursedAt: reachedAt(r.events, 'disbursed'),
    acceptDueAt: r.acceptDueAt,
    withdrawnAt: withdrawn.length ? withdrawn.sort()[0] : null,
    loan: loanOf(r),
  }
}

/** What a player adds to a month (the counts in order), and its loans' lead times. */
// New counts go at the end: months counted before them read 0 there.
export const MONTH_COUNTS = [
  'visited', 'withNeed', 'referred', 'accepted', 'approved', 'disbursed', 'firstLenderConversions', 'loans', 'creditLoans', 'amountYuan', 'creditAmountYuan', 'due', 'onTime',
  'firstLenderFlagged', 'firstLenderEnterprises',
  // 1 when visited in the month with no valid visit: months counted before validity existed
  // read 0 here, and their visits (all valid then) count for coverage.
  'noValidVisit',
] as const
type MonthCount = (typeof MONTH_COUNTS)[number]
/** Counts that are 0 or 1 per player (one player counted once); the rest are summed. */
const ONCE: ReadonlySet<MonthCount> = new Set(['visited', 'referred', 'accepted', 'approved', 'disbursed', 'firstLenderConversions', 'firstLenderFlagged', 'firstLenderEnterprises'])

export interface MonthFacts {
  /** MONTH_COUNTS, in order. */
  c: number[]
  /** Lead times in tenths of a day: first visit → disbursement, referral → disbursement. */
  v: number[]
  r: number[]
  /** Deadlines by the hour they fall in, `YYYY-MM-DDTHH` (UTC): [due, on time]. */
  d?: Record<string, [number, number]>
}

/** By China month, `YYYY-MM`. */
export type PlayerMonths = Record<string, MonthFacts>

const monthOf = (iso: string) => chinaDay(iso).slice(0, 7)
/** The UTC hour of a time, `YYYY-MM-DDTHH`. */
export const hourOf = (iso: string) => new Date(iso).toISOString().slice(0, 13)
/** The period key of an hour's deadlines. */
export const hourKey = (iso: string) => `H${hourOf(iso)}`

/** A player's facts month by month, from its visits and referrals. */
export function playerMonths(visits: readonly VisitFact[], referrals: readonly ReferralTimes[]): PlayerMonths {
  const months: PlayerMonths = {}
  const month = (iso: string) => (months[monthOf(iso)] ??= { c: MONTH_COUNTS.map(() => 0), v: [], r: [] })
  const at = (name: MonthCount) => MONTH_COUNTS.indexOf(name)
  const sorted = [...visits].sort((a, b) => a.at.localeCompare(b.at) || a.recordedAt.localeCompare(b.recordedAt))
  // Sorted, the last visit of each month writes its need last.
  const validIn = new Set<string>()
  for (const v of sorted) {
    const m = month(v.at)
    m.c[at('visited')] = 1
    m.c[at('withNeed')] = v.hasNeed ? 1 : 0
    if (v.valid) validIn.add(monthOf(v.at))
  }
  for (const v of sorted) if (!validIn.has(monthOf(v.at))) month(v.at).c[at('noValidVisit')] = 1
  const firstVisit = sorted.length ? sorted[0].at : null
  for (const r of referrals) {
    month(r.referredAt).c[at('referred')] = 1
    if (r.acceptedAt) month(r.acceptedAt).c[at('accepted')] = 1
    if (r.approvedAt) month(r.approvedAt).c[at('approved')] = 1
    if (r.disbursedAt) {
      const m = month(r.disbursedAt)
      m.c[at('disbursed')] = 1
      if (r.loan.firstLender) {
        m.c[at('firstLenderConversions')] = 1
        if (r.loan.flagged) m.c[at('firstLenderFlagged')] = 1
        if (r.loan.enterprise) m.c[at('firstLenderEnterprises')] = 1
      }
      m.c[at('loans')] += 1
      m.c[at('amountYuan')] += r.loan.amountYuan
      if (r.loan.credit) {
        m.c[at('creditLoans')] += 1
        m.c[at('creditAmountYuan')] += r.loan.amountYuan
      }
      m.r.push(tenthsBetween(r.referredAt, r.disbursedAt))
      if (firstVisit) m.v.push(tenthsBetween(firstVisit, r.disbursedAt))
    }
    const acceptance = acceptanceOf(r)
    if (acceptance.due) {
      const m = month(r.acceptDueAt)
      const onTime = acceptance.onTime ? 1 : 0
      m.c[at('due')] += 1
      m.c[at('onTime')] += onTime
      const hour = (m.d ??= {})[hourOf(r.acceptDueAt)] ?? [0, 0]
      m.d[hourOf(r.acceptDueAt)] = [hour[0] + 1, hour[1] + onTime]
    }
  }
  return months
}

/** The periods a month counts in: itself, its quarter and its year. */
export function periodKeysOfMonth(month: string): string[] {
  const [y, m] = month.split('-').map(Number)
  return [`M${month}`, `Q${y}-${Math.ceil(m / 3)}`, `Y${y}`]
}

/** The pre-counted period a period is (a calendar month, quarter or year), or null. */
export function periodKeyOf(period: Period): string | null {
  const cacheKey = `${period.from}|${period.to}`
  let key = periodKeys.get(cacheKey)
  if (key === undefined) {
    key = keyOf(period)
    // Asked for each of thousands of groups in a read: remembered (a few hundred periods at most).
    if (periodKeys.size > 1000) periodKeys.clear()
    periodKeys.set(cacheKey, key)
  }
  return key
}

const periodKeys = new Map<string, string | null>()

function keyOf(period: Period): string | null {
  for (const kind of ['month', 'quarter', 'year'] as const) {
    const same = periodOf(kind, period.from)
    if (same.from !== period.from || same.to !== period.to) continue
    const [y, m] = period.from.split('-').map(Number)
    return kind === 'month' ? `M${period.from.slice(0, 7)}` : kind === 'quarter' ? `Q${y}-${Math.ceil(m / 3)}` : `Y${y}`
  }
  return null
}

/** The sums a group holds for a period (the state ones under `now`). */
export const TOTALS = [
  'listed',
  'assigned',
  'candidates',
  'visited',
  'visitedAssigned',
  'withNeed',
  'qualified',
  'referred',
  'accepted',
  'approved',
  'disbursed',
  'firstLenderConversions',
  'firstLenderFlagged',
  'firstLenderEnterprises',
  'loans',
  'creditLoans',
  'amountYuan',
  'creditAmountYuan',
  'due',
  'onTime',
] as const
export type Totals = Record<(typeof TOTALS)[number], number>

/** Every sum at 0; written out, as it is made for each of thousands of groups in a read. */
export const emptyTotals = (): Totals => ({
  listed: 0,
  assigned: 0,
  candidates: 0,
  visited: 0,
  visitedAssigned: 0,
  withNeed: 0,
  qualified: 0,
  referred: 0,
  accepted: 0,
  approved: 0,
  disbursed: 0,
  firstLenderConversions: 0,
  firstLenderFlagged: 0,
  firstLenderEnterprises: 0,
  loans: 0,
  creditLoans: 0,
  amountYuan: 0,
  creditAmountYuan: 0,
  due: 0,
  onTime: 0,
})

/** The player's state when counted: what the `now` sums and the qualified count read. */
export interface PlayerState {
  assigned: boolean
  candidate: boolean
  qualifies: boolean
}

export interface Contribution {
  totals: Totals
  /** Lead times in tenths of a day. */
  visitLeads: number[]
  referralLeads: number[]
}

/** What a player adds to each period key (`now` for its state). */
export function contributions(state: PlayerState, months: PlayerMonths): Map<string, Contribution> {
  const out = new Map<string, Contribution>()
  const now = emptyTotals()
  now.listed = 1
  now.assigned = state.assigned ? 1 : 0
  now.candidates = state.candidate ? 1 : 0
  out.set('now', { totals: now, visitLeads: [], referralLeads: [] })
  for (const month of Object.keys(months).sort()) {
    const facts = months[month]
    for (const key of periodKeysOfMonth(month)) {
      let entry = out.get(key)
      if (!entry) out.set(key, (entry = { totals: emptyTotals(), visitLeads: [], referralLeads: [] }))
      const t = entry.totals
      MONTH_COUNTS.forEach((name, i) => {
        const value = facts.c[i] ?? 0
        if (name === 'noValidVisit') {
          // Covered in the period: a month of it with a valid visit.
          if (facts.c[0] === 1 && value === 0) t.visitedAssigned = 1
        } else if (name === 'withNeed') {
          // The latest visit of the period: in the last month with a visit (months in order).
          if (facts.c[0] === 1) t.withNeed = value
        } else if (ONCE.has(name)) t[name] = Math.max(t[name], value)
        else t[name] += value
      })
      entry.visitLeads.push(...facts.v)
      entry.referralLeads.push(...facts.r)
    }
    for (const [hour, [due, onTime]] of Object.entries(facts.d ?? {})) {
      const totals = emptyTotals()
      totals.due = due
      totals.onTime = onTime
      out.set(`H${hour}`, { totals, visitLeads: [], referralLeads: [] })
    }
  }
  for (const [key, { totals }] of out) {
    if (key === 'now' || key.startsWith('H')) continue
    // visitedAssigned holds "covered" until here.
    totals.visitedAssigned = state.assigned ? totals.visitedAssigned : 0
    totals.qualified = state.qualifies ? totals.withNeed : 0
  }
  return out
}

/** Lead times as counts per tenth of a day. */
export type LeadHistogram = Map<number, number>

/** A quantile of a histogram (type 7, as figures.ts), in days. */
function histogramQuantile(histogram: LeadHistogram, q: number): number | null {
  const entries = [...histogram].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0])
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  return type7Tenths(total, q, (k) => {
    let seen = 0
    for (const [tenths, n] of entries) if ((seen += n) > k) return tenths
    throw new Error(`no order statistic ${k} of ${total}`)
  })
}

/** The loan figures of a period's sums, as loanFigures counts them from the loans. */
export function loanFiguresOf(t: Totals): ReturnType<typeof loanFigures> {
  return {
    loans: t.loans,
    newLoanCustomers: t.disbursed,
    firstLenderConversions: t.firstLenderConversions,
    firstLenderEstimated: t.firstLenderConversions - t.firstLenderFlagged,
    firstLenderEnterprises: t.firstLenderEnterprises,
    firstLenderRatio: ratio(t.firstLenderConversions, t.disbursed),
    creditLoanShareByCount: ratio(t.creditLoans, t.loans),
    creditLoanShareByAmount: ratio(t.creditAmountYuan, t.amountYuan),
  }
}

/** The figures from a scope's sums for a period and its `now` sums. */
/** A lead time's median and 90th percentile in days. */
export interface LeadQuantiles {
  median: number | null
  p90: number | null
}

/** The lead times as histograms, or their quantiles already taken (by the database). */
export type Leads = { visit: LeadHistogram; referral: LeadHistogram } | { quantiles: { visit: LeadQuantiles; referral: LeadQuantiles } }

export const quantilesOf = (histogram: LeadHistogram): LeadQuantiles => ({ median: histogramQuantile(histogram, 0.5), p90: histogramQuantile(histogram, 0.9) })

export function figuresFromTotals(period: Totals, now: Totals, leads: Leads): Figures {
  const lead = 'quantiles' in leads ? leads.quantiles : { visit: quantilesOf(leads.visit), referral: quantilesOf(leads.referral) }
  const { loans: _loans, ...loans } = loanFiguresOf(period)
  return {
    listed: now.listed,
    assigned: now.assigned,
    visited: period.visited,
    withNeed: period.withNeed,
    qualified: period.qualified,
    coverage: ratio(period.visitedAssigned, now.assigned),
    needRate: ratio(period.withNeed, period.visited),
    candidates: now.candidates,
    referred: period.referred,
    accepted: period.accepted,
    approved: period.approved,
    disbursed: period.disbursed,
    ...loans,
    acceptedOnTime: ratio(period.onTime, period.due),
    leadTimeVisitToDisbursementDays: lead.visit,
    leadTimeReferralToDisbursementDays: lead.referral,
  }
}
