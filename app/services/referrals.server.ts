// Referrals: handing a qualifying case to the loan pipeline, and what the loan system says
// back. A referral and its outbox entry are written in one transaction, so a crash between
// writing and sending loses nothing; app/services/outbox.server.ts delivers the entry.
import type { Kysely } from 'kysely'
import type { Database, Referral } from '../../db/schema'
import { dialectOf } from '../../db/dialect.server'
import { AppError } from '../app-error'
import { todayInChina } from '../domain/china-time'
import { caseFactsOf, checkProduct, type ProductVerdict } from '../domain/products'
import { reachedAt } from '../domain/figures'
import { currentStage, FINISHED_STAGES, isStage, type Stage } from '../domain/pipeline'
import type { Scope } from '../domain/scope'
import { addWorkingDays, type WorkingCalendar } from '../domain/working-days'
import { recordAudit, type Actor, type Db } from './audit.server'
import { scoped } from './players.server'
import { inScope } from './scope.server'
import { loadCatalogue } from './products.server'
import { findLatestNeed } from './visits.server'

export interface HandOff {
  playerId: number
  productCode: string
  amountYuan: number
  termMonths: number | null
}

/**
 * Hands a case off: checks it qualifies for the product by its latest visit's need, records
 * the referral (first lender or not, as the player stands now, and the verdict it was made
 * with), its first stage, and the outbox entry that will send it, in one transaction.
 */
export async function handOffCase(
  db: Kysely<Database>,
  options: { actor: Actor & { id: number }; scope: Scope; calendar: WorkingCalendar; now?: Date },
  input: HandOff,
): Promise<Referral> {
  const now = options.now ?? new Date()
  return db.transaction().execute(async (trx) => {
    // Hand-offs of one player take their turns: on PostgreSQL its row is locked first, or two
    // at once (a double tap) would each find no open case and make two.
    let read = trx.selectFrom('market_players').selectAll().where('id', '=', input.playerId).where(scoped(options.scope))
    if (dialectOf(db) === 'postgres') read = read.forUpdate()
    const player = await read.executeTakeFirst()
    if (!player) throw new AppError('not_found', 'error.notFound')
    const catalogue = await loadCatalogue(trx)
    const product = catalogue.find((p) => p.code === input.productCode)
    if (!product) throw new AppError('bad_request', 'referral.unknownProduct', { field: 'productCode' })
    const need = await findLatestNeed(trx, player.id)
    const verdict = checkProduct(
      product,
      caseFactsOf(player, need),
      todayInChina(now),
    )
    if (!verdict.qualifies) throw new AppError('bad_request', 'referral.notQualified', { field: 'productCode', product: product.name })
    // One open case per player: a second hand-off while the first is under way would be two cases.
    const open = await trx.selectFrom('referrals').select(['id', 'stage']).where('player_id', '=', player.id).where('stage', 'not in', FINISHED_STAGES).executeTakeFirst()
    if (open) throw new AppError('conflict', 'referral.alreadyOpen', { id: open.id })
    if (!(input.amountYuan > 0) || input.amountYuan > verdict.limitYuan!) {
      throw new AppError('bad_request', 'referral.amountOverLimit', { field: 'amountYuan', limit: verdict.limitYuan!.toLocaleString('en') })
    }
    const stamp = now.toISOString()
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
        verdict: JSON.stringify(verdict satisfies ProductVerdict),
        stage: 'referred',
        stage_at: stamp,
        referred_at: stamp,
        accept_due_at: addWorkingDays(now, 3, options.calendar).toISOString(),
        accepted_at: null,
        disbursed_at: null,
        external_ref: null,
        created_at: stamp,
        updated_at: stamp,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await trx.insertInto('referral_events').values({ referral_id: referral.id, stage: 'referred', at: stamp, reason: null, external_ref: null, received_at: stamp }).execute()
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
          referredAt: stamp,
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
    await trx.updateTable('market_players').set({ campaign_status: 'referred', updated_at: stamp }).where('id', '=', player.id).execute()
    await recordAudit(trx, options.actor, { action: 'referral.created', entityType: 'referral', entityId: referral.id, detail: { player: player.id, product: product.code, amountYuan: input.amountYuan } })
    return referral
  })
}

export interface StageReport {
  stage: Stage
  at: string
  reason: string | null
  externalRef: string | null
}

/**
 * A stage the loan system reports. The same report twice is stored once; reports in any
 * order leave the referral at its furthest stage, with the whole history kept. Reports on
 * one referral take their turns: on PostgreSQL the referral's row is locked first, or two
 * at once would each count the stage from a history without the other's event, and the
 * one committed last could set the stage back (SQLite's transactions take turns anyway).
 */
export async function recordStageReport(db: Kysely<Database>, referralId: number, report: StageReport, now = new Date()): Promise<{ stage: string; duplicate: boolean }> {
  if (!isStage(report.stage)) throw new AppError('bad_request', 'referral.badStage', { field: 'stage' })
  return db.transaction().execute(async (trx) => {
    let read = trx.selectFrom('referrals').select(['id', 'player_id', 'stage']).where('id', '=', referralId)
    if (dialectOf(db) === 'postgres') read = read.forUpdate()
    const referral = await read.executeTakeFirst()
    if (!referral) throw new AppError('not_found', 'error.notFound')
    const at = new Date(report.at).toISOString()
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
    await trx
      .updateTable('referrals')
      .set({
        stage,
        stage_at: stage === referral.stage ? undefined : at,
        accepted_at: reachedAt(reported, 'accepted'),
        disbursed_at: reachedAt(reported, 'disbursed'),
        external_ref: report.externalRef ?? undefined,
        updated_at: now.toISOString(),
      })
      .where('id', '=', referralId)
      .execute()
    if (stage === 'disbursed') await trx.updateTable('market_players').set({ campaign_status: 'financed', updated_at: now.toISOString() }).where('id', '=', referral.player_id).execute()
    return { stage, duplicate: false }
  })
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
