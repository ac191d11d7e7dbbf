// The pre-counted figures (domain/figure-facts.ts) against the reference (domain/figures.ts)
// on the worked quarter: each player's facts by month, summed into a month, the quarter and
// the year, give every figure the reference computes, lead time quantiles included.
import { describe, expect, it } from 'vitest'
import { contributions, emptyTotals, figuresFromTotals, loanFiguresOf, periodKeyOf, playerMonths, referralTimesOf, TOTALS, type LeadHistogram } from '../../app/domain/figure-facts'
import { computeFigures, loanOf, loanTrend, periodOf, reachedAt, type Period } from '../../app/domain/figures'
import { NOW, players, Q4, referrals } from './worked-quarter'

/** The sums of every player's contributions for a period, the deadlines ahead of now taken away. */
function fromSums(period: Period) {
  const key = periodKeyOf(period)!
  const totals = emptyTotals()
  const now = emptyTotals()
  const leads = { visit: new Map() as LeadHistogram, referral: new Map() as LeadHistogram }
  for (const p of players) {
    const months = playerMonths(
      p.visits.map((v) => ({ at: v.at, recordedAt: v.at, hasNeed: v.hasNeed, valid: v.valid })),
      referrals.filter((r) => r.playerId === p.id).map(referralTimesOf),
    )
    const each = contributions(p, months)
    for (const name of TOTALS) now[name] += each.get('now')!.totals[name]
    const c = each.get(key)
    if (!c) continue
    for (const name of TOTALS) totals[name] += c.totals[name]
    for (const t of c.visitLeads) leads.visit.set(t, (leads.visit.get(t) ?? 0) + 1)
    for (const t of c.referralLeads) leads.referral.set(t, (leads.referral.get(t) ?? 0) + 1)
  }
  // Deadlines in the period still ahead, as the query takes them away.
  for (const r of referrals.map(referralTimesOf)) {
    const day = new Date(Date.parse(r.acceptDueAt) + 8 * 3600_000).toISOString().slice(0, 10)
    const withdrawnFirst = r.withdrawnAt !== null && r.withdrawnAt < r.acceptDueAt && (r.acceptedAt === null || r.withdrawnAt < r.acceptedAt)
    if (day >= period.from && day <= period.to && r.acceptDueAt > NOW.toISOString() && !withdrawnFirst) {
      totals.due -= 1
      if (r.acceptedAt && r.acceptedAt <= r.acceptDueAt) totals.onTime -= 1
    }
  }
  return { figures: figuresFromTotals(totals, now, leads), totals }
}

describe('figures from per-player sums', () => {
  const periods: [string, Period][] = [
    ['the quarter', Q4],
    ['October', periodOf('month', '2026-10-01')],
    ['November', periodOf('month', '2026-11-01')],
    ['December', periodOf('month', '2026-12-01')],
    ['the third quarter (edges on both sides)', periodOf('quarter', '2026-09-01')],
    ['the year', periodOf('year', '2026-06-01')],
  ]
  for (const [label, period] of periods) {
    it(`equal the reference for ${label}`, () => {
      expect(fromSums(period).figures).toEqual(computeFigures(players, referrals, period, NOW))
    })
  }

  it('the quarter holds what the worked example counts by hand (the sums mean something)', () => {
    const { figures } = fromSums(Q4)
    expect(figures.visited).toBe(6)
    expect(figures.withNeed).toBe(3)
    // P10's only visit in the quarter did not count; P11's December one did.
    expect(figures.coverage).toBe(4 / 7)
    expect(figures.firstLenderConversions).toBe(3)
    expect(figures.firstLenderEstimated).toBe(1)
    expect(figures.firstLenderEnterprises).toBe(2)
    expect(figures.creditLoanShareByAmount).toBe(1_050_000 / 4_350_000)
    expect(figures.acceptedOnTime).toBe(5 / 7)
    expect(figures.leadTimeReferralToDisbursementDays.median).not.toBeNull()
  })

  it('coverage counts a month only by its valid visits: P11 is covered in December, not in October', () => {
    const october = fromSums(periodOf('month', '2026-10-01')).figures
    const december = fromSums(periodOf('month', '2026-12-01')).figures
    // October: P1 and P5 (valid), not P11 (its October visit did not count) of 7 assigned.
    expect(october.coverage).toBe(2 / 7)
    expect(october.visited).toBe(3)
    // December: P11 (P4 has no officer; P6's visit is in January in China).
    expect(december.coverage).toBe(1 / 7)
  })

  it('months counted before validity existed (no noValidVisit count) still cover', () => {
    const months = playerMonths([{ at: '2026-11-01T02:00:00Z', recordedAt: '2026-11-01T02:00:00Z', hasNeed: false, valid: true }], [])
    for (const m of Object.values(months)) m.c = m.c.slice(0, -1)
    expect(contributions({ assigned: true, candidate: false, qualifies: false }, months).get('Q2026-4')!.totals.visitedAssigned).toBe(1)
  })

  it('loan figures by month from the sums equal the trend from the loans', () => {
    const loans = referrals.flatMap((r) => {
      const at = reachedAt(r.events, 'disbursed')
      return at ? [{ ...loanOf(r), disbursedAt: at }] : []
    })
    for (const bucket of loanTrend(loans, Q4, 'month')) {
      const { key: _key, from: _from, to: _to, ...expected } = bucket
      expect(loanFiguresOf(fromSums(bucket).totals)).toEqual(expected)
    }
  })

  it('names the calendar periods it holds, and no other range', () => {
    expect(periodKeyOf({ from: '2026-11-01', to: '2026-11-30' })).toBe('M2026-11')
    expect(periodKeyOf({ from: '2026-10-01', to: '2026-12-31' })).toBe('Q2026-4')
    expect(periodKeyOf({ from: '2026-01-01', to: '2026-12-31' })).toBe('Y2026')
    expect(periodKeyOf({ from: '2026-11-02', to: '2026-11-30' })).toBeNull()
    expect(periodKeyOf({ from: '2026-01-01', to: '2026-06-30' })).toBeNull()
  })
})
