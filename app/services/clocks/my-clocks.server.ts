// The nearest clock of each player on the officer's list (`/my`), for the players the list
// already holds: a query of its own by player ids, so the list's query stays as it is.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { nearestClock, type NearestClock } from '../../domain/nearest-clock'
import type { Scope } from '../../domain/scope'
import { scoped } from '../scope.server'
import { loadClockContext } from './clock-context.server'

export async function findNearestClocks(db: Kysely<Database>, caller: { scope: Scope; now?: Date }, input: { playerIds: readonly number[] }): Promise<Map<number, NearestClock>> {
  const out = new Map<number, NearestClock>()
  if (input.playerIds.length === 0) return out
  const now = caller.now ?? new Date()
  const { calendar } = await loadClockContext(db)
  for (let i = 0; i < input.playerIds.length; i += 500) {
    const rows = await db
      .selectFrom('player_clocks')
      .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
      .selectAll('player_clocks')
      .where('player_clocks.player_id', 'in', input.playerIds.slice(i, i + 500))
      .where('player_clocks.next_due_at', 'is not', null)
      .where(scoped(caller.scope))
      .execute()
    for (const r of rows) {
      const clock = nearestClock(
        { acceptDueAt: r.accept_due_at, contactDueAt: r.contact_due_at, decideDueAt: r.decide_due_at, acceptedAt: r.accepted_at, contactedAt: r.contacted_at, decidedAt: r.decided_at },
        now,
        calendar,
      )
      if (clock) out.set(r.player_id, clock)
    }
  }
  return out
}
