// Frozen in time: the map's pre-counted grid cells. A province-wide view would otherwise
// group a million players per request; these cells hold the counts per zoom level, org
// unit, kind and status, rebuilt in the background. Any change to a player that moves it
// between cells marks them stale (a trigger, so no code path can forget), and a stale
// table is never read: the map counts live until the rebuild is done.
import { sql, type Kysely } from 'kysely'
import { dialectOf } from '../dialect.server'

/** What a change to a player must touch to move it to another cell. */
const CELL_COLUMNS = ['lat', 'lng', 'org_unit_id', 'kind', 'candidate_status', 'campaign_status']

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('map_cells')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('x', 'integer', (c) => c.notNull())
    .addColumn('y', 'integer', (c) => c.notNull())
    .addColumn('org_unit_id', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('candidate_status', 'text', (c) => c.notNull())
    .addColumn('campaign_status', 'text', (c) => c.notNull())
    .addColumn('players', 'integer', (c) => c.notNull())
    .addColumn('sum_lng', 'double precision', (c) => c.notNull())
    .addColumn('sum_lat', 'double precision', (c) => c.notNull())
    .addColumn('min_id', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('map_cells_position').on('map_cells').columns(['level', 'x', 'y']).execute()

  // One row: `stale` (a player changed since the last build), `building`, or `ready`.
  await db.schema
    .createTable('map_cells_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('built_at', 'text')
    .addColumn('cells', 'integer')
    .execute()
  await db.insertInto('map_cells_state').values({ id: 1, state: 'stale', built_at: null, cells: null }).execute()

  const mark = sql`update map_cells_state set state = 'stale' where state <> 'stale'`
  if (dialectOf(db) === 'sqlite') {
    // Per row, but after the first row of a bulk change the update finds nothing to do.
    const changed = sql.raw(CELL_COLUMNS.map((c) => `old.${c} is not new.${c}`).join(' or '))
    await sql`create trigger map_cells_stale_ai after insert on market_players begin ${mark}; end`.execute(db)
    await sql`create trigger map_cells_stale_ad after delete on market_players begin ${mark}; end`.execute(db)
    await sql`create trigger map_cells_stale_au after update of ${sql.raw(CELL_COLUMNS.join(', '))} on market_players when ${changed} begin ${mark}; end`.execute(db)
  } else {
    await sql`create function map_cells_mark_stale() returns trigger language plpgsql as $$ begin ${mark}; return null; end $$`.execute(db)
    await sql`create trigger map_cells_stale after insert or delete or update of ${sql.raw(CELL_COLUMNS.join(', '))} on market_players for each statement execute function map_cells_mark_stale()`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    for (const t of ['ai', 'ad', 'au']) await sql.raw(`drop trigger if exists map_cells_stale_${t}`).execute(db)
  } else {
    await sql`drop trigger if exists map_cells_stale on market_players`.execute(db)
    await sql`drop function if exists map_cells_mark_stale()`.execute(db)
  }
  await db.schema.dropTable('map_cells_state').execute()
  await db.schema.dropTable('map_cells').execute()
}
