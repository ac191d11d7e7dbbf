// Frozen in time: this migration describes the schema as it was when it was written.
// Going live: the bank's one-time set-up, users who must choose a new password, and the
// staff fields an HR export brings (employee number, mobile encrypted like the players').
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('users').addColumn('employee_number', 'text').execute()
  await db.schema.alterTable('users').addColumn('mobile_enc', 'text').execute()
  await db.schema.alterTable('users').addColumn('mobile_hash', 'text').execute()
  await db.schema.alterTable('users').addColumn('mobile_masked', 'text').execute()
  await db.schema.createIndex('users_employee_number').on('users').column('employee_number').unique().execute()
  await db.schema.createIndex('users_name').on('users').column('name').execute()

  // One row, ever: the bank was set up (a second set-up, even a racing one, fails on the key).
  await db.schema
    .createTable('bank')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('head_office_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('set_up_at', 'text', (c) => c.notNull())
    .addColumn('set_up_by', 'text', (c) => c.notNull())
    .execute()

  // One-time set-up links printed on the console: only the token's hash is kept.
  await db.schema
    .createTable('setup_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('setup_links').execute()
  await db.schema.dropTable('bank').execute()
  await db.schema.dropIndex('users_name').execute()
  await db.schema.dropIndex('users_employee_number').execute()
  for (const column of ['mobile_masked', 'mobile_hash', 'mobile_enc', 'employee_number', 'must_change_password']) {
    await db.schema.alterTable('users').dropColumn(column).execute()
  }
}
