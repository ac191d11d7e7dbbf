// A quarter worked by hand for the figures of PRODUCT.md: first lenders and a repeat
// borrower, credit and secured loans, a declined and a withdrawn case, visits and loans on
// either side of the period's edges (China days), acceptance on time and late; and the
// regulator's first lender: a loan-system flag overriding the list (either way), an
// unflagged disbursement estimated, a repeat borrower counted once, amounts lent against
// asked, a reported guarantee type overriding the product's kind.
import type { PlayerFacts, ReferralFacts } from '../../app/domain/figures'

export const Q4 = { from: '2026-10-01', to: '2026-12-31' }
export const NOW = new Date('2026-12-20T00:00:00Z')

export const players: PlayerFacts[] = [
  // P1: visited before and in the period, the latest in it with a need.
  { id: 1, assigned: true, candidate: true, qualifies: true, visits: [{ at: '2026-09-20T02:00:00Z', hasNeed: false, valid: true }, { at: '2026-10-05T02:00:00Z', hasNeed: true, valid: true }] },
  // P2: two visits in the period, the latest with none.
  { id: 2, assigned: true, candidate: false, qualifies: true, visits: [{ at: '2026-11-01T02:00:00Z', hasNeed: true, valid: true }, { at: '2026-11-15T02:00:00Z', hasNeed: false, valid: true }] },
  // P3: never visited.
  { id: 3, assigned: true, candidate: true, qualifies: false, visits: [] },
  // P4: no officer; visited with a need (need rate counts it, coverage does not).
  { id: 4, assigned: false, candidate: true, qualifies: true, visits: [{ at: '2026-12-01T02:00:00Z', hasNeed: true, valid: true }] },
  // P5: 30 September 17:00 UTC is 1 October 01:00 in China: inside.
  { id: 5, assigned: true, candidate: false, qualifies: false, visits: [{ at: '2026-09-30T17:00:00Z', hasNeed: true, valid: true }] },
  // P6: 31 December 16:30 UTC is 1 January in China: outside.
  { id: 6, assigned: true, candidate: false, qualifies: true, visits: [{ at: '2026-12-31T16:30:00Z', hasNeed: true, valid: true }] },
  // P7–P9: no officer, never visited; they borrow (below).
  { id: 7, assigned: false, candidate: false, qualifies: false, visits: [] },
  { id: 8, assigned: false, candidate: false, qualifies: false, visits: [] },
  { id: 9, assigned: false, candidate: false, qualifies: false, visits: [] },
  // P10: assigned, visited in November on site but the visit did not count (checked in far
  // away, the reason not accepted), and validly in September, before the period: visited and
  // in the need rate, not covered. P11: an invalid visit in October and a valid one in
  // December: covered for the quarter (and for December, not October).
  { id: 10, assigned: true, candidate: false, qualifies: false, visits: [{ at: '2026-09-10T02:00:00Z', hasNeed: false, valid: true }, { at: '2026-11-20T02:00:00Z', hasNeed: false, valid: false }] },
  { id: 11, assigned: true, candidate: false, qualifies: false, visits: [{ at: '2026-10-10T02:00:00Z', hasNeed: false, valid: false }, { at: '2026-12-10T02:00:00Z', hasNeed: false, valid: true }] },
]

/** Households: P8 (and P4); the rest are enterprises. */
const HOUSEHOLDS = new Set([4, 8])
type Worked = Omit<ReferralFacts, 'enterprise' | 'lenderFlag' | 'guaranteeType' | 'lentYuan'> & Partial<Pick<ReferralFacts, 'lenderFlag' | 'guaranteeType' | 'lentYuan'>>
const referral = (r: Worked): ReferralFacts => ({ lenderFlag: null, guaranteeType: null, lentYuan: null, ...r, enterprise: !HOUSEHOLDS.has(r.playerId) })

