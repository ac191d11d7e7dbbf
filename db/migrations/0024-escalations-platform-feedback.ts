// Frozen in time. Issue 25, the campaign's follow-ups:
// - `clock_escalations`: a clock that ran out, escalated to the officer's manager once. The
//   primary key (player, clock) is what keeps several app servers from escalating it twice:
//   each inserts with `on conflict do nothing`, and only the one whose row went in audits it.
// - `player_clocks.escalations` and `clock_sums.escalated`: the ranking counts escalated
//   clocks per outlet and officer; kept on the clock row so the sums' triggers (0020) mark
//   the group as for any other change of a clock.
// - `market_players.channel_group` and `channel_ref`: the working group or platform that sent
//   the player, and the platform's application reference (a list column), so the refusal
//   reasons go back to the platform under its own reference.
// - A partial index on the platforms' decisions by time (only `credit_platform` rows, so that
//   no other query's `decided_at is null` is drawn to it): the platform polls since a time,
//   with a token of its own (`api_tokens.channel_group`: the platform it answers for).
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('clock_escalations')
    .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id').onDelete('cascade'))
    .addColumn('clock', 'text', (c) => c.notNull().check(sql`clock in ('accept', 'contact', 'decide')`))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('escalated_at', 'text', (c) => c.notNull())
    /** The player's officer and org unit when it was escalated. */
    .addColumn('officer_id', 'integer', (c) => c.references('users.id'))
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    /** The manager told: the nearest active manager at or above the org unit; null when there is none. */
    .addColumn('manager_id', 'integer', (c) => c.references('users.id'))
    .addPrimaryKeyConstraint('clock_escalations_pk', ['player_id', 'clock'])
    .execute()
  await db.schema.createIndex('clock_escalations_at').on('clock_escalations').columns(['escalated_at']).execute()
  await db.schema
    .alterTable('player_clocks')
    .addColumn('escalations', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('clock_sums')
    .addColumn('escalated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('market_players').addColumn('channel_group', 'text').execute()
  await db.schema.alterTable('market_players').addColumn('channel_ref', 'text').execute()
  await db.schema.alterTable('api_tokens').addColumn('channel_group', 'text').execute()
  await db.schema.createIndex('player_clocks_platform_decided').on('player_clocks').column('decided_at').where(sql.ref('channel'), '=', 'credit_platform').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('player_clocks_platform_decided').execute()
  await db.schema.alterTable('api_tokens').dropColumn('channel_group').execute()
  await db.schema.alterTable('market_players').dropColumn('channel_ref').execute()
  await db.schema.alterTable('market_players').dropColumn('channel_group').execute()
  await db.schema.alterTable('clock_sums').dropColumn('escalated').execute()
  await db.schema.alterTable('player_clocks').dropColumn('escalations').execute()
  await db.schema.dropTable('clock_escalations').execute()
}
