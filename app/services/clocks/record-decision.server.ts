// The bank's decision on a clocked lead: approved with an amount, or refused with a reason
// from the code list (PRODUCT.md: "a refusal needs a reason from the code list").
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { checkDecision, type Decision } from '../../domain/clocks'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor } from '../audit.server'
import { meetClock } from './player-clock.server'

export async function recordDecision(db: Kysely<Database>, caller: { actor: Actor & { id: number }; scope: Scope; now?: Date }, input: { playerId: number } & Decision): Promise<void> {
  const problems = checkDecision({
    decision: input.decision,
    amountYuan: input.decision === 'approved' ? input.amountYuan : null,
    reason: input.decision === 'refused' ? input.reason : null,
    note: input.decision === 'refused' ? input.note : null,
  })
  if (problems.length > 0) throw new AppError('bad_request', problems[0].message, { field: problems[0].field })
  const at = (caller.now ?? new Date()).toISOString()
  await db.transaction().execute(async (trx) => {
    const extra =
      input.decision === 'approved'
        ? { decision: 'approved' as const, amount_yuan: input.amountYuan, refusal_reason: null, refusal_note: null }
        : { decision: 'refused' as const, amount_yuan: null, refusal_reason: input.reason, refusal_note: input.note?.trim() || null }
    const before = await meetClock(trx, caller.scope, input.playerId, 'decide', caller.actor.id, at, extra)
    if (before.decided_at !== null) throw new AppError('conflict', 'clocks.alreadyDecided')
    await recordAudit(trx, caller.actor, { action: 'clock.decided', entityType: 'market_player', entityId: input.playerId, detail: { at, dueAt: before.decide_due_at, ...extra } })
  })
}
