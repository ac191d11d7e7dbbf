// The two figures the regulator scores a bank by (PRODUCT.md "Figures"), for hq's home page:
// first-lender conversions with the first-lender ratio, and the credit-loan share, for the
// year so far and month by month over the last months. Read through the figures services
// (the pre-counted sums where they hold the period), never counted again here.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { todayInChina } from '../../domain/china-time'
import { periodOf, type Period } from '../../domain/figures'
import type { Caller } from '../caller.server'
import { readFigures, readLoanTrend } from '../figure-rollups/read-figures.server'

export interface RegulatorMonth {
  /** YYYY-MM */
  month: string
  newLoanCustomers: number
  firstLenderConversions: number
  firstLenderRatio: number | null
  loans: number
  creditLoanShareByCount: number | null
}

/** The first day of the month `back` months before `day`'s. */
function monthStart(day: string, back: number): string {
  const [y, m] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1 - back, 1)).toISOString().slice(0, 10)
}

export async function readRegulatorFigures(db: Kysely<Database>, caller: Pick<Caller, 'scope'>, input: { today?: string; months?: number } = {}) {
  const today = input.today ?? todayInChina()
  const months = input.months ?? 6
  const scope = { scopes: [caller.scope] }
  const year = periodOf('year', today)
  // Whole months, so the sums hold each one: from the first of the month `months - 1` back to the end of this one.
  const span: Period = { from: monthStart(today, months - 1), to: periodOf('month', today).to }
  const [figures, trend] = await Promise.all([readFigures(db, scope, year), readLoanTrend(db, scope, span, 'month')])
  return {
    today,
    year,
    figures: {
      newLoanCustomers: figures.newLoanCustomers,
      firstLenderConversions: figures.firstLenderConversions,
      firstLenderEstimated: figures.firstLenderEstimated,
      firstLenderRatio: figures.firstLenderRatio,
      creditLoanShareByCount: figures.creditLoanShareByCount,
      creditLoanShareByAmount: figures.creditLoanShareByAmount,
    },
    months: trend.map(
      (m): RegulatorMonth => ({
        month: m.key,
        newLoanCustomers: m.newLoanCustomers,
        firstLenderConversions: m.firstLenderConversions,
        firstLenderRatio: m.firstLenderRatio,
        loans: m.loans,
        creditLoanShareByCount: m.creditLoanShareByCount,
      }),
    ),
  }
}
