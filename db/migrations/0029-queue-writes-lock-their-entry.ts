// Frozen in time. PostgreSQL only (decision 0881): the triggers that queue a player for the
// figures' drain and the qualification queue's drain write their queue row even when it is
// there already (`on conflict … do update`, a no-op update), instead of `do nothing`.
//
// With `do nothing` a write to an already-queued player left the queue row unlocked: a drain
// could take the row (delete it) and read the player before the write committed, so the drain
// recorded the player as it was before the write and the write was never queued again. The
// row's update holds its lock until the write commits, and the drains pass over locked rows
// (`for update skip locked`): the player is taken by a later batch, after the commit. SQLite's
// one write lock already keeps a drain from running inside a write.
import { sql, type Kysely } from 'kysely'
import { dialectOf } from '../dialect.server'

/** The figures' queued tables (0008) and the player each row belongs to. */
const FIGURES: { table: string; player: (row: 'new' | 'old') => string }[] = [
  { table: 'market_players', player: (r) => `${r}.id` },
  { table: 'visits', player: (r) => `${r}.player_id` },
  { table: 'referrals', player: (r) => `${r}.player_id` },
  { table: 'referral_events', player: (r) => `(select player_id from referrals where id = ${r}.referral_id)` },
]

async function define(db: Kysely<any>, onConflict: string): Promise<void> {
  for (const { table, player } of FIGURES) {
    const enqueue = (row: 'new' | 'old') => `insert into figures_queue(player_id) select ${player(row)} where ${player(row)} is not null ${onConflict};`
    await sql
      .raw(
        `create or replace function figures_enqueue_${table}() returns trigger language plpgsql as $$ begin
          if tg_op in ('UPDATE', 'DELETE') then ${enqueue('old')} end if;
          if tg_op in ('UPDATE', 'INSERT') then ${enqueue('new')} end if;
          return null; end $$`,
      )
      .execute(db)
  }
  await sql
    .raw(
      `create or replace function qualification_enqueue() returns trigger language plpgsql as $$
        begin insert into qualification_queue(player_id) values (new.id) ${onConflict}; return null; end $$`,
    )
    .execute(db)
}

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') await define(db, 'on conflict (player_id) do update set player_id = excluded.player_id')
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') await define(db, 'on conflict do nothing')
}
