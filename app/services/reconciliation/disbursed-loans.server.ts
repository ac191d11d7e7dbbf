// The loans behind the disbursement figures, one row per disbursed loan in scope and period:
// the loan system's reference, the customer (USCC, else the owner's ID number, masked unless
// asked and allowed), the China day, the amount lent (or asked, marked), the guarantee type,
// the first-lender flag (flagged or estimated), channel, product, outlet and officer. Scope
// is the figures' own (the player's unit or officer), applied in the query; rows come in
// keyset batches so an export streams.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Channel } from '../../domain/channels'
import { chinaDay } from '../../domain/china-time'
import type { Period } from '../../domain/figures'
import { loanAmount, loanFirstLender, type FirstLenderBasis, type LoanFigure } from '../../domain/reconciliation'
import { periodBounds, type FigureScope } from '../figures.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { scoped } from '../scope.server'

export interface DisbursedLoan {
  referralId: number
  externalRef: string | null
  playerId: number
  name: string
  kind: 'enterprise' | 'household'
  /** The USCC, else the owner's ID number (masked unless unmasked), else null. */
  customer: string | null
  customerIsId: boolean
  disbursedOn: string
  amountYuan: number
  amountReported: boolean
  guaranteeType: string | null
  /** The product's kind, for a loan whose guarantee type was not reported. */
  productCredit: boolean
  firstLender: boolean
  firstLenderBasis: FirstLenderBasis
  channel: Channel
  productCode: string
  productName: string | null
  outlet: string
  officer: string | null
}

const BATCH = 1_000

function loansQuery(db: Kysely<Database>, scope: FigureScope, period: Period, figure: LoanFigure) {
  const { from, until } = periodBounds(period)
  let q = db
    .selectFrom('referrals')
    .innerJoin('market_players', 'market_players.id', 'referrals.player_id')
    .where('referrals.disbursed_at', '>=', from)
    .where('referrals.disbursed_at', '<', until)
  for (const s of scope.scopes) q = q.where(scoped(s))
  if (scope.territoryId !== undefined) q = q.where('market_players.territory_id', '=', scope.territoryId)
  if (scope.township !== undefined) q = q.where('market_players.township_code', '=', scope.township)
  // As the figure counts it (figures.server.ts): the loan system's flag, else the history when referred.
  if (figure === 'firstLenderConversions') q = q.where(sql<boolean>`coalesce(referrals.lender_flag, referrals.first_lender) = 1`)
  return q
}

async function readBatch(db: Kysely<Database>, scope: FigureScope, period: Period, figure: LoanFigure, pii: PersonalDataCipher, unmask: boolean, afterId: number, limit: number) {
  const rows = await loansQuery(db, scope, period, figure)
    .innerJoin('org_units', 'org_units.id', 'referrals.org_unit_id')
    .leftJoin('users', 'users.id', 'referrals.officer_id')
    .leftJoin('product_versions', (join) => join.onRef('product_versions.code', '=', 'referrals.product_code').onRef('product_versions.version', '=', 'referrals.product_version'))
    .select([
      'referrals.id',
      'referrals.external_ref',
      'referrals.player_id',
      'market_players.name',
      'market_players.kind',
      'market_players.uscc',
      'market_players.id_number_enc',
      'market_players.id_number_masked',
      'referrals.disbursed_at',
      'referrals.amount_yuan',
      'referrals.lent_yuan',
      'referrals.guarantee_type',
      'referrals.credit',
      'referrals.lender_flag',
      'referrals.first_lender',
      'referrals.channel',
      'referrals.product_code',
      'product_versions.name as product_name',
      'org_units.name as outlet',
      'users.name as officer',
    ])
    .where('referrals.id', '>', afterId)
    .orderBy('referrals.id')
    .limit(limit)
    .execute()
  return rows.map((r): DisbursedLoan => {
    const facts = { lentYuan: r.lent_yuan === null ? null : Number(r.lent_yuan), amountYuan: Number(r.amount_yuan), lenderFlag: r.lender_flag === null ? null : Number(r.lender_flag), firstLenderAtReferral: Number(r.first_lender) }
    const amount = loanAmount(facts)
    const lender = loanFirstLender(facts)
    const idNumber = r.id_number_enc ? (unmask ? pii.decrypt(r.id_number_enc) : r.id_number_masked) : null
    return {
      referralId: r.id,
      externalRef: r.external_ref,
      playerId: r.player_id,
      name: r.name,
      kind: r.kind,
      customer: r.uscc ?? idNumber,
      customerIsId: !r.uscc && idNumber !== null,
      disbursedOn: chinaDay(r.disbursed_at!),
      amountYuan: amount.yuan,
      amountReported: amount.reported,
      guaranteeType: r.guarantee_type,
      productCredit: Number(r.credit) === 1,
      firstLender: lender.firstLender,
      firstLenderBasis: lender.basis,
      channel: r.channel,
      productCode: r.product_code,
      productName: r.product_name ?? null,
      outlet: r.outlet,
      officer: r.officer,
    }
  })
}

/** The loans a page shows: the first `limit` in referral order, and how many there are in all. */
export async function listDisbursedLoans(db: Kysely<Database>, pii: PersonalDataCipher, scope: FigureScope, period: Period, figure: LoanFigure, limit = 500) {
  const [rows, count] = await Promise.all([
    readBatch(db, scope, period, figure, pii, false, 0, limit),
    loansQuery(db, scope, period, figure).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ])
  return { total: Number(count.n), rows }
}

/** Every loan, a batch at a time, for an export. */
export async function* disbursedLoanBatches(db: Kysely<Database>, pii: PersonalDataCipher, scope: FigureScope, period: Period, figure: LoanFigure, unmask: boolean) {
  let after = 0
  for (;;) {
    const batch = await readBatch(db, scope, period, figure, pii, unmask, after, BATCH)
    if (batch.length === 0) return
    yield batch
    after = batch[batch.length - 1]!.referralId
    if (batch.length < BATCH) return
  }
}

/** New loan customers per channel (distinct players with a disbursement in the period), for the API. */
export async function newLoanCustomersByChannel(db: Kysely<Database>, scope: FigureScope, period: Period): Promise<Record<Channel, number>> {
  const rows = await loansQuery(db, scope, period, 'disbursed')
    .select(['referrals.channel', (eb) => eb.fn.count('referrals.player_id').distinct().as('n')])
    .groupBy('referrals.channel')
    .execute()
  const counts: Record<Channel, number> = { working_group: 0, loan_qr: 0, credit_platform: 0, own_list: 0 }
  for (const r of rows) counts[r.channel] = Number(r.n)
  return counts
}
