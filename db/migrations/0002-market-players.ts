// Frozen in time: market players, their assignment history, the lists they came from, and
// import jobs.
import { sql, type Kysely } from 'kysely'
import { autoId, dialectOf } from '../dialect.server'

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db)

  await db.schema
    .createTable('market_players')
    .addColumn('id', id.type, id.build)
    .addColumn('uscc', 'text', (c) => c.unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_initials', 'text', (c) => c.notNull())
    .addColumn('legal_representative', 'text')
    .addColumn('owner', 'text')
    .addColumn('match_key', 'text')
    .addColumn('id_number_enc', 'text')
    .addColumn('id_number_hash', 'text')
    .addColumn('id_number_masked', 'text')
    .addColumn('phone_enc', 'text')
    .addColumn('phone_hash', 'text')
    .addColumn('phone_masked', 'text')
    .addColumn('industry', 'text')
    .addColumn('industry_code', 'text')
    .addColumn('employees', 'integer')
    .addColumn('revenue_yuan', 'bigint')
    .addColumn('assets_yuan', 'bigint')
    .addColumn('size_class', 'text')
    .addColumn('size_class_computed', 'text')
    .addColumn('size_class_basis', 'text')
    .addColumn('size_class_override_reason', 'text')
    .addColumn('registered_on', 'text')
    .addColumn('registration_status', 'text')
    .addColumn('address', 'text')
    .addColumn('area_code', 'text')
    .addColumn('township_code', 'text')
    .addColumn('lat', 'double precision')
    .addColumn('lng', 'double precision')
    .addColumn('position_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tax_grade', 'text')
    .addColumn('loan_history', 'text', (c) => c.notNull().defaultTo('unknown'))
    .addColumn('loan_checked_on', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('import_job_id', 'integer')
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('assigned_officer_id', 'integer', (c) => c.references('users.id'))
    .addColumn('campaign_status', 'text', (c) => c.notNull().defaultTo('not_visited'))
    .addColumn('candidate_status', 'text', (c) => c.notNull())
    .addColumn('candidate_reasons', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  // Scope and keyset paging: (org unit or officer, id); the township filter; lookups by
  // the blind indexes of personal data; household de-duplication.
  await db.schema.createIndex('market_players_org').on('market_players').columns(['org_unit_id', 'id']).execute()
  await db.schema.createIndex('market_players_officer').on('market_players').columns(['assigned_officer_id', 'id']).execute()
  await db.schema.createIndex('market_players_township').on('market_players').columns(['township_code', 'id']).execute()
  await db.schema.createIndex('market_players_phone').on('market_players').column('phone_hash').execute()
  await db.schema.createIndex('market_players_id_number').on('market_players').column('id_number_hash').execute()
  await db.schema.createIndex('market_players_match').on('market_players').column('match_key').execute()
  await db.schema.createIndex('market_players_name').on('market_players').columns(['name', 'id']).execute()
  // The list's most selective filters, each with id for keyset paging; the planner picks
  // one from the statistics (see refreshStatistics).
  for (const column of ['industry', 'tax_grade', 'size_class', 'candidate_status']) {
    await db.schema.createIndex(`market_players_${column}`).on('market_players').columns([column, 'id']).execute()
  }

  // Substring search on names: a trigram index, which each dialect keeps its own way.
  if (dialectOf(db) === 'sqlite') {
    await sql`create virtual table market_players_search using fts5(name, owner, content='market_players', content_rowid='id', tokenize='trigram')`.execute(db)
    await sql`create trigger market_players_search_ai after insert on market_players begin
      insert into market_players_search(rowid, name, owner) values (new.id, new.name, new.owner); end`.execute(db)
    await sql`create trigger market_players_search_ad after delete on market_players begin
      insert into market_players_search(market_players_search, rowid, name, owner) values ('delete', old.id, old.name, old.owner); end`.execute(db)
    await sql`create trigger market_players_search_au after update of name, owner on market_players begin
      insert into market_players_search(market_players_search, rowid, name, owner) values ('delete', old.id, old.name, old.owner);
      insert into market_players_search(rowid, name, owner) values (new.id, new.name, new.owner); end`.execute(db)
  } else {
    await sql`create extension if not exists pg_trgm`.execute(db)
    await sql`create index market_players_name_trgm on market_players using gin (name gin_trgm_ops)`.execute(db)
    await sql`create index market_players_owner_trgm on market_players using gin (owner gin_trgm_ops)`.execute(db)
  }

  await db.schema
    .createTable('player_assignments')
    .addColumn('id', id.type, id.build)
    .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id'))
    .addColumn('officer_id', 'integer', (c) => c.references('users.id'))
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addColumn('assigned_by', 'integer', (c) => c.references('users.id'))
    .addColumn('reason', 'text')
    .execute()
  await db.schema.createIndex('player_assignments_player').on('player_assignments').columns(['player_id', 'id']).execute()

  await db.schema
    .createTable('import_jobs')
    .addColumn('id', id.type, id.build)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_path', 'text', (c) => c.notNull())
    .addColumn('file_bytes', 'bigint', (c) => c.notNull())
    .addColumn('format', 'text')
    .addColumn('encoding', 'text')
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('accept_bad_check', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('merge_households', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('headers', 'text')
    .addColumn('mapping', 'text')
    .addColumn('total_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expected_rows', 'integer')
    .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_row', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inserted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warnings', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('matches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute()
  await db.schema.createIndex('import_jobs_status').on('import_jobs').columns(['status', 'id']).execute()
  await db.schema.createIndex('import_jobs_org').on('import_jobs').columns(['org_unit_id', 'id']).execute()

  // Problems found in a job's rows: rejections (the row is not imported) and warnings.
  await db.schema
    .createTable('import_issues')
    .addColumn('id', id.type, id.build)
    .addColumn('job_id', 'integer', (c) => c.notNull().references('import_jobs.id'))
    .addColumn('row', 'integer', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('issues', 'text', (c) => c.notNull())
    .addColumn('cells', 'text')
    .addColumn('player_id', 'integer')
    .execute()
  await db.schema.createIndex('import_issues_job').on('import_issues').columns(['job_id', 'severity', 'row']).execute()

  // A manager's answer to "this column is…", remembered per source list.
  await db.schema
    .createTable('import_mappings')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('header', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_mappings_pk', ['source', 'header'])
    .execute()

  // Which list said what about a player, each time one said something new.
  await db.schema
    .createTable('player_sources')
    .addColumn('id', id.type, id.build)
    .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('import_job_id', 'integer')
    .addColumn('row', 'integer')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('said', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('player_sources_player').on('player_sources').columns(['player_id', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') await sql`drop table if exists market_players_search`.execute(db)
  for (const table of ['player_sources', 'import_mappings', 'import_issues', 'import_jobs', 'player_assignments', 'market_players']) {
    await db.schema.dropTable(table).execute()
  }
}
