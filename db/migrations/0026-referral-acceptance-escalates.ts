// Frozen in time. The referral acceptance clock joins the clock engine's escalation and
// ranking (issue 25, decision 0450):
// - `clock_escalations.referral_id`: the referral whose acceptance clock ran out (0 for a
//   player's own channel clocks). A player may be referred again after a case closes, so the
//   key becomes (player, clock, referral): each referral's clock escalates once, still kept
//   by `on conflict do nothing` on the key. SQLite cannot change a primary key: the table is
//   made again with its rows.
// - `referrals.escalations`: raised with the row, as `player_clocks.escalations` (0024), so
//   the sums' marks below see the change.
// - `clock_sums` gains the referrals' counts (made, acceptance due, accepted on time, overdue
//   and open); triggers on `referrals` mark the referral's group (China month of the
//   referral, its org unit and officer) in `clock_sums_dirty`, as 0020's do for clocks.
// - Indexes: referrals by time of referral (a ranking's days outside whole months), and the
//   open, not yet escalated acceptances by due time (the escalation pass; an escalated,
//   accepted or closed referral leaves it, so the pass never walks the year's referrals).
import { sql, type Kysely } from 'kysely'

const ESCALATION_COLUMNS = 'player_id, clock, due_at, escalated_at, officer_id, org_unit_id, manager_id'
const SUMS = ['referrals', 'accept_due', 'accepted_on_time', 'accept_overdue']
/** What moves a referral's counts or its group. */
const WATCHED = ['referred_at', 'accept_due_at', 'accepted_at', 'stage', 'org_unit_id', 'officer_id', 'escalations']

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter.constructor.name.startsWith('Sqlite')
  if (sqlite) {
    await db.schema
      .createTable('clock_escalations_0026')
      .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id').onDelete('cascade'))
      .addColumn('clock', 'text', (c) => c.notNull().check(sql`clock in ('accept', 'contact', 'decide')`))
      .addColumn('referral_id', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('due_at', 'text', (c) => c.notNull())
      .addColumn('escalated_at', 'text', (c) => c.notNull())
      .addColumn('officer_id', 'integer', (c) => c.references('users.id'))
      .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
      .addColumn('manager_id', 'integer', (c) => c.references('users.id'))
      .addPrimaryKeyConstraint('clock_escalations_pk', ['player_id', 'clock', 'referral_id'])
      .execute()
    await sql.raw(`insert into clock_escalations_0026 (${ESCALATION_COLUMNS}) select ${ESCALATION_COLUMNS} from clock_escalations`).execute(db)
    await db.schema.dropTable('clock_escalations').execute()
    await sql`alter table clock_escalations_0026 rename to clock_escalations`.execute(db)
    await db.schema.createIndex('clock_escalations_at').on('clock_escalations').columns(['escalated_at']).execute()
  } else {
    await db.schema.alterTable('clock_escalations').addColumn('referral_id', 'integer', (c) => c.notNull().defaultTo(0)).execute()
    await sql`alter table clock_escalations drop constraint clock_escalations_pk`.execute(db)
    await sql`alter table clock_escalations add constraint clock_escalations_pk primary key (player_id, clock, referral_id)`.execute(db)
  }
  await db.schema.alterTable('referrals').addColumn('escalations', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  for (const column of SUMS) await db.schema.alterTable('clock_sums').addColumn(column, 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.createIndex('referrals_referred_at').on('referrals').column('referred_at').execute()
  await db.schema
    .createIndex('referrals_accept_open')
    .on('referrals')
    .column('accept_due_at')
    .where(sql.raw<boolean>(`accepted_at is null and stage = 'referred' and escalations = 0`))
    .execute()

  // The China month of the referral, as 0020 takes the clock's start.
  const month = (column: string) => (sqlite ? `strftime('%Y-%m', ${column}, '+8 hours')` : `to_char((${column})::timestamptz at time zone 'UTC' + interval '8 hours', 'YYYY-MM')`)
  const ignore = sqlite ? 'insert or ignore into' : 'insert into'
  const conflict = sqlite ? '' : ' on conflict do nothing'
  const mark = (row: 'new' | 'old') =>
    `${ignore} clock_sums_dirty (month, org_unit_id, officer_id) values (${month(`${row}.referred_at`)}, ${row}.org_unit_id, ${row}.officer_id)${conflict};`
  if (sqlite) {
    const changed = WATCHED.map((c) => `old.${c} is not new.${c}`).join(' or ')
    await sql.raw(`create trigger clock_sums_referral_ai after insert on referrals begin ${mark('new')} end`).execute(db)
    await sql.raw(`create trigger clock_sums_referral_au after update of ${WATCHED.join(', ')} on referrals when ${changed} begin ${mark('old')} ${mark('new')} end`).execute(db)
    await sql.raw(`create trigger clock_sums_referral_ad after delete on referrals begin ${mark('old')} end`).execute(db)
  } else {
    const changed = WATCHED.map((c) => `old.${c} is distinct from new.${c}`).join(' or ')
    await sql
      .raw(
        `create function clock_sums_mark_referral() returns trigger language plpgsql as $$ begin
          if tg_op in ('UPDATE', 'DELETE') then ${mark('old')} end if;
          if tg_op in ('UPDATE', 'INSERT') then ${mark('new')} end if;
          return null; end $$`,
      )
      .execute(db)
    await sql.raw(`create trigger clock_sums_referral_ai after insert or delete on referrals for each row execute function clock_sums_mark_referral()`).execute(db)
    await sql.raw(`create trigger clock_sums_referral_au after update of ${WATCHED.join(', ')} on referrals for each row when (${changed}) execute function clock_sums_mark_referral()`).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter.constructor.name.startsWith('Sqlite')
  if (sqlite) {
    for (const t of ['clock_sums_referral_ai', 'clock_sums_referral_au', 'clock_sums_referral_ad']) await sql.raw(`drop trigger if exists ${t}`).execute(db)
  } else {
    await sql`drop trigger if exists clock_sums_referral_ai on referrals`.execute(db)
    await sql`drop trigger if exists clock_sums_referral_au on referrals`.execute(db)
    await sql`drop function if exists clock_sums_mark_referral()`.execute(db)
  }
  await db.schema.dropIndex('referrals_accept_open').execute()
  await db.schema.dropIndex('referrals_referred_at').execute()
  for (const column of [...SUMS].reverse()) await db.schema.alterTable('clock_sums').dropColumn(column).execute()
  await db.schema.alterTable('referrals').dropColumn('escalations').execute()
  // The referrals' escalations have no place in the old key.
  await db.deleteFrom('clock_escalations').where('referral_id', '<>', 0).execute()
  if (sqlite) {
    await db.schema
      .createTable('clock_escalations_0024')
      .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id').onDelete('cascade'))
      .addColumn('clock', 'text', (c) => c.notNull().check(sql`clock in ('accept', 'contact', 'decide')`))
      .addColumn('due_at', 'text', (c) => c.notNull())
      .addColumn('escalated_at', 'text', (c) => c.notNull())
      .addColumn('officer_id', 'integer', (c) => c.references('users.id'))
      .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
      .addColumn('manager_id', 'integer', (c) => c.references('users.id'))
      .addPrimaryKeyConstraint('clock_escalations_pk', ['player_id', 'clock'])
      .execute()
    await sql.raw(`insert into clock_escalations_0024 (${ESCALATION_COLUMNS}) select ${ESCALATION_COLUMNS} from clock_escalations`).execute(db)
    await db.schema.dropTable('clock_escalations').execute()
    await sql`alter table clock_escalations_0024 rename to clock_escalations`.execute(db)
    await db.schema.createIndex('clock_escalations_at').on('clock_escalations').columns(['escalated_at']).execute()
  } else {
    await sql`alter table clock_escalations drop constraint clock_escalations_pk`.execute(db)
    await sql`alter table clock_escalations add constraint clock_escalations_pk primary key (player_id, clock)`.execute(db)
    await db.schema.alterTable('clock_escalations').dropColumn('referral_id').execute()
  }
}
