// Referrals: handing a qualifying case to the loan pipeline, and what the loan system says
// back. A referral and its outbox entry are written in one transaction, so a crash between
// writing and sending loses nothing; app/services/outbox.server.ts delivers the entry.
import type { Kysely, Transaction } from 'kysely'
import type { Database, Referral } from '../../db/schema'
import { dialectOf } from '../../db/dialect.server'
import { AppError } from '../domain/app-error'
import { todayInChina } from '../domain/china-time'
import { caseFactsOf, checkProduct, productNameParam, type ProductVerdict } from '../domain/products'
import { checkPastTime } from '../domain/history-rows'
import { chinaDay } from '../domain/china-time'
import { reachedAt } from '../domain/figures'
import { assessFirstLender, type GuaranteeType } from '../domain/first-lender'
import type { RegistrationStatus } from '../domain/market-player'
import { currentStage, FINISHED_STAGES, isStage, type Stage } from '../domain/pipeline'
import type { Scope } from '../domain/scope'
import { referralAcceptDue, type ClockContext } from '../domain/clocks'
import { recordAudit, type Actor, type Db } from './audit.server'
import { scoped } from './scope.server'
import { inScope } from './scope.server'
import { loadCatalogue } from './products/load-catalogue.server'
import { findLatestNeed } from './visits/find-latest-need.server'
import { findValidConsent } from './consents/find-valid-consent.server'
import type { Message } from '../i18n/index'

export interface HandOff {
  playerId: number
  productCode: string
  amountYuan: number
  termMonths: number | null
}

/** What a bank's tool adds to a hand-off (POST /api/v1/referrals). */
export interface HandOffExtras {
  /** The client's key: the same key again is the same referral. */
  clientKey?: string
  /** A hand-off made in the past (an integration bringing it): only with history:import. It
   * is judged by the rules as of that day and is not sent to the loan system again. */
  referredAt?: Date
  externalRef?: string | null
}

/** A case the product's rules refuse, with every rule that failed. */
export class HandOffRefused extends AppError {
  constructor(
    product: string | Message,
    readonly reasons: ProductVerdict['reasons'],
  ) {
    super('bad_request', 'referral.notQualified', { field: 'productCode', product })
  }
}

type HandOffOptions = { actor: Actor & { id: number }; scope: Scope; clocks: ClockContext; now?: Date }

/**
 * Hands a case off: checks it qualifies for the product by its latest visit's need, records
 * the referral (first lender or not, as the player stands now, and the verdict it was made
 * with), its first stage, and the outbox entry that will send it, in one transaction.
 */
export async function handOffCase(db: Kysely<Database>, options: HandOffOptions, input: HandOff): Promise<Referral> {
  return db.transaction().execute((trx) => handOffIn(trx, options, input, {}))
}

/**
 * The same hand-off for a client that may send it twice: a key seen before answers the
 * referral it made (`created: false`), if the caller may see it; another's key is a conflict.
 */
export async function handOffCaseOnce(db: Kysely<Database>, options: HandOffOptions, input: HandOff, extras: HandOffExtras & { clientKey: string }): Promise<{ referral: Referral; created: boolean }> {
  const earlier = async () => {
    const found = await db.selectFrom('referrals').selectAll().where('client_key', '=', extras.clientKey).executeTakeFirst()
    if (!found) return null
    const visible = await db.selectFrom('referrals').select('id').where('id', '=', found.id).where(referralsScope(options.scope)).executeTakeFirst()
    if (!visible) throw new AppError('conflict', 'referral.keyTaken', { field: 'clientKey' })
    return { referral: found, created: false }
  }
  const seen = await earlier()
  if (seen) return seen
  try {
    return { referral: await db.transaction().execute((trx) => handOffIn(trx, options, input, extras)), created: true }
  } catch (error) {
    // Two requests with one key at once: the unique index let one in; the other answers it.
    const again = error instanceof AppError ? null : await earlier()
    if (again) return again
    throw error
  }
}

