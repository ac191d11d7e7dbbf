// Frozen in time: field visits. Each visit's id is made by the client (a phone offline
// included), so a resend of the same visit is stored once. The player keeps what the
// officer's list asks of its latest visit (when, its outcome, the next follow-up), so "my
// list" reads one row per player instead of walking millions of visits.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('visits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id'))
    .addColumn('officer_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('visited_at', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('contact', 'text')
    .addColumn('notes', 'text')
    .addColumn('has_need', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('need_amount_yuan', 'bigint')
    .addColumn('need_purpose', 'text')
    .addColumn('need_term_months', 'integer')
    .addColumn('need_collateral', 'integer')
    .addColumn('need_product', 'text')
    .addColumn('obstacles', 'text')
    .addColumn('outcome', 'text')
    .addColumn('next_follow_up_on', 'text')
    .addColumn('check_in_lat', 'double precision')
    .addColumn('check_in_lng', 'double precision')
    .addColumn('check_in_accuracy_m', 'double precision')
    .addColumn('check_in_fix', 'text')
    .addColumn('check_in_distance_m', 'integer')
    .addColumn('check_in_flag', 'text')
    .addColumn('far_reason', 'text')
    .addColumn('position_set', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('conflict', 'text')
    .execute()
  await db.schema.createIndex('visits_player').on('visits').columns(['player_id', 'visited_at']).execute()
  await db.schema.createIndex('visits_officer').on('visits').columns(['officer_id', 'visited_at']).execute()
  await db.schema.createIndex('visits_org').on('visits').columns(['org_unit_id', 'visited_at']).execute()

  await db.schema.alterTable('market_players').addColumn('last_visited_at', 'text').execute()
  await db.schema.alterTable('market_players').addColumn('last_outcome', 'text').execute()
  await db.schema.alterTable('market_players').addColumn('next_follow_up_on', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('market_players').dropColumn('next_follow_up_on').execute()
  await db.schema.alterTable('market_players').dropColumn('last_outcome').execute()
  await db.schema.alterTable('market_players').dropColumn('last_visited_at').execute()
  await db.schema.dropTable('visits').execute()
}
