// A manager accepts the reason an officer gave for checking in beyond the radius: the visit
// then counts (PRODUCT.md "Valid visits"). Only a manager whose scope holds the visit, only a
// far check-in with a reason, once; audited in the same transaction as the change.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { canAcceptFar, type VisitJudgement } from '../../domain/visit-validity'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { findVisitRulesVersion } from '../visit-rules/find-visit-rules.server'
import { evidenceOf, rejudgeVisit } from './judge-visit.server'
import { visitsScope } from './stored-visit.server'

export async function acceptFarReason(db: Kysely<Database>, caller: Pick<Caller, 'actor' | 'scope'> & { now?: Date }, input: { visitId: string }): Promise<VisitJudgement> {
  return db.transaction().execute(async (trx) => {
    const visit = await trx.selectFrom('visits').select(['id', 'officer_id']).where('id', '=', input.visitId).where(visitsScope(caller.scope)).executeTakeFirst()
    if (!visit) throw new AppError('not_found', 'error.notFound')
    // Nobody accepts their own reason.
    if (visit.officer_id === caller.actor.id) throw new AppError('forbidden', 'visitValidity.notOwn')
    const evidence = await evidenceOf(trx, input.visitId)
    const rules = evidence?.rulesVersion != null ? await findVisitRulesVersion(trx, evidence.rulesVersion) : null
    if (!evidence || !rules || !canAcceptFar(evidence, rules)) throw new AppError('conflict', 'visitValidity.nothingToAccept')
    await trx.updateTable('visits').set({ far_accepted_by: caller.actor.id, far_accepted_at: (caller.now ?? new Date()).toISOString() }).where('id', '=', input.visitId).execute()
    const judgement = (await rejudgeVisit(trx, input.visitId))!
    await recordAudit(trx, caller.actor, {
      action: 'visit.far_accepted',
      entityType: 'visit',
      entityId: input.visitId,
      detail: { reason: evidence.farReason, distance: evidence.distanceMetres, valid: judgement.valid, reasons: judgement.reasons },
    })
    return judgement
  })
}
