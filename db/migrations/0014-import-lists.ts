// Frozen in time: real lists as they arrive (issue 21).
// - A manager's choice of field for an unknown header was kept per source for every
//   manager of the bank, and applied to other outlets' files without asking (287 of 300
//   rows rejected at one of them). It is now kept per org unit and source, with who chose
//   it; the old, bank-wide choices are dropped rather than guessed onto one unit.
// - An enterprise without a USCC is kept as a lead to verify; `lead_match_id` names the
//   player with a code it may be, until a manager confirms or dismisses the match.
// - The tax credit grade's evaluation year (评价年度).
// - Rejected rows' cells as the file gave them (phones, ID numbers) are kept encrypted in
//   `cells_enc`; `cells` holds them masked.
// - What a preview shows besides counts (the columns with sample values, the first rows as
//   they will be stored), as JSON on the job.
// Registration statuses gain suspended, in_liquidation and moved_out: the column is free
// text, so that needs no change here.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_mappings').execute()
  await db.schema
    .createTable('import_mappings')
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('header', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_mappings_pk', ['org_unit_id', 'source', 'header'])
    .execute()
  await db.schema.alterTable('market_players').addColumn('lead_to_verify', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('market_players').addColumn('lead_match_id', 'integer').execute()
  await db.schema.alterTable('market_players').addColumn('tax_grade_year', 'integer').execute()
  await db.schema.alterTable('import_issues').addColumn('cells_enc', 'text').execute()
  await db.schema.alterTable('import_jobs').addColumn('preview', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_jobs').dropColumn('preview').execute()
  await db.schema.alterTable('import_issues').dropColumn('cells_enc').execute()
  await db.schema.alterTable('market_players').dropColumn('tax_grade_year').execute()
  await db.schema.alterTable('market_players').dropColumn('lead_match_id').execute()
  await db.schema.alterTable('market_players').dropColumn('lead_to_verify').execute()
  await db.schema.dropTable('import_mappings').execute()
  await db.schema
    .createTable('import_mappings')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('header', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_mappings_pk', ['source', 'header'])
    .execute()
}
