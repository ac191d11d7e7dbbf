// The figures read from the pre-counted sums (see db/migrations/0008, domain/figure-facts.ts
// and drain.server.ts, which keeps them). A period the sums do not hold (a range that is not a
// calendar month, quarter or year) or a territory is counted straight (figures.server.ts), as
// is everything the sums are tested against.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { emptyTotals, figuresFromTotals, loanFiguresOf, periodKeyOf } from '../../domain/figure-facts'
import { trendBuckets, type Figures, type Period, type TrendStep } from '../../domain/figures'
import { computeFiguresInSql, loanTrendInSql, type FigureScope } from '../figures.server'
import { inScopeSnapshot, type Dimension } from './scope-of-sums.server'
import { emptySums, mergeSums, sumsOf, type ReadOptions, type Sums } from './sums.server'

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
