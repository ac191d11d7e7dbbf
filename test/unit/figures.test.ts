// The figures of PRODUCT.md against a worked example, computed by hand: first lenders and a
// repeat borrower, credit and secured loans, a declined and a withdrawn case, visits and
// loans on either side of the period's edges (China days), acceptance on time and late.
import { describe, expect, it } from 'vitest'
import { comparablePeriod, computeFigures, loanOf, loanTrend, periodOf, previousPeriod, rankBy, reachedAt, trendBuckets } from '../../app/domain/figures'
import { type7Tenths } from '../../app/domain/figures'
import { NOW, players, Q4, referrals } from './worked-quarter'

describe('the figures of a worked quarter', () => {
  const f = computeFigures(players, referrals, Q4, NOW)

  it('listed, assigned, coverage, need rate and candidates', () => {
    expect(f.listed).toBe(11)
    expect(f.assigned).toBe(7)
    // Covered: P1, P2, P5 and P11 of the seven assigned (P4 has no officer; P6 was visited in
    // January; P10's only visit in the period did not count, its valid one was in September).
    expect(f.coverage).toBe(4 / 7)
    // Visited (valid or not): P1, P2, P4, P5, P10, P11; latest visit in the period with a need: P1, P4, P5.
    expect(f.needRate).toBe(3 / 6)
    expect(f.candidates).toBe(3)
    // The funnel's middle: visited 6; with a need 3 (P1, P4, P5); of them a product accepts
    // P1 and P4 (P2 qualifies but its latest visit in the period found no need).
    expect([f.visited, f.withNeed, f.qualified]).toEqual([6, 3, 2])
  })

  it('players reaching each stage in the period, each once', () => {
    // P1 (twice), P2, P4, P5, P7, P8, P9 (twice); R5 was referred in September.
    expect(f.referred).toBe(7)
    // P1, P2, and P7–P9 (reached by their disbursements).
    expect(f.accepted).toBe(5)
    // R2 reached approval when it was disbursed.
    expect(f.approved).toBe(5)
    expect(f.disbursed).toBe(5)
  })

  it('first-lender conversions the regulator\'s way: the flag decides, the loan history estimates where none came, a repeat borrower once', () => {
    // P1, P2, P7, P8, P9 (P9's two loans, one customer).
    expect(f.newLoanCustomers).toBe(5)
    // P1 (no flag; loan history none: estimated), P8 (flag over a list that did not say
    // "never borrowed"), P9 once; not P7 (flagged not, over the list's "never borrowed"), not P2.
    expect(f.firstLenderConversions).toBe(3)
    expect(f.firstLenderEstimated).toBe(1)
    // P1 and P9; P8 is a household.
    expect(f.firstLenderEnterprises).toBe(2)
    expect(f.firstLenderRatio).toBe(3 / 5)
  })

  it('credit-loan share by count and by amount lent, the reported guarantee type over the product\'s kind', () => {
    // Six loans; credit: R1 (by its product), R9a, R9b; not R8 (a credit product reported as collateral).
    expect(f.creditLoanShareByCount).toBe(3 / 6)
    // Lent, not asked: 800,000 + 150,000 + 100,000 of 4,350,000 (asked: 5,200,000).
    expect(f.creditLoanShareByAmount).toBe(1_050_000 / 4_350_000)
  })

  it('acceptance on time: R1 on time, R2 late, R3 declined unaccepted, R7–R9 on time; R4 withdrawn and R6 not yet due', () => {
    expect(f.acceptedOnTime).toBe(5 / 7)
  })

  it('lead times in days, interpolated between order statistics (type 7), to a tenth', () => {
    // Visit → disbursement: P2 39 days, P1 43 days: median 41, p90 39 + 0.9 × 4.
    expect(f.leadTimeVisitToDisbursementDays).toEqual({ median: 41, p90: 42.6 })
    // Referral → disbursement: 2, 2, 2, 2 (R7–R9), 24 (R2), 27 (R1): p90 halfway 24 to 27.
    expect(f.leadTimeReferralToDisbursementDays).toEqual({ median: 2, p90: 25.5 })
  })

  it('ratios are null, and lead times empty, when nothing is there to divide', () => {
    const empty = computeFigures([], [], Q4, NOW)
    expect(empty).toMatchObject({ listed: 0, coverage: null, needRate: null, firstLenderRatio: null, creditLoanShareByCount: null, creditLoanShareByAmount: null, acceptedOnTime: null })
    expect(empty.leadTimeVisitToDisbursementDays).toEqual({ median: null, p90: null })
  })
})