async function handOffIn(trx: Transaction<Database>, options: HandOffOptions, input: HandOff, extras: HandOffExtras): Promise<Referral> {
  const now = options.now ?? new Date()
  const at = extras.referredAt ?? now
  // Hand-offs of one player take their turns: on PostgreSQL its row is locked first, or two
  // at once (a double tap) would each find no open case and make two.
  let read = trx.selectFrom('market_players').selectAll().where('id', '=', input.playerId).where(scoped(options.scope))
  if (dialectOf(trx) === 'postgres') read = read.forUpdate()
  const player = await read.executeTakeFirst()
  if (!player) throw new AppError('not_found', 'error.notFound')
  if (extras.referredAt) {
    const problem = checkPastTime(at.toISOString(), now, player.registered_on ? { at: new Date(`${player.registered_on}T00:00:00+08:00`).toISOString(), key: 'history.beforeRegistration' } : undefined)
    if (problem) throw new AppError('bad_request', problem.key, { field: 'referredAt', ...problem.params })
  }
  const catalogue = await loadCatalogue(trx)
  const product = catalogue.find((p) => p.code === input.productCode)
  if (!product) throw new AppError('bad_request', 'referral.unknownProduct', { field: 'productCode' })
  const need = await findLatestNeed(trx, player.id, extras.referredAt ? at.toISOString() : undefined)
  const verdict = checkProduct(product, caseFactsOf(player, need), todayInChina(at))
  if (!verdict.qualifies) throw new HandOffRefused(productNameParam(product), verdict.reasons.filter((r) => !r.ok))
  // A product that queries the credit report goes with the owner's valid consent (one brought
  // from the past is in the loan system already, with whatever it had).
  const consent = product.queriesCredit && !extras.referredAt ? await findValidConsent(trx, { playerId: player.id, now }) : null
  if (product.queriesCredit && !extras.referredAt && !consent) throw new AppError('unprocessable', 'referral.consentNeeded', { field: 'productCode', product: productNameParam(product) })
  // One open case per player: a second hand-off while the first is under way would be two cases.
  const open = await trx.selectFrom('referrals').select(['id', 'stage']).where('player_id', '=', player.id).where('stage', 'not in', FINISHED_STAGES).executeTakeFirst()
  if (open) throw new AppError('conflict', 'referral.alreadyOpen', { id: open.id })
  if (!(input.amountYuan > 0) || input.amountYuan > verdict.limitYuan!) {
    throw new AppError('bad_request', 'referral.amountOverLimit', { field: 'amountYuan', limit: verdict.limitYuan!.toLocaleString('en') })
  }
  const stamp = now.toISOString()
  const referredAt = at.toISOString()
  const actorUnit = await trx.selectFrom('users').select('org_unit_id').where('id', '=', options.actor.id).executeTakeFirstOrThrow()
  const referral = await trx
    .insertInto('referrals')
    .values({
      player_id: player.id,
      visit_id: need?.visitId ?? null,
      // The player's officer follows the case, whoever handed it off (a manager may); the
      // audit log says who did.
      officer_id: player.assigned_officer_id ?? options.actor.id,
      org_unit_id: player.org_unit_id ?? actorUnit.org_unit_id,
      product_code: product.code,
      product_version: product.version,
      amount_yuan: input.amountYuan,
      term_months: input.termMonths,
      credit: product.kind === 'credit' ? 1 : 0,
      first_lender: player.loan_history === 'none' ? 1 : 0,
      // The case keeps the channel its player came through (PRODUCT.md "Channels and clocks").
      channel: player.channel,
      verdict: JSON.stringify(verdict satisfies ProductVerdict),
      stage: 'referred',
      stage_at: referredAt,
      referred_at: referredAt,
      accept_due_at: referralAcceptDue(at, options.clocks).toISOString(),
      accepted_at: null,
      disbursed_at: null,
      external_ref: extras.externalRef ?? null,
      client_key: extras.clientKey ?? null,
      consent_id: consent?.id ?? null,
      created_at: stamp,
      updated_at: stamp,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await trx.insertInto('referral_events').values({ referral_id: referral.id, stage: 'referred', at: referredAt, reason: null, external_ref: null, received_at: stamp }).execute()
  // One brought from the past is in the loan system already: it is not sent again.
  if (!extras.referredAt) {
    await trx
      .insertInto('outbox')
      .values({
        topic: 'referral',
        referral_id: referral.id,
        idempotency_key: `referral-${referral.id}`,
        payload: JSON.stringify({
          referralId: referral.id,
          product: product.code,
          amountYuan: input.amountYuan,
          termMonths: input.termMonths,
          credit: product.kind === 'credit',
          firstLender: player.loan_history === 'none',
          player: { uscc: player.uscc, name: player.name, kind: player.kind, areaCode: player.area_code },
          referredAt,
          // The loan system fetches it with its token and checks the hash (GET /api/v1/consents/:id).
          ...(consent ? { consent: { id: consent.id, sha256: consent.sha256, href: `/api/v1/consents/${consent.id}` } } : {}),
        }),
        state: 'pending',
        next_attempt_at: stamp,
        claimed_by: null,
        claimed_until: null,
        last_error: null,
        delivered_at: null,
        created_at: stamp,
      })
      .execute()
  }
  await trx.updateTable('market_players').set({ campaign_status: 'referred', updated_at: stamp }).where('id', '=', player.id).execute()
  await recordAudit(trx, options.actor, {
    action: extras.referredAt ? 'referral.imported' : 'referral.created',
    entityType: 'referral',
    entityId: referral.id,
    detail: { player: player.id, product: product.code, amountYuan: input.amountYuan, ...(consent ? { consentId: consent.id } : {}), ...(extras.clientKey ? { clientKey: extras.clientKey } : {}), ...(extras.referredAt ? { historical: true, referredAt } : {}) },
  })
  return referral
}

export interface StageReport {
  stage: Stage
  at: string
  reason: string | null
  externalRef: string | null
  /** Carried by a `disbursed` report (PRODUCT.md, "Pipeline stages"); null when not sent. */
  lentYuan?: number | null
  guaranteeType?: GuaranteeType | null
  firstLender?: boolean | null
}

/** How far ahead of Wanqi's clock a report may be dated (the loan system's clock may run a little fast). */
export const CLOCK_SKEW_MS = 5 * 60_000

/**
 * A stage the loan system reports. The same report twice is stored once; reports in any
 * order leave the referral at its furthest stage, with the whole history kept. Reports on
 * one referral take their turns: on PostgreSQL the referral's row is locked first, or two
 * at once would each count the stage from a history without the other's event, and the
 * one committed last could set the stage back (SQLite's transactions take turns anyway).
 * A report dated before the referral, or after now beyond the clock skew, is refused
 * (`unprocessable`) and changes nothing; a `referred` report adds nothing (Wanqi made the
 * referral) and says so (`ignored`). A disbursement keeps what was lent, the guarantee type
 * and the first-lender flag, and sets the player's loan history to `has_loan`.
 */
export async function recordStageReport(
  db: Kysely<Database>,
  referralId: number,
  report: StageReport,
  now = new Date(),
): Promise<{ stage: string; duplicate: boolean; ignored?: 'already_referred' }> {
  if (!isStage(report.stage)) throw new AppError('bad_request', 'referral.badStage', { field: 'stage' })
  return db.transaction().execute(async (trx) => {
    let read = trx.selectFrom('referrals').select(['id', 'player_id', 'stage', 'referred_at']).where('id', '=', referralId)
    if (dialectOf(db) === 'postgres') read = read.forUpdate()
    const referral = await read.executeTakeFirst()
    if (!referral) throw new AppError('not_found', 'error.notFound')
    const at = new Date(report.at).toISOString()
    if (at < referral.referred_at) throw new AppError('unprocessable', 'referral.reportBeforeReferral', { field: 'at', referredAt: referral.referred_at })
    if (Date.parse(at) > now.getTime() + CLOCK_SKEW_MS) throw new AppError('unprocessable', 'referral.reportInFuture', { field: 'at', now: now.toISOString() })
    if (report.stage === 'referred') return { stage: referral.stage, duplicate: true, ignored: 'already_referred' as const }
    const inserted = await trx
      .insertInto('referral_events')
      .values({ referral_id: referralId, stage: report.stage, at, reason: report.reason, external_ref: report.externalRef, received_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['referral_id', 'stage', 'at']).doNothing())
      .returning('id')
      .executeTakeFirst()
    if (!inserted) return { stage: referral.stage, duplicate: true }
    const events = await trx.selectFrom('referral_events').select(['stage', 'at', 'external_ref']).where('referral_id', '=', referralId).execute()
    // Reached when that stage or one beyond it was first reported (the figures' definition).
    const reported = events.map((e) => ({ stage: e.stage as Stage, at: e.at }))
    const stage = currentStage(reported)
    const disbursedAt = reachedAt(reported, 'disbursed')
    await trx
      .updateTable('referrals')
      .set({
        stage,
        stage_at: stage === referral.stage ? undefined : at,
        accepted_at: reachedAt(reported, 'accepted'),
        disbursed_at: disbursedAt,
        external_ref: report.externalRef ?? undefined,
        // The latest disbursement report says what was lent (a correction replaces it).
        ...(report.stage === 'disbursed' ? { lent_yuan: report.lentYuan ?? null, guarantee_type: report.guaranteeType ?? null, lender_flag: report.firstLender == null ? null : report.firstLender ? 1 : 0 } : {}),
        updated_at: now.toISOString(),
      })
      .where('id', '=', referralId)
      .execute()
    if (stage === 'disbursed') await markFinanced(trx, referral.player_id, disbursedAt!, now)
    return { stage, duplicate: false }
  })
}

/**
 * A disbursement from this bank: the player is financed and its loan history is `has_loan`,
 * dated from the loan system's report, so it is no longer a first-lender candidate (the
 * flag recomputed by the one rule, domain/first-lender.ts).
 */
async function markFinanced(trx: Db, playerId: number, disbursedAt: string, now: Date) {
  const player = await trx.selectFrom('market_players').select(['loan_history', 'loan_checked_on', 'registration_status']).where('id', '=', playerId).executeTakeFirstOrThrow()
  const day = chinaDay(disbursedAt)
  // A later date already known for the loan stays (a report of an earlier disbursement arriving late).
  const checkedOn = player.loan_history === 'has_loan' && player.loan_checked_on !== null && player.loan_checked_on > day ? player.loan_checked_on : day
  const verdict = assessFirstLender({ loanHistory: 'has_loan', loanCheckedOn: checkedOn, registrationStatus: player.registration_status as RegistrationStatus | null })
  await trx
    .updateTable('market_players')
    .set({
      campaign_status: 'financed',
      loan_history: 'has_loan',
      loan_checked_on: checkedOn,
      candidate_status: verdict.status,
      candidate_reasons: JSON.stringify(verdict.reasons),
      updated_at: now.toISOString(),
    })
    .where('id', '=', playerId)
    .execute()
}

export function referralsScope(scope: Scope) {
  return inScope(scope, { orgUnit: 'referrals.org_unit_id', owner: 'referrals.officer_id' })
}

/** How many referrals in scope the loan system has not accepted within 3 working days. */
export async function countOverdueReferrals(db: Db, scope: Scope, now = new Date()): Promise<number> {
  const { n } = await db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(referralsScope(scope))
    .where('referrals.stage', '=', 'referred')
    .where('referrals.accepted_at', 'is', null)
    .where('referrals.accept_due_at', '<', now.toISOString())
    .executeTakeFirstOrThrow()
  return Number(n)
}

/** Referrals in scope, overdue for acceptance first, then newest. */
export async function listReferrals(db: Db, scope: Scope, filter: { stage?: string; overdueOnly?: boolean; firstLenderOnly?: boolean }, now = new Date()) {
  const stamp = now.toISOString()
  let q = db
    .selectFrom('referrals')
    .innerJoin('market_players', 'market_players.id', 'referrals.player_id')
    .innerJoin('users', 'users.id', 'referrals.officer_id')
    .innerJoin('product_versions', (join) => join.onRef('product_versions.code', '=', 'referrals.product_code').onRef('product_versions.version', '=', 'referrals.product_version'))
    .select([
      'referrals.id',
      'referrals.product_code as productCode',
      'product_versions.name as productName',
      'referrals.amount_yuan as amountYuan',
      'referrals.first_lender as firstLender',
      'referrals.credit',
      'referrals.stage',
      'referrals.referred_at as referredAt',
      'referrals.accept_due_at as acceptDueAt',
      'referrals.accepted_at as acceptedAt',
      'market_players.name as playerName',
      'market_players.id as playerId',
      'users.name as officerName',
    ])
    .select((eb) => eb.case().when(eb.and([eb('referrals.accepted_at', 'is', null), eb('referrals.stage', '=', 'referred'), eb('referrals.accept_due_at', '<', stamp)])).then(1).else(0).end().as('overdue'))
    .where(referralsScope(scope))
  if (filter.stage) q = q.where('referrals.stage', '=', filter.stage)
  if (filter.firstLenderOnly) q = q.where('referrals.first_lender', '=', 1)
  if (filter.overdueOnly) q = q.where('referrals.accepted_at', 'is', null).where('referrals.stage', '=', 'referred').where('referrals.accept_due_at', '<', stamp)
  const rows = await q.orderBy('overdue', 'desc').orderBy('referrals.id', 'desc').limit(500).execute()
  const counts = await db
    .selectFrom('referrals')
    .select(['referrals.stage', (eb) => eb.fn.countAll<number>().as('n')])
    .where(referralsScope(scope))
    .groupBy('referrals.stage')
    .execute()
  return {
    referrals: rows.map((r) => ({ ...r, amountYuan: Number(r.amountYuan), overdue: Number(r.overdue) === 1, firstLender: r.firstLender === 1, credit: r.credit === 1 })),
    byStage: Object.fromEntries(counts.map((c) => [c.stage, Number(c.n)])) as Record<string, number>,
  }
}

export async function getReferral(db: Db, scope: Scope, id: number) {
  const referral = await db
    .selectFrom('referrals')
    .innerJoin('market_players', 'market_players.id', 'referrals.player_id')
    .innerJoin('users', 'users.id', 'referrals.officer_id')
    .innerJoin('product_versions', (join) => join.onRef('product_versions.code', '=', 'referrals.product_code').onRef('product_versions.version', '=', 'referrals.product_version'))
    .selectAll('referrals')
    .select(['market_players.name as player_name', 'users.name as officer_name', 'product_versions.name as product_name'])
    .where('referrals.id', '=', id)
    .where(referralsScope(scope))
    .executeTakeFirst()
  if (!referral) return undefined
  const [events, delivery] = await Promise.all([
    db.selectFrom('referral_events').select(['stage', 'at', 'reason', 'external_ref', 'received_at']).where('referral_id', '=', id).orderBy('at').orderBy('id').execute(),
    db.selectFrom('outbox').select(['state', 'attempts', 'last_error', 'delivered_at', 'next_attempt_at']).where('referral_id', '=', id).executeTakeFirst(),
  ])
  return { referral, events, delivery: delivery ?? null, verdict: JSON.parse(referral.verdict) as ProductVerdict }
}
