// Headquarters' figures (issue 7), pre-counted so the dashboard reads hundreds of rows, not
// millions, and what it is measured against:
// - figure_players: what each player counted for when last counted: its group (org unit,
//   officer, township), its state, and its facts month by month (JSON, see
//   app/domain/figure-facts.ts).
// - figure_rollup / figure_leads: those facts summed per group for every month, quarter and
//   year (and `now` for the state), and the lead times as counts per tenth of a day.
// - figures_queue: players whose facts changed since. Triggers fill it from every table the
//   facts read, so no write path can forget; the drain recounts those players and moves
//   their sums, and a query adds what is still queued, so the figures are exact at any time.
// - figure_targets: per org unit and period, set by hq or an admin.
// - api_tokens.purpose: a token reports loan stages or reads the figures, never both.
import { sql, type Kysely } from 'kysely'
import { autoId, dialectOf } from '../dialect.server'

const GROUP = ['period_key', 'org_unit_id', 'officer_id', 'township_code'] as const
const ROLLUP_COUNTS = [
  'listed',
  'assigned',
  'candidates',
  'visited',
  'visited_assigned',
  'with_need',
  'qualified',
  'referred',
  'accepted',
  'approved',
  'disbursed',
  'first_lender_conversions',
  'loans',
  'credit_loans',
  'amount_yuan',
  'credit_amount_yuan',
  'due',
  'on_time',
] as const

