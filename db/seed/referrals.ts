// Referrals for the demo and the province: the cases whose visit found a need and said
// "ready to refer", handed off under the first product that qualifies (by the same
// rules the app applies), at every stage of the pipeline, first lenders among them. Their
// outbox entries are marked delivered: the demo's stand-in never sees the seeded ones.
import type { Kysely } from 'kysely'
import { chinaDay, todayInChina } from '../../app/domain/china-time'
import { assessFirstLender, type GuaranteeType } from '../../app/domain/first-lender'
import type { RegistrationStatus } from '../../app/domain/market-player'
import { caseFactsOf, checkProducts } from '../../app/domain/products'
import { loadCatalogue } from '../../app/services/products/load-catalogue.server'
import { PROGRESS_STAGES, type Stage } from '../../app/domain/pipeline'
import { addWorkingDays, PLAIN_CALENDAR } from '../../app/domain/working-days'
import type { Database } from '../schema'
import type { Random } from './random'

/** Where seeded referrals stand: the furthest stage reached, or declined after some. */
const FINAL: [Stage, number][] = [
  ['referred', 0.12], ['accepted', 0.12], ['account_opened', 0.08], ['admitted', 0.08], ['rated', 0.1], ['approved', 0.15], ['disbursed', 0.28], ['declined', 0.07],
]

function pick(rng: Random): Stage {
  let roll = rng.next()
  for (const [stage, weight] of FINAL) if ((roll -= weight) < 0) return stage
  return 'disbursed'
}

/**
 * What the loan system reported with a seeded disbursement, from the player's id (not the
 * random stream, so the seed's other numbers stay as they were): most of what was asked,
 * the guarantee type (credit products as credit; now and then none reported), and the
 * first-lender flag (the list's loan history, wrong one time in eight; now and then none).
 */
export function seededDisbursement(playerId: number, askedYuan: number, productCredit: boolean, loanHistory: string) {
  const lentYuan = Math.max(1_000, Math.round((askedYuan * (0.8 + 0.05 * (playerId % 5))) / 1_000) * 1_000)
  const guaranteeType: GuaranteeType | null = playerId % 13 === 0 ? null : productCredit ? 'credit' : (['guaranteed', 'collateral', 'mixed'] as const)[playerId % 3]
  const history = loanHistory === 'none' ? playerId % 8 !== 0 : loanHistory === 'unknown' ? playerId % 2 === 0 : false
  const lenderFlag = playerId % 11 === 0 ? null : history ? 1 : 0
  return { lent_yuan: lentYuan, guarantee_type: guaranteeType, lender_flag: lenderFlag }
}

