// Frozen in time. Channels (issue 25, PRODUCT.md "Channels and clocks"): every player and
// referral comes in through one: a working group's recommendation list, the loan QR code, a
// credit platform, or the bank's own lists. `channel_at` is when the player came in through
// it (the list's date, the QR submission), from which its clocks run. Existing rows came from
// the bank's own lists or by hand.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('market_players').addColumn('channel', 'text', (c) => c.notNull().defaultTo('own_list')).execute()
  await db.schema.alterTable('market_players').addColumn('channel_at', 'text').execute()
  await db.schema.alterTable('referrals').addColumn('channel', 'text', (c) => c.notNull().defaultTo('own_list')).execute()
  await sql`update market_players set channel_at = created_at`.execute(db)
  await db.schema.createIndex('market_players_channel').on('market_players').columns(['channel', 'org_unit_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('market_players_channel').execute()
  await db.schema.alterTable('referrals').dropColumn('channel').execute()
  await db.schema.alterTable('market_players').dropColumn('channel_at').execute()
  await db.schema.alterTable('market_players').dropColumn('channel').execute()
}
