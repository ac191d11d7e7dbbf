// The reporting team's reconciliation (issue 25 item 5): one row per disbursed loan, as the
// figures count it. Which loans stand behind which figure, and how a loan's amount and
// first-lender flag are read, decided here once (the same rules as domain/first-lender.ts).
export const LOAN_FIGURES = ['disbursed', 'newLoanCustomers', 'firstLenderConversions'] as const
export type LoanFigure = (typeof LOAN_FIGURES)[number]

export function isLoanFigure(value: unknown): value is LoanFigure {
  return typeof value === 'string' && (LOAN_FIGURES as readonly string[]).includes(value)
}

/** How a loan's first-lender flag was reached: the loan system's, else the loan history when referred. */
export type FirstLenderBasis = 'flagged' | 'estimated'

export interface LoanFacts {
  lentYuan: number | null
  amountYuan: number
  lenderFlag: number | null
  firstLenderAtReferral: number
}

/** The amount lent, or the amount asked where the loan system reported none (marked). */
export function loanAmount(loan: LoanFacts): { yuan: number; reported: boolean } {
  return loan.lentYuan === null ? { yuan: loan.amountYuan, reported: false } : { yuan: loan.lentYuan, reported: true }
}

/** First lender by the loan system's flag, else (estimated) by the loan history when referred. */
export function loanFirstLender(loan: LoanFacts): { firstLender: boolean; basis: FirstLenderBasis } {
  return loan.lenderFlag === null ? { firstLender: loan.firstLenderAtReferral === 1, basis: 'estimated' } : { firstLender: loan.lenderFlag === 1, basis: 'flagged' }
}