/** Table → the columns whose change alters a player's facts, and how to name the player. */
const WATCHED: { table: string; columns: string[]; player: (row: 'new' | 'old') => string }[] = [
  { table: 'market_players', columns: ['org_unit_id', 'assigned_officer_id', 'township_code', 'qualification', 'candidate_status'], player: (r) => `${r}.id` },
  { table: 'visits', columns: ['player_id', 'visited_at', 'recorded_at', 'has_need'], player: (r) => `${r}.player_id` },
  {
    table: 'referrals',
    columns: ['player_id', 'stage', 'referred_at', 'accept_due_at', 'accepted_at', 'disbursed_at', 'credit', 'first_lender', 'amount_yuan'],
    player: (r) => `${r}.player_id`,
  },
  { table: 'referral_events', columns: ['referral_id', 'stage', 'at'], player: (r) => `(select player_id from referrals where id = ${r}.referral_id)` },
]

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = dialectOf(db) === 'sqlite'
  await db.schema.createTable('figures_queue').addColumn('player_id', 'integer', (c) => c.primaryKey()).execute()
  await db.schema
    .createTable('figure_players')
    .addColumn('player_id', 'integer', (c) => c.primaryKey())
    .addColumn('org_unit_id', 'integer', (c) => c.notNull())
    /** 0 when unassigned, '' without a township: part of the rollup's key (the bank's own rows: org unit 0, township `*` for its total). */
    .addColumn('officer_id', 'integer', (c) => c.notNull())
    .addColumn('township_code', 'text', (c) => c.notNull())
    .addColumn('assigned', 'integer', (c) => c.notNull())
    .addColumn('candidate', 'integer', (c) => c.notNull())
    .addColumn('qualifies', 'integer', (c) => c.notNull())
    .addColumn('months', 'text', (c) => c.notNull())
    .execute()

  let rollup = db.schema
    .createTable('figure_rollup')
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('org_unit_id', 'integer', (c) => c.notNull())
    .addColumn('officer_id', 'integer', (c) => c.notNull())
    .addColumn('township_code', 'text', (c) => c.notNull())
  for (const column of ROLLUP_COUNTS) rollup = rollup.addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
  // On SQLite kept in the order of their key (no rowid): a read of a group's rows is one range.
  const clustered = (q: { modifyEnd(m: unknown): unknown }) => (sqlite ? q.modifyEnd(sql`without rowid`) : q)
  await (clustered(rollup.addPrimaryKeyConstraint('figure_rollup_key', [...GROUP])) as typeof rollup).execute()
  // No other index: every read names a period and the org units (or reads the bank's own
  // rows), which the key leads with.

  const leads = db.schema
    .createTable('figure_leads')
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('org_unit_id', 'integer', (c) => c.notNull())
    .addColumn('officer_id', 'integer', (c) => c.notNull())
    .addColumn('township_code', 'text', (c) => c.notNull())
    /** `visit` (first visit to disbursement) or `referral` (referral to disbursement). */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('tenths', 'integer', (c) => c.notNull())
    .addColumn('loans', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('figure_leads_key', [...GROUP, 'kind', 'tenths'])
  await (clustered(leads) as typeof leads).execute()

  // The acceptance deadlines still ahead, which a period's due count leaves out.
  await db.schema.createIndex('referrals_accept_due').on('referrals').column('accept_due_at').execute()

  const id = autoId(db)
  await db.schema
    .createTable('figure_targets')
    .addColumn('id', id.type, id.build)
    .addColumn('org_unit_id', 'integer', (c) => c.notNull().references('org_units.id'))
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    /** A key of the figures: firstLenderConversions, firstLenderRatio, creditLoanShareByCount, … */
    .addColumn('figure', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('set_by', 'integer', (c) => c.references('users.id'))
    .addColumn('set_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('figure_targets_once', ['org_unit_id', 'period_from', 'period_to', 'figure'])
    .execute()

  await db.schema.alterTable('api_tokens').addColumn('purpose', 'text', (c) => c.notNull().defaultTo('loan_events')).execute()
  /** A read token sees this org unit's subtree; null for the whole bank. */
  await db.schema.alterTable('api_tokens').addColumn('org_unit_id', 'integer').execute()

  for (const { table, columns, player } of WATCHED) {
    if (sqlite) {
      const enqueue = (row: 'new' | 'old') => `insert or ignore into figures_queue(player_id) select ${player(row)} where ${player(row)} is not null;`
      const changed = columns.map((c) => `old.${c} is not new.${c}`).join(' or ')
      await sql.raw(`create trigger figures_${table}_ai after insert on ${table} begin ${enqueue('new')} end`).execute(db)
      await sql.raw(`create trigger figures_${table}_ad after delete on ${table} begin ${enqueue('old')} end`).execute(db)
      await sql.raw(`create trigger figures_${table}_au after update of ${columns.join(', ')} on ${table} when ${changed} begin ${enqueue('old')} ${enqueue('new')} end`).execute(db)
    } else {
      const enqueue = (row: 'new' | 'old') => `insert into figures_queue(player_id) select ${player(row)} where ${player(row)} is not null on conflict do nothing;`
      await sql
        .raw(
          `create function figures_enqueue_${table}() returns trigger language plpgsql as $$ begin
            if tg_op in ('UPDATE', 'DELETE') then ${enqueue('old')} end if;
            if tg_op in ('UPDATE', 'INSERT') then ${enqueue('new')} end if;
            return null; end $$`,
        )
        .execute(db)
      const changed = columns.map((c) => `old.${c} is distinct from new.${c}`).join(' or ')
      await sql.raw(`create trigger figures_${table}_ai after insert or delete on ${table} for each row execute function figures_enqueue_${table}()`).execute(db)
      await sql.raw(`create trigger figures_${table}_au after update of ${columns.join(', ')} on ${table} for each row when (${changed}) execute function figures_enqueue_${table}()`).execute(db)
    }
  }
  // Every player present is counted by the first drain.
  await sql`insert into figures_queue(player_id) select id from market_players`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { table } of WATCHED) {
    if (dialectOf(db) === 'sqlite') {
      for (const suffix of ['ai', 'ad', 'au']) await sql.raw(`drop trigger if exists figures_${table}_${suffix}`).execute(db)
    } else {
      for (const suffix of ['ai', 'au']) await sql.raw(`drop trigger if exists figures_${table}_${suffix} on ${table}`).execute(db)
      await sql.raw(`drop function if exists figures_enqueue_${table}()`).execute(db)
    }
  }
  await db.schema.alterTable('api_tokens').dropColumn('org_unit_id').execute()
  await db.schema.alterTable('api_tokens').dropColumn('purpose').execute()
  await db.schema.dropTable('figure_targets').execute()
  await db.schema.dropIndex('referrals_accept_due').execute()
  await db.schema.dropTable('figure_leads').execute()
  await db.schema.dropTable('figure_rollup').execute()
  await db.schema.dropTable('figure_players').execute()
  await db.schema.dropTable('figures_queue').execute()
}
