// Frozen in time: each player's stored hand-off flag (PRODUCT.md, "Qualifying for
// hand-off"), so the list and the map can filter by it. It depends on the player, its
// latest visit's need, the catalogue and the date (months registered), so it is kept fresh
// three ways: a visit refreshes its player at once; a change to what the rules read queues
// the player (a trigger, so an import's updates are caught wherever they come from); a new
// catalogue version or a new day asks for a pass over every player (the state row).
import { sql, type Kysely } from 'kysely'
import { dialectOf } from '../dialect.server'

/** The player columns the product rules read. */
const RULE_COLUMNS = ['kind', 'tax_grade', 'registration_status', 'registered_on']

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('market_players').addColumn('qualification', 'text', (c) => c.notNull().defaultTo('no_need')).execute()
  /** The codes of the products that accept the case, comma-separated. */
  await db.schema.alterTable('market_players').addColumn('qualified_products', 'text', (c) => c.notNull().defaultTo('')).execute()
  await db.schema.createIndex('market_players_qualification').on('market_players').columns(['qualification', 'id']).execute()

  await db.schema.createTable('qualification_queue').addColumn('player_id', 'integer', (c) => c.primaryKey()).execute()
  await db.schema
    .createTable('qualification_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    /** 1 when every player needs a fresh verdict (a new catalogue version). */
    .addColumn('stale', 'integer', (c) => c.notNull())
    /** The China date the last complete pass judged by (months registered move with it). */
    .addColumn('computed_on', 'text')
    .addColumn('running_since', 'text')
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('finished_at', 'text')
    .execute()
  await db.insertInto('qualification_state').values({ id: 1, stale: 1, computed_on: null, running_since: null, done: 0, total: 0, finished_at: null }).execute()

  if (dialectOf(db) === 'sqlite') {
    const changed = sql.raw(RULE_COLUMNS.map((c) => `old.${c} is not new.${c}`).join(' or '))
    await sql`create trigger qualification_queue_au after update of ${sql.raw(RULE_COLUMNS.join(', '))} on market_players when ${changed}
      begin insert or ignore into qualification_queue(player_id) values (new.id); end`.execute(db)
  } else {
    const changed = sql.raw(RULE_COLUMNS.map((c) => `old.${c} is distinct from new.${c}`).join(' or '))
    await sql`create function qualification_enqueue() returns trigger language plpgsql as $$
      begin insert into qualification_queue(player_id) values (new.id) on conflict do nothing; return null; end $$`.execute(db)
    await sql`create trigger qualification_queue_au after update of ${sql.raw(RULE_COLUMNS.join(', '))} on market_players
      for each row when (${changed}) execute function qualification_enqueue()`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    await sql`drop trigger if exists qualification_queue_au`.execute(db)
  } else {
    await sql`drop trigger if exists qualification_queue_au on market_players`.execute(db)
    await sql`drop function if exists qualification_enqueue()`.execute(db)
  }
  await db.schema.dropTable('qualification_state').execute()
  await db.schema.dropTable('qualification_queue').execute()
  await db.schema.dropIndex('market_players_qualification').execute()
  await db.schema.alterTable('market_players').dropColumn('qualified_products').execute()
  await db.schema.alterTable('market_players').dropColumn('qualification').execute()
}
