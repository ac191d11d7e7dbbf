// Frozen in time. Valid visits (issue 24 item 3): the bank's rules for a visit to count, kept
// as versions (each save a new row, so the history is the table), and on each visit whether
// it counted under the version it was judged by, with the reasons when it did not, and the
// manager who accepted a far check-in's reason. Visits stored before the rules existed count
// (valid 1): they were made under no rule. The figures' trigger on visits watches `valid` too,
// so a re-judged visit recounts its player's coverage.
import { sql, type Kysely } from 'kysely'
import { dialectOf } from '../dialect.server'

const WATCHED_BEFORE = ['player_id', 'visited_at', 'recorded_at', 'has_need']
const WATCHED_AFTER = [...WATCHED_BEFORE, 'valid']

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('visit_rules')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('photo_required', 'integer', (c) => c.notNull())
    .addColumn('radius_m', 'integer', (c) => c.notNull())
    .addColumn('remote_households', 'integer', (c) => c.notNull())
    .addColumn('remote_enterprises', 'integer', (c) => c.notNull())
    .addColumn('set_by', 'integer', (c) => c.references('users.id'))
    .addColumn('set_at', 'text', (c) => c.notNull())
    .execute()
  // The first version: what held before (no photo asked, phone and video count, the default
  // check-in radius); an admin changes it on /admin/visit-rules.
  await db.insertInto('visit_rules').values({ version: 1, photo_required: 0, radius_m: 500, remote_households: 1, remote_enterprises: 1, set_by: null, set_at: new Date().toISOString() }).execute()
  await db.schema.alterTable('visits').addColumn('valid', 'integer', (c) => c.notNull().defaultTo(1)).execute()
  /** JSON array of reason codes; null when valid. */
  await db.schema.alterTable('visits').addColumn('invalid_reasons', 'text').execute()
  /** The rules version the visit was judged by; null for visits from before the rules. */
  await db.schema.alterTable('visits').addColumn('rules_version', 'integer').execute()
  await db.schema.alterTable('visits').addColumn('far_accepted_by', 'integer', (c) => c.references('users.id')).execute()
  await db.schema.alterTable('visits').addColumn('far_accepted_at', 'text').execute()
  await watchVisits(db, WATCHED_AFTER)
}

export async function down(db: Kysely<any>): Promise<void> {
  await watchVisits(db, WATCHED_BEFORE)
  for (const column of ['far_accepted_at', 'far_accepted_by', 'rules_version', 'invalid_reasons', 'valid']) await db.schema.alterTable('visits').dropColumn(column).execute()
  await db.schema.dropTable('visit_rules').execute()
}

/** Re-creates the figures' update trigger on visits (migration 0008) over these columns. */
async function watchVisits(db: Kysely<any>, columns: string[]): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    const enqueue = (row: 'new' | 'old') => `insert or ignore into figures_queue(player_id) select ${row}.player_id where ${row}.player_id is not null;`
    const changed = columns.map((c) => `old.${c} is not new.${c}`).join(' or ')
    await sql.raw('drop trigger if exists figures_visits_au').execute(db)
    await sql.raw(`create trigger figures_visits_au after update of ${columns.join(', ')} on visits when ${changed} begin ${enqueue('old')} ${enqueue('new')} end`).execute(db)
  } else {
    const changed = columns.map((c) => `old.${c} is distinct from new.${c}`).join(' or ')
    await sql.raw('drop trigger if exists figures_visits_au on visits').execute(db)
    await sql.raw(`create trigger figures_visits_au after update of ${columns.join(', ')} on visits for each row when (${changed}) execute function figures_enqueue_visits()`).execute(db)
  }
}
