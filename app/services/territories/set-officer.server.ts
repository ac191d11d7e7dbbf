// Changing the officer of many players at once, each change kept in the player's history.
// Runs inside the transaction of the use case that decided it.
import type { Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Caller } from '../caller.server'

export async function setOfficer(
  trx: Transaction<Database>,
  caller: Pick<Caller, 'actor'>,
  input: { playerIds: number[]; officerId: number | null; source: 'territory' | 'direct' | null; reason: string },
) {
  const { playerIds, officerId, source, reason } = input
  const now = new Date().toISOString()
  for (const chunk of chunks(playerIds)) {
    await trx
      .updateTable('market_players')
      .set({ assigned_officer_id: officerId, assignment_source: source, updated_at: now })
      .where('id', 'in', chunk)
      .execute()
    await trx
      .insertInto('player_assignments')
      .values(chunk.map((id) => ({ player_id: id, officer_id: officerId, assigned_at: now, assigned_by: caller.actor.id, reason })))
      .execute()
  }
}

/** Ids in batches small enough for one statement's parameters on both dialects. */
export function* chunks<T>(items: T[], size = 800): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
}
