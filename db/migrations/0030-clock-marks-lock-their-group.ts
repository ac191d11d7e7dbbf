// Frozen in time. PostgreSQL only (decision 0911): the triggers that mark a ranking group
// changed (`clock_sums_dirty`, 0020 for clocks and players, 0026 for referrals) write the
// mark even when it is there already (`on conflict … do update`, a no-op update), instead of
// `do nothing`.
//
// The sums' rebuild counts in one snapshot and then cleared every mark it saw. With `do
// nothing`, a write to a group already marked left the mark as it was: committed after the
// rebuild's snapshot, it was neither in the sums nor marked once the rebuild cleared the
// mark, and the ranking missed it until the next rebuild. Now the write gives the mark a new
// row version (and holds it until it commits), and the rebuild clears a mark only if its row
// version is still the one it saw (services/clocks/clock-sums.server.ts). SQLite's one write
// lock keeps a write out of the rebuild's final transaction.
import { sql, type Kysely } from 'kysely'
import { dialectOf } from '../dialect.server'

const month = (column: string) => `to_char((${column})::timestamptz at time zone 'UTC' + interval '8 hours', 'YYYY-MM')`

async function define(db: Kysely<any>, conflict: string): Promise<void> {
  const fromClock = (row: 'new' | 'old') =>
    `insert into clock_sums_dirty (month, org_unit_id, officer_id)
     select ${month(`${row}.started_at`)}, coalesce(p.org_unit_id, 0), coalesce(p.assigned_officer_id, 0) from market_players p where p.id = ${row}.player_id ${conflict};`
  const fromPlayer = (row: 'new' | 'old') =>
    `insert into clock_sums_dirty (month, org_unit_id, officer_id)
     select distinct ${month('c.started_at')}, coalesce(${row}.org_unit_id, 0), coalesce(${row}.assigned_officer_id, 0) from player_clocks c where c.player_id = ${row}.id ${conflict};`
  const fromReferral = (row: 'new' | 'old') =>
    `insert into clock_sums_dirty (month, org_unit_id, officer_id) values (${month(`${row}.referred_at`)}, ${row}.org_unit_id, ${row}.officer_id) ${conflict};`
  await sql
    .raw(
      `create or replace function clock_sums_mark() returns trigger language plpgsql as $$ begin
        if tg_op in ('UPDATE', 'DELETE') then ${fromClock('old')} end if;
        if tg_op in ('UPDATE', 'INSERT') then ${fromClock('new')} end if;
        return null; end $$`,
    )
    .execute(db)
  await sql
    .raw(
      `create or replace function clock_sums_mark_player() returns trigger language plpgsql as $$ begin
        ${fromPlayer('old')}
        if tg_op = 'UPDATE' then ${fromPlayer('new')} return null; end if;
        return old; end $$`,
    )
    .execute(db)
  await sql
    .raw(
      `create or replace function clock_sums_mark_referral() returns trigger language plpgsql as $$ begin
        if tg_op in ('UPDATE', 'DELETE') then ${fromReferral('old')} end if;
        if tg_op in ('UPDATE', 'INSERT') then ${fromReferral('new')} end if;
        return null; end $$`,
    )
    .execute(db)
}

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') await define(db, 'on conflict (month, org_unit_id, officer_id) do update set month = excluded.month')
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') await define(db, 'on conflict do nothing')
}
