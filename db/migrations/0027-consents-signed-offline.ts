// Frozen in time. Consents signed offline (issue 24 item 2, decision 0541): a consent signed
// on a phone with no signal waits in the phone's outbox and reaches the server later, so the
// time it was signed (the phone's, kept in `signed_at` as before) and the time the server got
// it are two facts: `received_at`, set for the rows before this migration to their
// `signed_at` (they were signed and received in one request). `position_fix` says whether the
// position was a live fix or the phone's last known one ('live' / 'cached'); null when there
// was no position, and for the rows before this migration (not recorded then).
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  // Not null on both dialects needs a default for the rows already there; they get their own time at once.
  await db.schema.alterTable('consents').addColumn('received_at', 'text', (c) => c.notNull().defaultTo('')).execute()
  await db.updateTable('consents').set({ received_at: sql`signed_at` }).execute()
  await db.schema.alterTable('consents').addColumn('position_fix', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('consents').dropColumn('position_fix').execute()
  await db.schema.alterTable('consents').dropColumn('received_at').execute()
}
