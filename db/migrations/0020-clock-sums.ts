// Frozen in time. The deadline ranking's pre-counted sums (issue 25: the province's ranking
// under 150 ms; decision 0260):
// - `clock_sums`: per China month the clocks started in, org unit and officer (0 for none),
//   the ranking's counts as they stood at `clock_sums_state.as_of`.
// - `clock_sums_dirty`: the groups changed since (a clock opened, met or removed; a player
//   moved to another outlet or officer). Triggers fill it, so no code path can forget; a read
//   counts a dirty group straight, and the next rebuild clears it.
// - Indexes on the contact and decision due times: a read adds the clocks that fell due
//   between `as_of` and now, found through them.
import { sql, type Kysely } from 'kysely'

const COUNTS = ['clocks', 'contact_due', 'contacted_on_time', 'decide_due', 'decided_on_time', 'overdue', 'refusals', 'refusals_with_reason']

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter.constructor.name.startsWith('Sqlite')
  let sums = db.schema
    .createTable('clock_sums')
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('org_unit_id', 'integer', (c) => c.notNull())
    .addColumn('officer_id', 'integer', (c) => c.notNull())
  for (const column of COUNTS) sums = sums.addColumn(column, 'integer', (c) => c.notNull())
  await sums.addPrimaryKeyConstraint('clock_sums_pk', ['month', 'org_unit_id', 'officer_id']).execute()
  await db.schema
    .createTable('clock_sums_dirty')
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('org_unit_id', 'integer', (c) => c.notNull())
    .addColumn('officer_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('clock_sums_dirty_pk', ['month', 'org_unit_id', 'officer_id'])
    .execute()
  /** One row; `as_of` null until the first rebuild (every read counts straight until then). */
  await db.schema.createTable('clock_sums_state').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('as_of', 'text').execute()
  await db.insertInto('clock_sums_state').values({ id: 1, as_of: null }).execute()
  await db.schema.createIndex('player_clocks_contact_due').on('player_clocks').columns(['contact_due_at']).execute()
  await db.schema.createIndex('player_clocks_decide_due').on('player_clocks').columns(['decide_due_at']).execute()

  // The China month of a clock's start, as the ranking's periods are China days.
  const month = (column: string) => (sqlite ? `strftime('%Y-%m', ${column}, '+8 hours')` : `to_char((${column})::timestamptz at time zone 'UTC' + interval '8 hours', 'YYYY-MM')`)
  const ignore = sqlite ? 'insert or ignore into' : 'insert into'
  const conflict = sqlite ? '' : ' on conflict do nothing'
  const fromClock = (row: 'new' | 'old') =>
    `${ignore} clock_sums_dirty (month, org_unit_id, officer_id)
     select ${month(`${row}.started_at`)}, coalesce(p.org_unit_id, 0), coalesce(p.assigned_officer_id, 0) from market_players p where p.id = ${row}.player_id${conflict};`
  const fromPlayer = (row: 'new' | 'old') =>
    `${ignore} clock_sums_dirty (month, org_unit_id, officer_id)
     select ${month('c.started_at')}, coalesce(${row}.org_unit_id, 0), coalesce(${row}.assigned_officer_id, 0) from player_clocks c where c.player_id = ${row}.id${conflict};`
  const moved = (distinct: string) => `old.org_unit_id ${distinct} new.org_unit_id or old.assigned_officer_id ${distinct} new.assigned_officer_id`
  if (sqlite) {
    await sql.raw(`create trigger clock_sums_ai after insert on player_clocks begin ${fromClock('new')} end`).execute(db)
    await sql.raw(`create trigger clock_sums_au after update on player_clocks begin ${fromClock('old')} ${fromClock('new')} end`).execute(db)
    await sql.raw(`create trigger clock_sums_ad after delete on player_clocks begin ${fromClock('old')} end`).execute(db)
    // Before the player goes: a cascade removes the clocks after the player row, when the
    // clocks' own trigger can no longer find the player's group.
    await sql.raw(`create trigger clock_sums_player_bd before delete on market_players begin ${fromPlayer('old')} end`).execute(db)
    await sql.raw(`create trigger clock_sums_player_au after update of org_unit_id, assigned_officer_id on market_players when ${moved('is not')} begin ${fromPlayer('old')} ${fromPlayer('new')} end`).execute(db)
  } else {
    await sql
      .raw(
        `create function clock_sums_mark() returns trigger language plpgsql as $$ begin
          if tg_op in ('UPDATE', 'DELETE') then ${fromClock('old')} end if;
          if tg_op in ('UPDATE', 'INSERT') then ${fromClock('new')} end if;
          return null; end $$`,
      )
      .execute(db)
    await sql.raw(`create trigger clock_sums_mark after insert or update or delete on player_clocks for each row execute function clock_sums_mark()`).execute(db)
    await sql
      .raw(
        `create function clock_sums_mark_player() returns trigger language plpgsql as $$ begin
          ${fromPlayer('old')}
          if tg_op = 'UPDATE' then ${fromPlayer('new')} return null; end if;
          return old; end $$`,
      )
      .execute(db)
    await sql.raw(`create trigger clock_sums_player_bd before delete on market_players for each row execute function clock_sums_mark_player()`).execute(db)
    await sql.raw(`create trigger clock_sums_player_au after update of org_unit_id, assigned_officer_id on market_players for each row when (${moved('is distinct from')}) execute function clock_sums_mark_player()`).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter.constructor.name.startsWith('Sqlite')
  if (sqlite) {
    for (const t of ['clock_sums_ai', 'clock_sums_au', 'clock_sums_ad', 'clock_sums_player_bd', 'clock_sums_player_au']) await sql.raw(`drop trigger if exists ${t}`).execute(db)
  } else {
    await sql`drop trigger if exists clock_sums_mark on player_clocks`.execute(db)
    await sql`drop trigger if exists clock_sums_player_bd on market_players`.execute(db)
    await sql`drop trigger if exists clock_sums_player_au on market_players`.execute(db)
    await sql`drop function if exists clock_sums_mark()`.execute(db)
    await sql`drop function if exists clock_sums_mark_player()`.execute(db)
  }
  await db.schema.dropIndex('player_clocks_decide_due').execute()
  await db.schema.dropIndex('player_clocks_contact_due').execute()
  await db.schema.dropTable('clock_sums_state').execute()
  await db.schema.dropTable('clock_sums_dirty').execute()
  await db.schema.dropTable('clock_sums').execute()
}
