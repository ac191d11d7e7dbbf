// Frozen in time. First lender the regulator's way (issue 25): the `disbursed` report
// carries what was lent, the guarantee type and the loan system's first-lender flag, kept on
// the referral; the pre-counted figures gain the flagged and enterprise conversions; the
// figure triggers watch the new columns (and the player's kind, which the enterprise count
// reads), and every player is queued once so the drain counts them the new way.
import { sql, type Kysely } from 'kysely'
import { dialectOf } from '../dialect.server'

const REFERRAL_COLUMNS = ['player_id', 'stage', 'referred_at', 'accept_due_at', 'accepted_at', 'disbursed_at', 'credit', 'first_lender', 'amount_yuan', 'lent_yuan', 'guarantee_type', 'lender_flag']
const PLAYER_COLUMNS = ['org_unit_id', 'assigned_officer_id', 'township_code', 'qualification', 'candidate_status', 'kind']
const OLD_REFERRAL_COLUMNS = REFERRAL_COLUMNS.slice(0, 9)
const OLD_PLAYER_COLUMNS = PLAYER_COLUMNS.slice(0, 5)

async function watch(db: Kysely<any>, table: string, player: (row: 'new' | 'old') => string, columns: readonly string[]) {
  if (dialectOf(db) === 'sqlite') {
    const enqueue = (row: 'new' | 'old') => `insert or ignore into figures_queue(player_id) select ${player(row)} where ${player(row)} is not null;`
    const changed = columns.map((c) => `old.${c} is not new.${c}`).join(' or ')
    await sql.raw(`drop trigger if exists figures_${table}_au`).execute(db)
    await sql.raw(`create trigger figures_${table}_au after update of ${columns.join(', ')} on ${table} when ${changed} begin ${enqueue('old')} ${enqueue('new')} end`).execute(db)
  } else {
    // The function (made by 0008) queues old and new rows; only the trigger's columns change.
    const changed = columns.map((c) => `old.${c} is distinct from new.${c}`).join(' or ')
    await sql.raw(`drop trigger if exists figures_${table}_au on ${table}`).execute(db)
    await sql.raw(`create trigger figures_${table}_au after update of ${columns.join(', ')} on ${table} for each row when (${changed}) execute function figures_enqueue_${table}()`).execute(db)
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  /** Integer yuan the loan system says it lent; null before this migration (the figures then use the amount asked). */
  await db.schema.alterTable('referrals').addColumn('lent_yuan', 'bigint').execute()
  /** credit | guaranteed | collateral | mixed, as reported; null when not (the product's kind then decides). */
  await db.schema.alterTable('referrals').addColumn('guarantee_type', 'text').execute()
  /** The loan system's first-lender flag (1/0); null when it sent none (the figures then estimate from the loan history). */
  await db.schema.alterTable('referrals').addColumn('lender_flag', 'integer').execute()
  await db.schema.alterTable('figure_rollup').addColumn('first_lender_flagged', 'bigint', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('figure_rollup').addColumn('first_lender_enterprises', 'bigint', (c) => c.notNull().defaultTo(0)).execute()
  await watch(db, 'referrals', (r) => `${r}.player_id`, REFERRAL_COLUMNS)
  await watch(db, 'market_players', (r) => `${r}.id`, PLAYER_COLUMNS)
  await sql`insert into figures_queue(player_id) select id from market_players where id not in (select player_id from figures_queue)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await watch(db, 'referrals', (r) => `${r}.player_id`, OLD_REFERRAL_COLUMNS)
  await watch(db, 'market_players', (r) => `${r}.id`, OLD_PLAYER_COLUMNS)
  await db.schema.alterTable('figure_rollup').dropColumn('first_lender_enterprises').execute()
  await db.schema.alterTable('figure_rollup').dropColumn('first_lender_flagged').execute()
  await db.schema.alterTable('referrals').dropColumn('lender_flag').execute()
  await db.schema.alterTable('referrals').dropColumn('guarantee_type').execute()
  await db.schema.alterTable('referrals').dropColumn('lent_yuan').execute()
}
