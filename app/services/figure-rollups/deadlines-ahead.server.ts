// The acceptance deadlines a running period still has ahead: the sums count them under their
// hour, but they are not yet due, so a read takes them away.
import { sql } from 'kysely'
import { hourKey } from '../../domain/figure-facts'
import { acceptanceOf, type Period } from '../../domain/figures'
import type { Db } from '../audit.server'
import { firstReportAt, periodBounds } from '../figures.server'
import { n } from './counted-players.server'
import { dimensionOf, inScope, type Dimension, type Resolved } from './scope-of-sums.server'

/** The hour keys of the period's deadlines after this hour, [lo, hi); null when none are ahead. */
export function aheadRange(period: Period, now: Date): { nextHour: string; lo: string; hi: string } | null {
  const { from, until } = periodBounds(period)
  if (until <= now.toISOString()) return null
  const nextHour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000).toISOString()
  return { nextHour, lo: hourKey(nextHour > from ? nextHour : from), hi: hourKey(until) }
}

/**
 * The acceptance deadlines in the period still ahead of `now`, per dimension value: counted
 * in the sums, not yet due. The hours after this one from their sums; this hour's straight.
 */
export async function deadlinesAhead(db: Db, resolved: Resolved, period: Period, now: Date, by: Dimension | null): Promise<Map<string, { due: number; onTime: number }>> {
  const { scope, orgIds } = resolved
  const out = new Map<string, { due: number; onTime: number }>()
  const { from, until } = periodBounds(period)
  const nowIso = now.toISOString()
  if (until <= nowIso) return out
  const { nextHour, lo, hi } = aheadRange(period, now)!
  const add = (value: string, due: number, onTime: number) => {
    const counts = out.get(value) ?? out.set(value, { due: 0, onTime: 0 }).get(value)!
    counts.due += due
    counts.onTime += onTime
  }
  let q = db.selectFrom('referrals').innerJoin('market_players', 'market_players.id', 'referrals.player_id')
  // `+ 0`: the hour's few deadlines (referrals_accept_due) lead, not every player of the org
  // units, which SQLite would otherwise pick for an outlet (5 ms against 0.1 at province scale).
  if (orgIds !== null) q = q.where(sql<number>`market_players.org_unit_id + 0`, 'in', orgIds.length ? orgIds : [-1])
  for (const s of scope.scopes) if (s.kind === 'own') q = q.where('market_players.assigned_officer_id', '=', s.userId)
  if (scope.township !== undefined) q = q.where('market_players.township_code', '=', scope.township)
  const dim = by ? [sql.ref<string>(by).as('dim')] : [sql<string>`'*'`.as('dim')]
  const hours = inScope(db, 'figure_rollup', resolved, by)
    .where('period_key', '>=', lo)
    .where('period_key', '<', hi)
    .select([...dim, sql<number>`sum(due)`.as('due'), sql<number>`sum(on_time)`.as('onTime')])
  const [later, thisHour] = await Promise.all([
    (by ? hours.groupBy(by) : hours).execute(),
    // One lower bound, not two: given both, SQLite may range from the period's start.
    (from > nowIso ? q.where('referrals.accept_due_at', '>=', from) : q.where('referrals.accept_due_at', '>', nowIso))
      .where('referrals.accept_due_at', '<', nextHour < until ? nextHour : until)
      .select([
        'referrals.accept_due_at as dueAt',
        'referrals.accepted_at as acceptedAt',
        'market_players.org_unit_id as orgUnitId',
        'market_players.assigned_officer_id as officerId',
        'market_players.township_code as township',
        firstReportAt(['withdrawn']).as('withdrawnAt'),
      ])
      .execute(),
  ])
  for (const row of later as unknown as { dim: unknown; due: unknown; onTime: unknown }[]) add(String(row.dim), n(row.due), n(row.onTime))
  for (const r of thisHour) {
    const acceptance = acceptanceOf({ acceptDueAt: r.dueAt, acceptedAt: r.acceptedAt, withdrawnAt: r.withdrawnAt })
    if (!acceptance.due) continue
    add(dimensionOf({ orgUnitId: r.orgUnitId, officerId: r.officerId ?? 0, township: r.township ?? '' }, by), 1, acceptance.onTime ? 1 : 0)
  }
  return out
}
