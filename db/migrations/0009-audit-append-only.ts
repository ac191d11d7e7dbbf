// The audit log is append-only (issue 8): the database itself refuses to change or remove
// an entry, so no code path, script or console session can rewrite history. Inserts go on
// as before. TRUNCATE (PostgreSQL) is left alone: it is a schema-level act of an operator
// (the benchmark's bulk load empties every table that way), not something the app does.
// Plus the index the admin page's commonest filter, one person's actions newest first,
// walks; `at` and (entity_type, entity_id) have theirs since 0001.
import { sql, type Kysely } from 'kysely'
import { dialectOf } from '../dialect.server'

const MESSAGE = 'audit_log is append-only'

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    for (const [name, event] of [['audit_log_no_update', 'update'], ['audit_log_no_delete', 'delete']]) {
      await sql.raw(`create trigger ${name} before ${event} on audit_log begin select raise(abort, '${MESSAGE}'); end`).execute(db)
    }
  } else {
    await sql
      .raw(`create function audit_log_append_only() returns trigger language plpgsql as $$ begin raise exception '${MESSAGE}' using errcode = 'restrict_violation'; end $$`)
      .execute(db)
    await sql.raw(`create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_log_append_only()`).execute(db)
  }
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_username', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_actor').execute()
  if (dialectOf(db) === 'sqlite') {
    await sql`drop trigger if exists audit_log_no_update`.execute(db)
    await sql`drop trigger if exists audit_log_no_delete`.execute(db)
  } else {
    await sql`drop trigger if exists audit_log_append_only on audit_log`.execute(db)
    await sql`drop function if exists audit_log_append_only()`.execute(db)
  }
}
