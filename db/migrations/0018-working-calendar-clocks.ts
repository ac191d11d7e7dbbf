// Frozen in time. The working-day calendar and the channel clocks (issue 25 items 1 and 3;
// PRODUCT.md "Channels and clocks", "What it keeps"):
// - `working_calendar_days`: the days an admin keeps per year from the State Council's notice:
//   `off` (a weekday not worked) and `work` (a weekend day worked, 调休), each with a note.
//   Pre-filled with 2026 from 国务院办公厅关于2026年部分节假日安排的通知 (dated
//   2025-11-04, as republished from Xinhua; checked against two copies of its text).
// - `clock_settings`: the days each channel's clock allows, which an admin may change; `unit`
//   is `working` (the bank's calendar) or `calendar` (the working group's 30 days, decision 0181).
// - `clock_config`: one row whose `version` every edit of the two tables above raises, so each
//   app server's cached calendar knows with one cheap read that it is stale.
// - `player_clocks`: one row per player that came through a clocked channel: when each clock
//   is due and when it was met (accepted, contacted, decided, with the decision), plus
//   `next_due_at` (the earliest clock still open) so overdue lists and rankings read an index.
import { sql, type Kysely } from 'kysely'


const OFF_2026: [string, string][] = [
  ['2026-01-01', '元旦'], ['2026-01-02', '元旦'],
  ['2026-02-16', '春节'], ['2026-02-17', '春节'], ['2026-02-18', '春节'], ['2026-02-19', '春节'], ['2026-02-20', '春节'], ['2026-02-23', '春节'],
  ['2026-04-06', '清明节'],
  ['2026-05-01', '劳动节'], ['2026-05-04', '劳动节'], ['2026-05-05', '劳动节'],
  ['2026-06-19', '端午节'],
  ['2026-09-25', '中秋节'],
  ['2026-10-01', '国庆节'], ['2026-10-02', '国庆节'], ['2026-10-05', '国庆节'], ['2026-10-06', '国庆节'], ['2026-10-07', '国庆节'],
]
const WORK_2026: [string, string][] = [
  ['2026-01-04', '元旦调休上班'], ['2026-02-14', '春节调休上班'], ['2026-02-28', '春节调休上班'], ['2026-05-09', '劳动节调休上班'],
  ['2026-09-20', '国庆节调休上班'], ['2026-10-10', '国庆节调休上班'],
]

// Only weekdays need an `off` row (a weekend day is off anyway); the notice's weekend holidays
// (1月3日, 2月15日, 2月21–22日, 4月4–5日, 5月2–3日, 6月20–21日, 9月26–27日, 10月3–4日) are stored too,
// so the admin page shows the holiday whole as the notice gives it.
const WEEKEND_OFF_2026: [string, string][] = [
  ['2026-01-03', '元旦'], ['2026-02-15', '春节'], ['2026-02-21', '春节'], ['2026-02-22', '春节'], ['2026-04-04', '清明节'], ['2026-04-05', '清明节'],
  ['2026-05-02', '劳动节'], ['2026-05-03', '劳动节'], ['2026-06-20', '端午节'], ['2026-06-21', '端午节'], ['2026-09-26', '中秋节'], ['2026-09-27', '中秋节'],
  ['2026-10-03', '国庆节'], ['2026-10-04', '国庆节'],
]

const SETTINGS: [string, string, number, string][] = [
  ['working_group', 'contact', 30, 'calendar'],
  ['working_group', 'decide', 30, 'calendar'],
  ['loan_qr', 'accept', 1, 'working'],
  ['loan_qr', 'contact', 3, 'working'],
  ['loan_qr', 'decide', 5, 'working'],
  ['credit_platform', 'decide', 10, 'working'],
  // Every referral's acceptance by the loan pipeline (PRODUCT.md "Pipeline stages"), whatever its channel.
  ['referral', 'accept', 3, 'working'],
]

export async function up(db: Kysely<any>): Promise<void> {
  const now = new Date().toISOString()
  await db.schema
    .createTable('working_calendar_days')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('off', 'work')`))
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .execute()
  const days = [...OFF_2026, ...WEEKEND_OFF_2026].map(([day, note]) => ({ day, kind: 'off', note, updated_at: now, updated_by: null }))
  days.push(...WORK_2026.map(([day, note]) => ({ day, kind: 'work', note, updated_at: now, updated_by: null })))
  await db.insertInto('working_calendar_days').values(days).execute()

  await db.schema
    .createTable('clock_settings')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('clock', 'text', (c) => c.notNull().check(sql`clock in ('accept', 'contact', 'decide')`))
    .addColumn('days', 'integer', (c) => c.notNull().check(sql`days > 0`))
    .addColumn('unit', 'text', (c) => c.notNull().check(sql`unit in ('working', 'calendar')`))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addPrimaryKeyConstraint('clock_settings_pk', ['channel', 'clock'])
    .execute()
  await db.insertInto('clock_settings').values(SETTINGS.map(([channel, clock, d, unit]) => ({ channel, clock, days: d, unit, updated_at: now, updated_by: null }))).execute()

  await db.schema.createTable('clock_config').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('version', 'integer', (c) => c.notNull()).execute()
  await db.insertInto('clock_config').values({ id: 1, version: 1 }).execute()

  await db.schema
    .createTable('player_clocks')
    .addColumn('player_id', 'integer', (c) => c.primaryKey().references('market_players.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('accept_due_at', 'text')
    .addColumn('contact_due_at', 'text')
    .addColumn('decide_due_at', 'text')
    .addColumn('accepted_at', 'text')
    .addColumn('accepted_by', 'integer', (c) => c.references('users.id'))
    .addColumn('contacted_at', 'text')
    .addColumn('contacted_by', 'integer', (c) => c.references('users.id'))
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'integer', (c) => c.references('users.id'))
    /** approved | refused */
    .addColumn('decision', 'text', (c) => c.check(sql`decision in ('approved', 'refused')`))
    .addColumn('amount_yuan', 'bigint')
    /** A code of app/domain/clocks.ts's REFUSAL_REASONS; required with a refusal. */
    .addColumn('refusal_reason', 'text')
    .addColumn('refusal_note', 'text')
    /** The earliest due time of a clock still open; null when every clock is met. */
    .addColumn('next_due_at', 'text')
    .addCheckConstraint('player_clocks_refusal_reason', sql`decision is null or decision <> 'refused' or refusal_reason is not null`)
    .execute()
  await db.schema.createIndex('player_clocks_next_due').on('player_clocks').columns(['next_due_at']).execute()
  await db.schema.createIndex('player_clocks_started').on('player_clocks').columns(['started_at']).execute()

  // A list's channel: a working group's recommendation list or a platform's applications name
  // the group (or platform) and the list's date, from which every firm on it is clocked.
  await db.schema.alterTable('import_jobs').addColumn('channel', 'text', (c) => c.notNull().defaultTo('own_list')).execute()
  await db.schema.alterTable('import_jobs').addColumn('channel_group', 'text').execute()
  await db.schema.alterTable('import_jobs').addColumn('channel_at', 'text').execute()

}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_jobs').dropColumn('channel_at').execute()
  await db.schema.alterTable('import_jobs').dropColumn('channel_group').execute()
  await db.schema.alterTable('import_jobs').dropColumn('channel').execute()
  await db.schema.dropTable('player_clocks').execute()
  await db.schema.dropTable('clock_config').execute()
  await db.schema.dropTable('clock_settings').execute()
  await db.schema.dropTable('working_calendar_days').execute()
}
