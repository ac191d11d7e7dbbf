// Frozen in time: bringing a bank's history (issue 19, item 5).
// - referrals.client_key: the key a client (a bank's tool, or the history import) gives a
//   hand-off, so the same one sent again is the same referral. Unique where given; NULL for
//   the hand-offs made on the page (both dialects let several NULLs stand in a unique index).
// - referrals.external_ref gets an index: a history import finds what it brought before by
//   the loan system's reference.
// - api_tokens.user_id: an `integration` token acts for one user (their role and scope), so a
//   bank's tool hands off and looks players up as that user would, and no further.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('referrals').addColumn('client_key', 'text').execute()
  await db.schema.createIndex('referrals_client_key').unique().on('referrals').column('client_key').execute()
  await db.schema.createIndex('referrals_external_ref').on('referrals').column('external_ref').execute()
  await db.schema.alterTable('api_tokens').addColumn('user_id', 'integer', (c) => c.references('users.id')).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('user_id').execute()
  await db.schema.dropIndex('referrals_external_ref').execute()
  await db.schema.dropIndex('referrals_client_key').execute()
  await db.schema.alterTable('referrals').dropColumn('client_key').execute()
}
