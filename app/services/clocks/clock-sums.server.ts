// The deadline ranking's pre-counted sums (migration 0020, decision 0260): per China month of
// the clocks' start, org unit and officer, the ranking's counts as they stood at one moment
// (`as_of`). Rebuilt whole by a background loop; between rebuilds the triggers mark the
// groups that changed, and a read (clock-ranking.server.ts) counts those straight and adds
// what time alone changed, so the ranking is exact without waiting for the loop.
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { sqliteHandleOf } from '../../../db/connection.server'
import { dialectOf } from '../../../db/dialect.server'
import type { Database } from '../../../db/schema'
import { logger } from '../../server/logger.server'
import type { Db } from '../audit.server'
import { startBackgroundLoop, type BackgroundLoop } from '../background-loop.server'
import { insertReferralSums, referralMarked, type SumsTable } from './referral-clock-counts.server'

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
 * Counts every group afresh as of `now` and clears the marks. PostgreSQL: in one snapshot
 * (repeatable read), then clears each mark it saw whose row version is still the one it saw:
 * a write marks its group with a new version even when the mark is there (0030), so a group a
 * write changed after the snapshot keeps its mark and is read straight (decision 0911).
 * SQLite: see rebuildOnSqlite. `beforeWrite` runs between the counting and the write (tests).
 */
export async function rebuildClockSums(db: Kysely<Database>, now: Date = new Date(), options: { beforeWrite?: () => Promise<void> } = {}): Promise<void> {
  const at = now.toISOString()
  const started = performance.now()
  if (sqliteHandleOf(db)) {
    await rebuildOnSqlite(db, at, options)
  } else {
    const seen = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const marks = await sql<{ month: string; org_unit_id: number; officer_id: number; version: string }>`select month, org_unit_id, officer_id, xmin::text as version from clock_sums_dirty`.execute(trx)
        await trx.deleteFrom('clock_sums').execute()
        await insertSums(trx, at)
        await insertReferralSums(trx, at)
        await options.beforeWrite?.()
        await trx.updateTable('clock_sums_state').set({ as_of: at }).where('id', '=', 1).execute()
        return marks.rows
      })
    // Until these go, the groups they mark are read straight: right, only slower.
    if (seen.length > 0) {
      await sql`delete from clock_sums_dirty d using unnest(${seen.map((m) => m.month)}::text[], ${seen.map((m) => m.org_unit_id)}::int[], ${seen.map((m) => m.officer_id)}::int[], ${seen.map((m) => m.version)}::text[]) as m(month, org_unit_id, officer_id, version)
        where d.month = m.month and d.org_unit_id = m.org_unit_id and d.officer_id = m.officer_id and d.xmin::text = m.version`.execute(db)
    }
  }
  logger.info('clock sums rebuilt', { ms: Math.round(performance.now() - started) })
}

const GROUP = sql`(month, org_unit_id, officer_id)`

/**
 * On SQLite one transaction counting every clock and referral held the write lock as long
 * as the counting took (every visit, audit line and loan QR batch waiting behind it, 0841).
 * Here the counting is read, not written: into tables of the connection's own (`temp`,
 * which take no lock on the database), with no transaction open: every group's counts, and
 * from them the rows that differ from the sums and the groups gone. Then one short write
 * transaction, if no other rebuild moved `as_of` meanwhile: the differences go in; the
 * groups marked changed since the last rebuild (those a write changed while this one
 * counted are among them; every other group's clocks and referrals are what was counted)
 * are counted again there, through the officer index as the ranking's read does; the marks
 * are cleared and `as_of` moves. The sums come out as one transaction's would at that moment.
 */
