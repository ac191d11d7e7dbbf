// The sums of periods in a scope, split by org unit, officer or township when asked, with the
// queued players' corrections made: exact at any moment, since a read takes the sums and the
// queue in one snapshot, and for each player still queued takes away what it counted for and
// adds what it counts for now.
import { sql } from 'kysely'
import { contributions, emptyTotals, periodKeyOf, TOTALS, type LeadHistogram, type LeadQuantiles, type Totals } from '../../domain/figure-facts'
import type { Period } from '../../domain/figures'
import type { Db } from '../audit.server'
import { column, countedBefore, countNow, n } from './counted-players.server'
import { aheadRange, deadlinesAhead } from './deadlines-ahead.server'
import { leadQuantiles } from './lead-quantiles.server'
import { dimensionOf, groupFilter, inScope, type Dimension, type Snapshot } from './scope-of-sums.server'

export interface Sums {
  /** By period key (and `now`). */
  totals: Map<string, Totals>
  /** The lead-time histograms of the periods whose lead times were read, by period key. */
  leads: Map<string, { visit: LeadHistogram; referral: LeadHistogram }>
  /** The lead times' quantiles, by period key, when the database took them (an undivided read, nothing queued). */
  quantiles: Map<string, { visit: LeadQuantiles; referral: LeadQuantiles }>
}

export const emptySums = (keys: readonly string[]): Sums => ({ totals: new Map(keys.map((k) => [k, emptyTotals()])), leads: new Map(), quantiles: new Map() })
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

export interface ReadOptions {
  /**
   * Lead times (histograms, or quantiles) and the deadlines still ahead: the costliest parts
   * of a read. Lead times for every period asked, or for those given.
   */
  leads: boolean | readonly Period[]
  deadlines: boolean | readonly Period[]
  /** The sums to read; every one when not given (the others stay 0). */
  totals?: readonly (typeof TOTALS)[number][]
}

/**
 * The sums of the periods (and `now`) in scope, split by a dimension (one part, `*`, when
 * none), with the queued players' corrections made and the deadlines still ahead taken away.
 */
export async function sumsOf(db: Db, { resolved, queued }: Snapshot, periods: readonly Period[], by: Dimension | null, now: Date, options: ReadOptions): Promise<Map<string, Sums>> {
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
