// Frozen in time: the map's cells in generations. A rebuild used to replace the whole table
// in one transaction, which at a province (420,000 cells) held SQLite's single write lock
// for seconds, longer than a visit's save waits for it. Now a rebuild writes its cells
// under a generation number of its own, a batch per short transaction, beside the cells
// being read; one small update makes it the generation read, and the old one is deleted a
// batch at a time. Readers name the generation inside the same statement that reads the
// cells, so a read sees one generation whole. `next_generation` is taken by each rebuild,
// so two rebuilds (or one interrupted) never write under the same number.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('map_cells').addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.dropIndex('map_cells_position').execute()
  await db.schema.createIndex('map_cells_position').on('map_cells').columns(['generation', 'level', 'x', 'y']).execute()
  await db.schema.alterTable('map_cells_state').addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('map_cells_state').addColumn('next_generation', 'integer', (c) => c.notNull().defaultTo(1)).execute()
  await sql`update map_cells_state set generation = 0, next_generation = 1`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from map_cells where generation <> (select generation from map_cells_state where id = 1)`.execute(db)
  await db.schema.dropIndex('map_cells_position').execute()
  await db.schema.alterTable('map_cells').dropColumn('generation').execute()
  await db.schema.createIndex('map_cells_position').on('map_cells').columns(['level', 'x', 'y']).execute()
  await db.schema.alterTable('map_cells_state').dropColumn('next_generation').execute()
  await db.schema.alterTable('map_cells_state').dropColumn('generation').execute()
}
