// Frozen in time: the product catalogue (each change a new version), referrals (hand-offs
// to the loan pipeline) with their stage history, the outbox that delivers them, and the
// tokens the loan system reports back with.
import type { Kysely } from 'kysely'
import { autoId } from '../dialect.server'

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db)

  // One row per version of a product; the highest version of a code is in force.
  await db.schema
    .createTable('product_versions')
    .addColumn('id', id.type, id.build)
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    /** JSON: the ProductRules of app/domain/products.ts. */
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('product_versions_code_version', ['code', 'version'])
    .execute()

  // The default catalogue of PRODUCT.md as it stood when this migration was written.
  const now = new Date().toISOString()
  const defaults = [
    { code: 'tax_credit', name: '税易贷', kind: 'credit', playerKinds: null, taxGrades: ['A', 'B', 'M'], limitByGrade: { A: 3_000_000, B: 1_000_000, M: 300_000 }, limitYuan: null, minMonthsRegistered: 12, maxTermMonths: 12, needsCollateral: false },
    { code: 'household_credit', name: '个体户信用贷', kind: 'credit', playerKinds: ['household'], taxGrades: null, limitByGrade: null, limitYuan: 300_000, minMonthsRegistered: 6, maxTermMonths: null, needsCollateral: false },
    { code: 'secured', name: '经营贷', kind: 'secured', playerKinds: null, taxGrades: null, limitByGrade: null, limitYuan: 10_000_000, minMonthsRegistered: null, maxTermMonths: null, needsCollateral: true },
  ]
  await db
    .insertInto('product_versions')
    .values(defaults.map((rules) => ({ code: rules.code, version: 1, name: rules.name, active: 1, rules: JSON.stringify(rules), created_by: null, created_at: now })))
    .execute()

  await db.schema
    .createTable('referrals')
    .addColumn('id', id.type, id.build)
    .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id'))
    .addColumn('visit_id', 'text', (c) => c.references('visits.id'))
    .addColumn('officer_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('product_code', 'text', (c) => c.notNull())
    .addColumn('product_version', 'integer', (c) => c.notNull())
    .addColumn('amount_yuan', 'bigint', (c) => c.notNull())
    .addColumn('term_months', 'integer')
    .addColumn('credit', 'integer', (c) => c.notNull())
    .addColumn('first_lender', 'integer', (c) => c.notNull())
    /** JSON: the verdict the referral was made with. */
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('stage_at', 'text', (c) => c.notNull())
    .addColumn('referred_at', 'text', (c) => c.notNull())
    .addColumn('accept_due_at', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text')
    .addColumn('disbursed_at', 'text')
    .addColumn('external_ref', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('referrals_org').on('referrals').columns(['org_unit_id', 'stage']).execute()
  await db.schema.createIndex('referrals_officer').on('referrals').columns(['officer_id', 'stage']).execute()
  await db.schema.createIndex('referrals_player').on('referrals').columns(['player_id']).execute()

  // Every stage report, kept whole; the same report twice is one row.
  await db.schema
    .createTable('referral_events')
    .addColumn('id', id.type, id.build)
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referrals.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('external_ref', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('referral_events_once', ['referral_id', 'stage', 'at'])
    .execute()

  // Written in the same transaction as what it delivers; a worker claims and sends it.
  await db.schema
    .createTable('outbox')
    .addColumn('id', id.type, id.build)
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('referral_id', 'integer', (c) => c.references('referrals.id'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute()

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull())
    /** SHA-256 of the token: the token itself is shown once, when made. */
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_tokens').execute()
  await db.schema.dropTable('outbox').execute()
  await db.schema.dropTable('referral_events').execute()
  await db.schema.dropTable('referrals').execute()
  await db.schema.dropTable('product_versions').execute()
}
