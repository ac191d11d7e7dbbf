// A player's clocks as the actions read and move them; scope applied in the query.
import type { Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { metTimes, nextDueOf, type Clock } from '../../domain/clocks'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import { scoped } from '../scope.server'

/** The player's clocks, if the player is in scope and has any. */
export async function findPlayerClock(db: Db, scope: Scope, playerId: number) {
  return db
    .selectFrom('player_clocks')
    .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
    .selectAll('player_clocks')
    .where('player_clocks.player_id', '=', playerId)
    .where(scoped(scope))
    .executeTakeFirst()
}

/**
 * Marks `step` met at `at` (and the earlier steps not yet met: a contact is an acceptance, a
 * decision a contact), keeping times already recorded; answers the row as it was before.
 */
export async function meetClock(
  trx: Transaction<Database>,
  scope: Scope,
  playerId: number,
  step: Clock,
  by: number,
  at: string,
  extra: Partial<Pick<Database['player_clocks'], 'decision' | 'amount_yuan' | 'refusal_reason' | 'refusal_note'>> = {},
) {
  const row = await findPlayerClock(trx, scope, playerId)
  if (!row) throw new AppError('not_found', 'clocks.notFound')
  if (at < row.started_at) throw new AppError('bad_request', 'clocks.beforeStart', { field: 'at' })
  const met = metTimes({ acceptedAt: row.accepted_at, contactedAt: row.contacted_at, decidedAt: row.decided_at }, step, at)
  await trx
    .updateTable('player_clocks')
    .set({
      accepted_at: met.acceptedAt,
      accepted_by: row.accepted_at === null ? by : row.accepted_by,
      contacted_at: met.contactedAt,
      contacted_by: row.contacted_at === null && met.contactedAt !== null ? by : row.contacted_by,
      decided_at: met.decidedAt,
      decided_by: row.decided_at === null && met.decidedAt !== null ? by : row.decided_by,
      next_due_at: nextDueOf({ acceptDueAt: row.accept_due_at, contactDueAt: row.contact_due_at, decideDueAt: row.decide_due_at, ...met }),
      ...extra,
    })
    .where('player_id', '=', playerId)
    .execute()
  return row
}
