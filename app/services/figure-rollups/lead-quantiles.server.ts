// The lead times' median and 90th percentile from the sums' histograms, in two reads.
import { sql } from 'kysely'
import type { LeadQuantiles } from '../../domain/figure-facts'
import { type7Ranks, type7Tenths } from '../../domain/figures'
import type { Db } from '../audit.server'
import { DAYS_OF, n, type LeadKind } from './counted-players.server'
import { inScope, type Resolved } from './scope-of-sums.server'

/**
 * The median and 90th percentile of each lead time of each period, interpolated between the
 * two order statistics each falls between (type 7, as domain/figures.ts): the day each of
 * those falls in from the days' counts, then the tenth within that day from its ten tenths'
 * counts. Two reads, whatever the number of periods.
 */
export async function leadQuantiles(db: Db, resolved: Resolved, periods: readonly string[]): Promise<Map<string, { visit: LeadQuantiles; referral: LeadQuantiles }>> {
  const out = new Map(periods.map((p) => [p, { visit: { median: null, p90: null } as LeadQuantiles, referral: { median: null, p90: null } as LeadQuantiles }]))
  if (periods.length === 0) return out
  const rows = (kinds: LeadKind[], ranges?: { period: string; kind: LeadKind; day: number }[]) => {
    let q = inScope(db, 'figure_leads', resolved, null)
      .where('period_key', 'in', periods)
      .where('kind' as never, 'in', kinds as never)
    if (ranges) {
      q = q.where((eb) =>
        eb.or(ranges.map((r) => eb.and([eb('period_key', '=', r.period), eb('kind' as never, '=', r.kind as never), eb('tenths' as never, '>=', (r.day * 10) as never), eb('tenths' as never, '<=', (r.day * 10 + 9) as never)]))),
      )
    }
    return q
      .select(['period_key', 'kind' as never, 'tenths' as never, sql<number>`sum(loans)`.as('n')])
      .groupBy(['period_key', 'kind', 'tenths'] as never)
      .orderBy('tenths' as never)
      .execute() as unknown as Promise<{ period_key: string; kind: LeadKind; tenths: number; n: unknown }[]>
  }
  const days = await rows(['visit_day', 'referral_day'])
  // Each order statistic wanted (from 0): the day it falls in, and how many loans came before that day.
  const wanted: { period: string; kind: 'visit' | 'referral'; rank: number; day: number; before: number; tenths?: number }[] = []
  const quantiles: { period: string; kind: 'visit' | 'referral'; field: 'median' | 'p90'; total: number; q: number }[] = []
  for (const period of periods) {
    for (const kind of ['visit', 'referral'] as const) {
      const counts = days.filter((d) => d.period_key === period && d.kind === DAYS_OF[kind]).map((d) => [Number(d.tenths), n(d.n)] as const).filter(([, c]) => c > 0)
      const total = counts.reduce((sum, [, c]) => sum + c, 0)
      if (total === 0) continue
      for (const [q, field] of [
        [0.5, 'median'],
        [0.9, 'p90'],
      ] as const) {
        quantiles.push({ period, kind, field, total, q })
        const { lo, hi } = type7Ranks(total, q)
        for (const rank of new Set([lo, hi])) {
          if (wanted.some((w) => w.period === period && w.kind === kind && w.rank === rank)) continue
          let before = 0
          const at = counts.find(([, c]) => (before + c > rank ? true : ((before += c), false)))!
          wanted.push({ period, kind, rank, day: at[0], before })
        }
      }
    }
  }
  if (wanted.length === 0) return out
  // The tenths of those days, all in one read.
  const tenths = await rows(
    [...new Set(wanted.map((w) => w.kind))],
    wanted.map((w) => ({ period: w.period, kind: w.kind, day: w.day })),
  )
  for (const w of wanted) {
    let seen = w.before
    const within = tenths.filter((r) => r.period_key === w.period && r.kind === w.kind && Math.floor(Number(r.tenths) / 10) === w.day)
    w.tenths = Number(within.find((r) => (seen += n(r.n)) > w.rank)!.tenths)
  }
  for (const { period, kind, field, total, q } of quantiles) {
    out.get(period)![kind][field] = type7Tenths(total, q, (rank) => wanted.find((w) => w.period === period && w.kind === kind && w.rank === rank)!.tenths!)
  }
  return out
}