describe('periods and quantiles', () => {
  it('a running period is compared with as many days of the one before (like with like)', () => {
    const december = periodOf('month', '2026-12-03')
    expect(comparablePeriod(december, '2026-12-03')).toEqual({ from: '2026-11-01', to: '2026-11-03' })
    // 31 days of March against February's 29, not beyond its end.
    expect(comparablePeriod(periodOf('month', '2028-03-31'), '2028-03-30')).toEqual({ from: '2028-02-01', to: '2028-02-29' })
    expect(comparablePeriod(Q4, '2026-10-01')).toEqual({ from: '2026-07-01', to: '2026-07-01' })
    // A period over (or not begun) is compared whole.
    expect(comparablePeriod(Q4, '2027-01-05')).toEqual({ from: '2026-07-01', to: '2026-09-30' })
    expect(comparablePeriod(Q4, '2026-12-31')).toEqual({ from: '2026-07-01', to: '2026-09-30' })
  })
  it('the month, quarter and year of a day; the period before each, and before any range', () => {
    expect(periodOf('month', '2028-02-10')).toEqual({ from: '2028-02-01', to: '2028-02-29' })
    expect(periodOf('quarter', '2026-11-15')).toEqual(Q4)
    expect(periodOf('year', '2026-11-15')).toEqual({ from: '2026-01-01', to: '2026-12-31' })
    expect(previousPeriod(Q4)).toEqual({ from: '2026-07-01', to: '2026-09-30' })
    expect(previousPeriod({ from: '2028-03-01', to: '2028-03-31' })).toEqual({ from: '2028-02-01', to: '2028-02-29' })
    expect(previousPeriod({ from: '2026-01-01', to: '2026-12-31' })).toEqual({ from: '2025-01-01', to: '2025-12-31' })
    expect(previousPeriod({ from: '2026-11-10', to: '2026-11-19' })).toEqual({ from: '2026-10-31', to: '2026-11-09' })
  })

  it('a stage is reached at the first report of it or beyond', () => {
    expect(reachedAt(referrals[1].events, 'approved')).toBe('2026-12-10T02:00:00Z')
    expect(reachedAt(referrals[2].events, 'accepted')).toBeNull()
  })

  it('type-7 quantiles of tenths of a day, rounded to a tenth (as R\'s quantile(type = 7))', () => {
    const tenths = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    const at = (k: number) => tenths[k]
    // quantile(1:10, 0.9) = 9.1; quantile(1:10, 0.5) = 5.5.
    expect(type7Tenths(10, 0.9, at)).toBe(9.1)
    expect(type7Tenths(10, 0.5, at)).toBe(5.5)
    expect(type7Tenths(1, 0.9, () => 70)).toBe(7)
    expect(type7Tenths(0, 0.5, at)).toBeNull()
    // 1.1 and 1.4 days: the median 1.25 rounds to 1.3.
    expect(type7Tenths(2, 0.5, (k) => [11, 14][k])).toBe(1.3)
  })
})

describe('trends', () => {
  it('cuts a period into months, or into Monday-to-Sunday weeks cut at its ends', () => {
    expect(trendBuckets(Q4, 'month').map((b) => [b.key, b.from, b.to])).toEqual([
      ['2026-10', '2026-10-01', '2026-10-31'],
      ['2026-11', '2026-11-01', '2026-11-30'],
      ['2026-12', '2026-12-01', '2026-12-31'],
    ])
    // 1 October 2026 is a Thursday; 31 December a Thursday.
    const weeks = trendBuckets(Q4, 'week')
    expect(weeks[0]).toEqual({ key: '2026-10-01', from: '2026-10-01', to: '2026-10-04' })
    expect(weeks[1]).toEqual({ key: '2026-10-05', from: '2026-10-05', to: '2026-10-11' })
    expect(weeks.at(-1)).toEqual({ key: '2026-12-28', from: '2026-12-28', to: '2026-12-31' })
    expect(weeks).toHaveLength(14)
  })

  it('the loan figures month by month of the worked quarter', () => {
    const loans = referrals.flatMap((r) => {
      const at = reachedAt(r.events, 'disbursed')
      return at ? [{ ...loanOf(r), disbursedAt: at }] : []
    })
    const trend = loanTrend(loans, Q4, 'month')
    // October: R7 (flagged not), R9a (flagged); November: R1 (estimated), R8 (flagged,
    // collateral); December: R2, R9b (both flagged not: P9 is no first lender twice).
    expect(trend.map((m) => [m.key, m.loans, m.firstLenderRatio, m.creditLoanShareByCount])).toEqual([
      ['2026-10', 2, 0.5, 0.5],
      ['2026-11', 2, 1, 0.5],
      ['2026-12', 2, 0, 0.5],
    ])
  })
})

describe('ranking a league', () => {
  it('by any figure, either way, those without a value last, ties by name; lead times by their median', () => {
    const base = computeFigures([], [], Q4, NOW)
    const row = (name: string, ratio: number | null, median: number | null) => ({ name, figures: { ...base, firstLenderRatio: ratio, leadTimeReferralToDisbursementDays: { median, p90: median } } })
    const rows = [row('乙', 0.5, 20), row('甲', null, null), row('丙', 0.5, 10), row('丁', 0.9, 30)]
    expect(rankBy(rows, 'firstLenderRatio', 'desc').map((r) => r.name)).toEqual(['丁', '丙', '乙', '甲'])
    expect(rankBy(rows, 'firstLenderRatio', 'asc').map((r) => r.name)).toEqual(['丙', '乙', '丁', '甲'])
    expect(rankBy(rows, 'leadTimeReferralToDisbursementDays', 'asc').map((r) => r.name)).toEqual(['丙', '乙', '丁', '甲'])
  })
})

