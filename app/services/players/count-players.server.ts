import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { scoped } from '../scope.server'

/** How many players a scope holds, by first-lender status, and how many have no officer. */
export async function countPlayers(db: Db, caller: Pick<Caller, 'scope'>) {
  const rows = await db
    .selectFrom('market_players')
    .select([
      'candidate_status as status',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.count<number>('assigned_officer_id').as('assigned'),
    ])
    .where(scoped(caller.scope))
    .groupBy('candidate_status')
    .execute()
  const counts = { total: 0, candidate: 0, to_verify: 0, not_candidate: 0, unassigned: 0 }
  for (const row of rows) {
    const n = Number(row.n)
    counts.total += n
    counts.unassigned += n - Number(row.assigned)
    if (row.status in counts) counts[row.status as 'candidate'] += n
  }
  return counts
}
