// Frozen in time: real divisions. The divisions the bank serves (the provinces, cities or
// counties an admin chose) are kept so a reload knows what to replace; an area says whether
// its boundary is a schematic one the demo generated, and what its centre comes from; a
// player says what its area code comes from (the list, its address, its USCC's division
// code, or a person). Players stored before this keep a null basis: their code came from a
// list or a form.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('served_divisions')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.alterTable('areas').addColumn('boundary_generated', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('areas').addColumn('centre_basis', 'text').execute()
  await db.schema.alterTable('market_players').addColumn('area_basis', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('market_players').dropColumn('area_basis').execute()
  await db.schema.alterTable('areas').dropColumn('centre_basis').execute()
  await db.schema.alterTable('areas').dropColumn('boundary_generated').execute()
  await db.schema.dropTable('served_divisions').execute()
}
