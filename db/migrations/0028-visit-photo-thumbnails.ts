// Frozen in time. A visit photo's small copy for lists (issue 24, decision 0601): the phone
// draws it from the same stamped canvas as the photo and sends it with it; the storage module
// keeps it under `thumbnail_key`. Null for photos stored before, and for those the plain form
// sends (no JavaScript, no canvas): the day view then shows the full image as before.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('visit_photos').addColumn('thumbnail_key', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('visit_photos').dropColumn('thumbnail_key').execute()
}
