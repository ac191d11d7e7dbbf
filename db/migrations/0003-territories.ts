// Frozen in time: territories (a drawn area and/or a set of townships, owned by an org unit,
// assigned to one officer at a time) and how each player came to its officer.
import type { Kysely } from 'kysely'
import { autoId } from '../dialect.server'

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db)

  await db.schema
    .createTable('territories')
    .addColumn('id', id.type, id.build)
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('geometry', 'text')
    .addColumn('township_codes', 'text')
    .addColumn('west', 'double precision')
    .addColumn('south', 'double precision')
    .addColumn('east', 'double precision')
    .addColumn('north', 'double precision')
    .addColumn('officer_id', 'integer', (c) => c.references('users.id'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute()
  await db.schema.createIndex('territories_org').on('territories').columns(['org_unit_id', 'deleted_at']).execute()

  await db.schema
    .createTable('territory_assignments')
    .addColumn('id', id.type, id.build)
    .addColumn('territory_id', 'integer', (c) => c.notNull().references('territories.id'))
    .addColumn('officer_id', 'integer', (c) => c.references('users.id'))
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addColumn('assigned_by', 'integer', (c) => c.references('users.id'))
    .addColumn('reason', 'text')
    .execute()
  await db.schema.createIndex('territory_assignments_territory').on('territory_assignments').columns(['territory_id', 'id']).execute()

  // `territory`: the player's officer follows its territory; `direct`: a manager chose the
  // officer for this player, and redrawing territories leaves that choice alone.
  await db.schema.alterTable('market_players').addColumn('territory_id', 'integer').execute()
  await db.schema.alterTable('market_players').addColumn('assignment_source', 'text').execute()
  await db.schema.createIndex('market_players_territory').on('market_players').columns(['territory_id', 'id']).execute()
  await db.schema.createIndex('market_players_position').on('market_players').columns(['lat', 'lng']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('market_players_position').execute()
  await db.schema.dropIndex('market_players_territory').execute()
  await db.schema.alterTable('market_players').dropColumn('assignment_source').execute()
  await db.schema.alterTable('market_players').dropColumn('territory_id').execute()
  await db.schema.dropTable('territory_assignments').execute()
  await db.schema.dropTable('territories').execute()
}
