// Frozen in time. The loan QR code (贷款码, issue 25 item 2): a poster per outlet or officer
// holds a URL with a random token; a firm scanning it states a need on a public page. Codes
// are revoked (kept, for the record) and re-issued, never edited. Each submission is kept as
// a request on the player it landed on (a new one, or one already there with that USCC), with
// the PIPL consent's version and time; the phone is personal data, stored as players' are.
// The public page's rate limits and spent proof-of-work challenges live in the database, so
// they hold across app servers.
import type { Kysely } from 'kysely'
import { autoId } from '../dialect.server'

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db)
  await db.schema
    .createTable('loan_qr_codes')
    .addColumn('id', id.type, id.build)
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('officer_id', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'integer')
    .execute()
  await db.schema.createIndex('loan_qr_codes_owner').on('loan_qr_codes').columns(['org_unit_id', 'officer_id']).execute()

  await db.schema
    .createTable('loan_qr_requests')
    .addColumn('id', id.type, id.build)
    .addColumn('code_id', 'integer', (c) => c.notNull().references('loan_qr_codes.id'))
    .addColumn('player_id', 'integer', (c) => c.notNull().references('market_players.id'))
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('firm_name', 'text', (c) => c.notNull())
    .addColumn('uscc', 'text')
    .addColumn('contact_name', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text', (c) => c.notNull())
    .addColumn('phone_hash', 'text', (c) => c.notNull())
    .addColumn('phone_masked', 'text', (c) => c.notNull())
    .addColumn('amount_yuan', 'bigint', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('consent_version', 'text', (c) => c.notNull())
    .addColumn('consent_at', 'text', (c) => c.notNull())
    // 1 when the request made its player, 0 when it was recorded on one already there.
    .addColumn('new_player', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('loan_qr_requests_player').on('loan_qr_requests').column('player_id').execute()

  await db.schema
    .createTable('loan_qr_throttle')
    // `ip:<hmac>`, `phone:<blind index>`, `pow:<challenge>` (a spent challenge)
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_started_at', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('loan_qr_throttle_window').on('loan_qr_throttle').column('window_started_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('loan_qr_throttle').execute()
  await db.schema.dropTable('loan_qr_requests').execute()
  await db.schema.dropTable('loan_qr_codes').execute()
}