const ev = (stage: ReferralFacts['events'][number]['stage'], at: string) => ({ stage, at })
export const referrals: ReferralFacts[] = ([
  // R1: first lender by its loan history (the loan system sent no flag: estimated), credit
  // by its product (no guarantee type reported), 800,000 lent of 1,000,000 asked, accepted
  // on time, disbursed in the period.
  { playerId: 1, firstLender: true, credit: true, amountYuan: 1_000_000, lentYuan: 800_000, referredAt: '2026-10-06T02:00:00Z', acceptDueAt: '2026-10-09T02:00:00Z',
    events: [ev('referred', '2026-10-06T02:00:00Z'), ev('accepted', '2026-10-08T01:00:00Z'), ev('approved', '2026-10-20T02:00:00Z'), ev('disbursed', '2026-11-02T02:00:00Z')] },
  // R2: repeat borrower (flagged not first lender), collateral, 2,500,000 lent of 3,000,000,
  // accepted late, disbursed without an approval report.
  { playerId: 2, firstLender: false, credit: false, amountYuan: 3_000_000, lenderFlag: false, guaranteeType: 'collateral', lentYuan: 2_500_000, referredAt: '2026-11-16T02:00:00Z', acceptDueAt: '2026-11-19T02:00:00Z',
    events: [ev('disbursed', '2026-12-10T02:00:00Z'), ev('referred', '2026-11-16T02:00:00Z'), ev('accepted', '2026-11-20T03:00:00Z')] },
  // R3: declined before acceptance: due, not on time.
  { playerId: 4, firstLender: true, credit: true, amountYuan: 200_000, referredAt: '2026-12-02T02:00:00Z', acceptDueAt: '2026-12-07T02:00:00Z',
    events: [ev('referred', '2026-12-02T02:00:00Z'), ev('declined', '2026-12-03T02:00:00Z')] },
  // R4: withdrawn before its deadline: not due.
  { playerId: 5, firstLender: true, credit: true, amountYuan: 500_000, referredAt: '2026-12-15T02:00:00Z', acceptDueAt: '2026-12-18T02:00:00Z',
    events: [ev('referred', '2026-12-15T02:00:00Z'), ev('withdrawn', '2026-12-16T02:00:00Z')] },
  // R5: disbursed 30 September 23:00 in China: before the period.
  { playerId: 6, firstLender: true, credit: true, amountYuan: 100_000, lenderFlag: true, guaranteeType: 'credit', lentYuan: 100_000, referredAt: '2026-09-01T02:00:00Z', acceptDueAt: '2026-09-04T02:00:00Z',
    events: [ev('referred', '2026-09-01T02:00:00Z'), ev('accepted', '2026-09-02T02:00:00Z'), ev('disbursed', '2026-09-30T15:00:00Z')] },
  // R6: P1 again, after its first loan; due after now: not yet due.
  { playerId: 1, firstLender: false, credit: true, amountYuan: 400_000, referredAt: '2026-12-18T02:00:00Z', acceptDueAt: '2026-12-23T02:00:00Z',
    events: [ev('referred', '2026-12-18T02:00:00Z')] },
  // R7: the list said "never borrowed", the loan system flagged it not first lender: the
  // flag wins, no conversion. Guaranteed, 500,000 lent of 600,000.
  { playerId: 7, firstLender: true, credit: false, amountYuan: 600_000, lenderFlag: false, guaranteeType: 'guaranteed', lentYuan: 500_000, referredAt: '2026-10-10T02:00:00Z', acceptDueAt: '2026-10-13T02:00:00Z',
    events: [ev('referred', '2026-10-10T02:00:00Z'), ev('disbursed', '2026-10-12T02:00:00Z')] },
  // R8: a household whose list did not say "never borrowed", flagged first lender: a
  // conversion. A credit product, reported as collateral: not a credit loan.
  { playerId: 8, firstLender: false, credit: true, amountYuan: 300_000, lenderFlag: true, guaranteeType: 'collateral', lentYuan: 300_000, referredAt: '2026-11-05T02:00:00Z', acceptDueAt: '2026-11-08T02:00:00Z',
    events: [ev('referred', '2026-11-05T02:00:00Z'), ev('disbursed', '2026-11-07T02:00:00Z')] },
  // R9a, R9b: P9 borrows twice in the quarter, a first lender the first time (flagged), its
  // loan history `has_loan` by the second hand-off (flagged not): one conversion, two loans.
  { playerId: 9, firstLender: true, credit: true, amountYuan: 200_000, lenderFlag: true, guaranteeType: 'credit', lentYuan: 150_000, referredAt: '2026-10-15T02:00:00Z', acceptDueAt: '2026-10-18T02:00:00Z',
    events: [ev('referred', '2026-10-15T02:00:00Z'), ev('disbursed', '2026-10-17T02:00:00Z')] },
  { playerId: 9, firstLender: false, credit: true, amountYuan: 100_000, lenderFlag: false, guaranteeType: 'credit', lentYuan: 100_000, referredAt: '2026-12-01T02:00:00Z', acceptDueAt: '2026-12-04T02:00:00Z',
    events: [ev('referred', '2026-12-01T02:00:00Z'), ev('disbursed', '2026-12-03T02:00:00Z')] },
] satisfies Worked[]).map(referral)