export async function seedReferrals(db: Kysely<Database>, rng: Random, options: { limit: number }, log: (m: string) => void): Promise<number> {
  const products = await loadCatalogue(db)
  const catalogue = new Map(products.map((p) => [p.code, p]))
  // Each player's latest visit that found a need and said "ready to refer" (later visits
  // may follow: the officer keeps in touch while the loan system works).
  const rows = await db
    .selectFrom('visits')
    .innerJoin('market_players', 'market_players.id', 'visits.player_id')
    .select([
      'visits.id as visit_id', 'visits.officer_id', 'visits.visited_at', 'visits.need_amount_yuan', 'visits.need_term_months', 'visits.need_collateral',
      'market_players.id as player_id', 'market_players.org_unit_id', 'market_players.kind', 'market_players.tax_grade', 'market_players.registration_status',
      'market_players.registered_on', 'market_players.loan_history',
    ])
    .where('visits.has_need', '=', 1)
    .where('visits.outcome', '=', 'refer')
    .orderBy('visits.player_id')
    .orderBy('visits.visited_at', 'desc')
    .execute()
  const cases = rows.filter((r, i) => i === 0 || rows[i - 1].player_id !== r.player_id).sort((a, b) => a.visited_at.localeCompare(b.visited_at))
  const now = Date.now()
  let made = 0
  for (let i = 0; i < cases.length && made < options.limit; i += 500) {
    const batch = cases.slice(i, i + 500)
    await db.transaction().execute(async (trx) => {
      for (const c of batch) {
        if (made >= options.limit) break
        const referredAt = new Date(Date.parse(c.visited_at) + rng.int(1, 48) * 3600_000)
        if (referredAt.getTime() > now) continue
        const verdict = checkProducts(
          products,
          caseFactsOf(c, { amountYuan: c.need_amount_yuan === null ? null : Number(c.need_amount_yuan), termMonths: c.need_term_months, collateral: c.need_collateral === null ? null : c.need_collateral === 1 }),
          todayInChina(referredAt),
        ).find((v) => v.qualifies)
        if (!verdict) continue
        const product = catalogue.get(verdict.product)!
        // The stages up to where this case stands, a day or three apart, none in the future.
        const final = pick(rng)
        const reached = final === 'declined' ? PROGRESS_STAGES.slice(0, rng.int(1, 5)) : PROGRESS_STAGES.slice(0, PROGRESS_STAGES.indexOf(final as (typeof PROGRESS_STAGES)[number]) + 1)
        const events: { stage: Stage; at: string }[] = []
        let at = referredAt.getTime()
        for (const stage of reached) {
          if (at > now) break
          events.push({ stage, at: new Date(at).toISOString() })
          at += rng.int(6, 72) * 3600_000
        }
        if (final === 'declined' && at <= now) events.push({ stage: 'declined', at: new Date(at).toISOString() })
        const last = events[events.length - 1]
        const accepted = events.find((e) => e.stage === 'accepted')
        const disbursed = events.find((e) => e.stage === 'disbursed')
        const stamp = referredAt.toISOString()
        const { id } = await trx
          .insertInto('referrals')
          .values({
            player_id: c.player_id, visit_id: c.visit_id, officer_id: c.officer_id, org_unit_id: c.org_unit_id, product_code: product.code, product_version: product.version,
            amount_yuan: verdict.amountYuan!, term_months: c.need_term_months, credit: product.kind === 'credit' ? 1 : 0, first_lender: c.loan_history === 'none' ? 1 : 0,
            verdict: JSON.stringify(verdict), stage: last.stage, stage_at: last.at, referred_at: stamp, accept_due_at: addWorkingDays(referredAt, 3, PLAIN_CALENDAR).toISOString(),
            accepted_at: accepted?.at ?? null, disbursed_at: disbursed?.at ?? null, external_ref: events.length > 1 ? `LOS-S${c.player_id}` : null, created_at: stamp, updated_at: last.at,
            ...(disbursed ? seededDisbursement(c.player_id, verdict.amountYuan!, product.kind === 'credit', c.loan_history) : {}),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        await trx.insertInto('referral_events').values(events.map((e) => ({ referral_id: id, stage: e.stage, at: e.at, reason: e.stage === 'declined' ? '授信审查未通过' : null, external_ref: null, received_at: e.at }))).execute()
        await trx
          .insertInto('outbox')
          .values({ topic: 'referral', referral_id: id, idempotency_key: `referral-${id}`, payload: JSON.stringify({ referralId: id, seeded: true }), state: 'delivered', next_attempt_at: stamp, claimed_by: null, claimed_until: null, last_error: null, delivered_at: stamp, created_at: stamp })
          .execute()
        if (disbursed) {
          // As a reported disbursement does (services/referrals.server.ts): the player has a loan now.
          const verdict = assessFirstLender({ loanHistory: 'has_loan', loanCheckedOn: chinaDay(disbursed.at), registrationStatus: c.registration_status as RegistrationStatus | null })
          await trx
            .updateTable('market_players')
            .set({ campaign_status: 'financed', loan_history: 'has_loan', loan_checked_on: chinaDay(disbursed.at), candidate_status: verdict.status, candidate_reasons: JSON.stringify(verdict.reasons) })
            .where('id', '=', c.player_id)
            .execute()
        } else await trx.updateTable('market_players').set({ campaign_status: 'referred' }).where('id', '=', c.player_id).execute()
        made++
      }
    })
  }
  log(`referrals: ${made.toLocaleString('en')}`)
  return made
}