async function rebuildOnSqlite(db: Kysely<Database>, at: string, options: { beforeWrite?: () => Promise<void> }): Promise<void> {
  const state = await db.selectFrom('clock_sums_state').select('as_of').where('id', '=', 1).executeTakeFirst()
  const asOf = state?.as_of ?? null
  const { ddl } = await sql<{ ddl: string }>`select sql as ddl from sqlite_master where type = 'table' and name = 'clock_sums'`.execute(db).then((r) => r.rows[0]!)
  const dropTemp = async () => {
    for (const table of ['clock_sums_next', 'clock_sums_diff', 'clock_sums_gone']) await sql.raw(`drop table if exists temp.${table}`).execute(db)
  }
  await dropTemp()
  await sql.raw(ddl.replace(/^create table "?clock_sums"?/i, 'create temp table clock_sums_next').replace('"clock_sums_pk"', '"clock_sums_next_pk"')).execute(db)
  await insertSums(db, at, 'clock_sums_next')
  await insertReferralSums(db, at, 'clock_sums_next')
  await sql`create temp table clock_sums_diff as select * from temp.clock_sums_next except select * from main.clock_sums`.execute(db)
  await sql`create temp table clock_sums_gone as select month, org_unit_id, officer_id from main.clock_sums except select month, org_unit_id, officer_id from temp.clock_sums_next`.execute(db)
  await options.beforeWrite?.()
  try {
    await db.transaction().execute(async (trx) => {
      const now = await trx.selectFrom('clock_sums_state').select('as_of').where('id', '=', 1).executeTakeFirst()
      // Another rebuild wrote its sums and cleared the marks meanwhile: this one's counts are no longer whole.
      if ((now?.as_of ?? null) !== asOf) return
      await sql`delete from clock_sums where ${GROUP} in (select month, org_unit_id, officer_id from temp.clock_sums_gone)`.execute(trx)
      await sql`insert or replace into clock_sums select * from temp.clock_sums_diff`.execute(trx)
      const marks = await trx.selectFrom('clock_sums_dirty').select(['org_unit_id', 'officer_id']).execute()
      if (marks.length > 0) {
        await sql`delete from clock_sums where ${GROUP} in (select month, org_unit_id, officer_id from clock_sums_dirty)`.execute(trx)
        await insertSums(trx, at, 'clock_sums', {
          officers: marks.some((m) => m.officer_id !== 0),
          units: marks.some((m) => m.officer_id === 0 && m.org_unit_id !== 0),
          none: marks.some((m) => m.officer_id === 0 && m.org_unit_id === 0),
        })
        await insertReferralSums(trx, at, 'clock_sums', (eb) =>
          eb.and([eb('referrals.officer_id', 'in', eb.selectFrom('clock_sums_dirty').select('clock_sums_dirty.officer_id')), referralMarked(trx, eb)]),
        )
        await trx.deleteFrom('clock_sums_dirty').execute()
      }
      await trx.updateTable('clock_sums_state').set({ as_of: at }).where('id', '=', 1).execute()
    })
  } finally {
    await dropTemp()
  }
}

/** Which kinds of marked groups a recount looks for: an officer's, an org unit's unassigned players', those with neither. */
interface Marked {
  officers: boolean
  units: boolean
  none: boolean
}

/**
 * Counts the clocks into `into` as of `at`: every group, or (`marked`) only the groups marked
 * in clock_sums_dirty, their players found through the officer index (or, unassigned, the
 * org unit's), as the ranking's read counts them straight.
 */
async function insertSums(trx: Db, at: string, into: SumsTable = 'clock_sums', marked?: Marked): Promise<void> {
  const month = chinaMonthOf(trx, sql.ref('player_clocks.started_at'))
  await trx
    .insertInto(into as 'clock_sums')
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
        .$if(marked !== undefined, (q) =>
          q.where((eb) =>
            eb.and([
              // The unassigned by coalesce, so that the planner takes the org unit's index for them, not the officer's.
              eb.or([
                ...(marked?.officers ? [eb('market_players.assigned_officer_id', 'in', eb.selectFrom('clock_sums_dirty').select('clock_sums_dirty.officer_id').where('clock_sums_dirty.officer_id', '<>', 0))] : []),
                ...(marked?.units
                  ? [eb.and([eb('market_players.org_unit_id', 'in', eb.selectFrom('clock_sums_dirty').select('clock_sums_dirty.org_unit_id').where('clock_sums_dirty.officer_id', '=', 0)), eb(sql`coalesce(market_players.assigned_officer_id, 0)`, '=', 0)])]
                  : []),
                ...(marked?.none ? [eb.and([eb('market_players.org_unit_id', 'is', null), eb(sql`coalesce(market_players.assigned_officer_id, 0)`, '=', 0)])] : []),
              ]),
              eb.exists(
                eb
                  .selectFrom('clock_sums_dirty')
                  .select('clock_sums_dirty.month')
                  .where('clock_sums_dirty.month', '=', month)
                  .where('clock_sums_dirty.org_unit_id', '=', sql<number>`coalesce(market_players.org_unit_id, 0)`)
                  .where('clock_sums_dirty.officer_id', '=', sql<number>`coalesce(market_players.assigned_officer_id, 0)`),
              ),
            ]),
          ),
        )
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
