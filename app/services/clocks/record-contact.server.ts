// The officer records that the firm was contacted; a visit counts as contact by itself.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { metTimes, nextDueOf } from '../../domain/clocks'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor } from '../audit.server'
import { meetClock } from './player-clock.server'

export async function recordContact(db: Kysely<Database>, caller: { actor: Actor & { id: number }; scope: Scope; now?: Date }, input: { playerId: number }): Promise<void> {
  const at = (caller.now ?? new Date()).toISOString()
  await db.transaction().execute(async (trx) => {
    const before = await meetClock(trx, caller.scope, input.playerId, 'contact', caller.actor.id, at)
    if (before.contacted_at !== null) throw new AppError('conflict', 'clocks.alreadyContacted')
    await recordAudit(trx, caller.actor, { action: 'clock.contacted', entityType: 'market_player', entityId: input.playerId, detail: { at, dueAt: before.contact_due_at } })
  })
}

/**
 * In a visit's transaction: the visit is the contact (and the acceptance) of a player whose
 * clocks are open, at the time of the visit; the visit's own audit entry records it.
 */
export async function contactByVisit(trx: Transaction<Database>, playerId: number, officerId: number, visitedAt: string): Promise<void> {
  const row = await trx.selectFrom('player_clocks').selectAll().where('player_id', '=', playerId).executeTakeFirst()
  if (!row || row.contacted_at !== null || visitedAt < row.started_at) return
  const met = metTimes({ acceptedAt: row.accepted_at, contactedAt: null, decidedAt: row.decided_at }, 'contact', visitedAt)
  await trx
    .updateTable('player_clocks')
    .set({
      accepted_at: met.acceptedAt,
      accepted_by: row.accepted_at === null ? officerId : row.accepted_by,
      contacted_at: met.contactedAt,
      contacted_by: officerId,
      next_due_at: nextDueOf({ acceptDueAt: row.accept_due_at, contactDueAt: row.contact_due_at, decideDueAt: row.decide_due_at, ...met }),
    })
    .where('player_id', '=', playerId)
    .execute()
}
