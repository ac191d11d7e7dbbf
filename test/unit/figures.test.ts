// The figures of PRODUCT.md against a worked example, computed by hand: first lenders and a
// repeat borrower, credit and secured loans, a declined and a withdrawn case, visits and
// loans on either side of the period's edges (China days), acceptance on time and late.
import { describe, expect, it } from 'vitest'
import { computeFigures, loanTrend, nearestRank, periodOf, previousPeriod, rankBy, reachedAt, trendBuckets } from '../../app/domain/figures'
import { NOW, players, Q4, referrals } from './worked-quarter'

describe('the figures of a worked quarter', () => {
  const f = computeFigures(players, referrals, Q4, NOW)

  it('listed, assigned, coverage, need rate and candidates', () => {
    expect(f.listed).toBe(6)
    expect(f.assigned).toBe(5)
    // P1, P2, P5 of the five assigned (P4 has no officer; P6 was visited in January).
    expect(f.coverage).toBe(3 / 5)
    // Visited: P1, P2, P4, P5; latest visit in the period with a need: P1, P4, P5.
    expect(f.needRate).toBe(3 / 4)
    expect(f.candidates).toBe(3)
    // The funnel's middle: visited 4; with a need 3 (P1, P4, P5); of them a product accepts
    // P1 and P4 (P2 qualifies but its latest visit in the period found no need).
    expect([f.visited, f.withNeed, f.qualified]).toEqual([4, 3, 2])
  })

  it('players reaching each stage in the period, each once', () => {
    // P1 (twice), P2, P4, P5; R5 was referred in September.
    expect(f.referred).toBe(4)
    expect(f.accepted).toBe(2)
    // R2 reached approval when it was disbursed.
    expect(f.approved).toBe(2)
    expect(f.disbursed).toBe(2)
  })

  it('new loan customers, first-lender conversions and ratio, credit-loan share', () => {
    expect(f.newLoanCustomers).toBe(2)
    expect(f.firstLenderConversions).toBe(1)
    expect(f.firstLenderRatio).toBe(0.5)
    expect(f.creditLoanShareByCount).toBe(0.5)
    expect(f.creditLoanShareByAmount).toBe(1_000_000 / 4_000_000)
  })

  it('acceptance on time: R1 on time, R2 late, R3 declined unaccepted; R4 withdrawn and R6 not yet due', () => {
    expect(f.acceptedOnTime).toBe(1 / 3)
  })

  it('lead times in days, by the nearest rank', () => {
    // Visit → disbursement: P2 39 days, P1 43 days. Referral → disbursement: R2 24, R1 27.
    expect(f.leadTimeVisitToDisbursementDays).toEqual({ median: 39, p90: 43 })
    expect(f.leadTimeReferralToDisbursementDays).toEqual({ median: 24, p90: 27 })
  })

  it('ratios are null, and lead times empty, when nothing is there to divide', () => {
    const empty = computeFigures([], [], Q4, NOW)
    expect(empty).toMatchObject({ listed: 0, coverage: null, needRate: null, firstLenderRatio: null, creditLoanShareByCount: null, creditLoanShareByAmount: null, acceptedOnTime: null })
    expect(empty.leadTimeVisitToDisbursementDays).toEqual({ median: null, p90: null })
  })
})

describe('periods and quantiles', () => {
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

  it('nearest rank', () => {
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9)
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5)
    expect(nearestRank([7], 0.9)).toBe(7)
    expect(nearestRank([], 0.5)).toBeNull()
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
      return at ? [{ ...r, disbursedAt: at }] : []
    })
    const trend = loanTrend(loans, Q4, 'month')
    expect(trend.map((m) => [m.key, m.loans, m.firstLenderRatio, m.creditLoanShareByCount])).toEqual([
      ['2026-10', 0, null, null],
      ['2026-11', 1, 1, 1],
      ['2026-12', 1, 0, 0],
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

