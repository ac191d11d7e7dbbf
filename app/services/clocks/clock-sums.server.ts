// The deadline ranking's pre-counted sums (migration 0020, decision 0260): per China month of
// the clocks' start, org unit and officer, the ranking's counts as they stood at one moment
// (`as_of`). Rebuilt whole by a background loop; between rebuilds the triggers mark the
// groups that changed, and a read (clock-ranking.server.ts) counts those straight and adds
// what time alone changed, so the ranking is exact without waiting for the loop.
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { dialectOf } from '../../../db/dialect.server'
import type { Database } from '../../../db/schema'
import { logger } from '../../server/logger.server'
import type { Db } from '../audit.server'
import { startBackgroundLoop, type BackgroundLoop } from '../background-loop.server'
import { insertReferralSums } from './referral-clock-counts.server'

/** The China month (`2026-04`) of a stored instant, in SQL. */
export function chinaMonthOf(db: Kysely<any>, instant: RawBuilder<unknown> | ReturnType<typeof sql.ref>): RawBuilder<string> {
  return dialectOf(db) === 'postgres'
    ? sql<string>`to_char((${instant})::timestamptz at time zone 'UTC' + interval '8 hours', 'YYYY-MM')`
    : sql<string>`strftime('%Y-%m', ${instant}, '+8 hours')`
}

/** The calendar months (`2026-04`) that lie whole within the China days `from` to `to`. */
export function wholeMonthsOf(from: string, to: string): string[] {
  const months: string[] = []
  let [y, m] = from.slice(0, 7).split('-').map(Number)
  if (from.slice(8, 10) !== '01') [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1]
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`
    const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
    if (last > to) return months
    months.push(month)
    ;[y, m] = m === 12 ? [y + 1, 1] : [y, m + 1]
  }
}

const count = (condition: RawBuilder<unknown>) => sql<number>`sum(case when ${condition} then 1 else 0 end)`

/**
 * Counts every group afresh as of `now` and clears the marks, in one snapshot (PostgreSQL:
 * repeatable read, so a clock changed while it runs keeps its mark and is read straight).
 */
export async function rebuildClockSums(db: Kysely<Database>, now: Date = new Date()): Promise<void> {
  const at = now.toISOString()
  const started = performance.now()
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await trx.deleteFrom('clock_sums').execute()
      await insertSums(trx, at)
      await insertReferralSums(trx, at)
      await trx.deleteFrom('clock_sums_dirty').execute()
      await trx.updateTable('clock_sums_state').set({ as_of: at }).where('id', '=', 1).execute()
    })
  logger.info('clock sums rebuilt', { ms: Math.round(performance.now() - started) })
}

async function insertSums(trx: Db, at: string): Promise<void> {
  const month = chinaMonthOf(trx, sql.ref('player_clocks.started_at'))
  await trx
    .insertInto('clock_sums')
    .columns(['month', 'org_unit_id', 'officer_id', 'clocks', 'contact_due', 'contacted_on_time', 'decide_due', 'decided_on_time', 'overdue', 'refusals', 'refusals_with_reason', 'escalated'])
    .expression(
      trx
        .selectFrom('player_clocks')
        .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
        .select([
          month.as('month'),
          sql<number>`coalesce(market_players.org_unit_id, 0)`.as('org_unit_id'),
          sql<number>`coalesce(market_players.assigned_officer_id, 0)`.as('officer_id'),
          sql<number>`count(*)`.as('clocks'),
          count(sql`player_clocks.contact_due_at <= ${at} or player_clocks.contacted_at is not null and player_clocks.contact_due_at is not null`).as('contact_due'),
          count(sql`player_clocks.contacted_at <= player_clocks.contact_due_at`).as('contacted_on_time'),
          count(sql`player_clocks.decide_due_at <= ${at} or player_clocks.decided_at is not null and player_clocks.decide_due_at is not null`).as('decide_due'),
          count(sql`player_clocks.decided_at <= player_clocks.decide_due_at`).as('decided_on_time'),
          count(sql`player_clocks.next_due_at < ${at}`).as('overdue'),
          count(sql`player_clocks.decision = 'refused'`).as('refusals'),
          count(sql`player_clocks.decision = 'refused' and player_clocks.refusal_reason is not null`).as('refusals_with_reason'),
          sql<number>`sum(player_clocks.escalations)`.as('escalated'),
        ])
        .groupBy([month, sql`coalesce(market_players.org_unit_id, 0)`, sql`coalesce(market_players.assigned_officer_id, 0)`]),
    )
    .execute()
}

/**
 * Every app server (and `npm run worker`) rebuilds the sums every ten minutes, so a read adds
 * at most ten minutes of clocks that fell due and the marked groups stay few.
 */
export function startClockSums(db: Kysely<Database>, options: { intervalMs?: number } = {}): BackgroundLoop {
  return startBackgroundLoop('clock sums', options.intervalMs ?? 600_000, async () => {
    try {
      await rebuildClockSums(db)
    } catch (error) {
      // Two servers rebuilding at once on PostgreSQL: one gives way, the next pass catches up.
      logger.warn('clock sums not rebuilt', { error: String(error) })
    }
  })
}
