// The officer accepts (受理) a lead that came through a clocked channel.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor } from '../audit.server'
import { meetClock } from './player-clock.server'

export async function acceptLead(db: Kysely<Database>, caller: { actor: Actor & { id: number }; scope: Scope; now?: Date }, input: { playerId: number }): Promise<void> {
  const at = (caller.now ?? new Date()).toISOString()
  await db.transaction().execute(async (trx) => {
    const before = await meetClock(trx, caller.scope, input.playerId, 'accept', caller.actor.id, at)
    if (before.accepted_at !== null) throw new AppError('conflict', 'clocks.alreadyAccepted')
    await recordAudit(trx, caller.actor, { action: 'clock.accepted', entityType: 'market_player', entityId: input.playerId, detail: { at, dueAt: before.accept_due_at } })
  })
}
