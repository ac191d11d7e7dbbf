// Frozen in time. Storefront photos of a visit (门头照, issue 24): the bytes live in the
// storage module (a folder or an S3-compatible store) under `storage_key`; this table says
// whose they are. The id is made by the officer's phone, so a photo resent from the offline
// outbox is stored once. `sha256` is the hash of the bytes as received (the evidence);
// what is stored and shown has its metadata (EXIF position) removed.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('visit_photos')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('visit_id', 'text', (c) => c.notNull().references('visits.id'))
    // The order the officer took them in: 1, 2, …
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('original_bytes', 'integer', (c) => c.notNull())
    .addColumn('stored_bytes', 'integer', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'integer', (c) => c.notNull().references('users.id'))
    .execute()
  await db.schema.createIndex('visit_photos_visit').on('visit_photos').columns(['visit_id', 'position']).unique().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('visit_photos').execute()
}
