// A helper of the hand-off rules, run inside their transactions: it takes the transaction
// and the player as they are, since scope was checked when the player was loaded.
import type { Db } from '../audit.server'

/** The need the player's latest visit records, for the hand-off rules; null when it records none. */
export async function findLatestNeed(db: Db, playerId: number, asOf?: string) {
  let q = db
    .selectFrom('visits')
    .select(['id', 'has_need', 'need_amount_yuan', 'need_term_months', 'need_collateral', 'visited_at'])
    .where('player_id', '=', playerId)
  // A hand-off dated in the past is judged by the latest visit before it.
  if (asOf) q = q.where('visited_at', '<=', asOf)
  const latest = await q
    .orderBy('visited_at', 'desc')
    .orderBy('recorded_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!latest || latest.has_need !== 1) return null
  return {
    visitId: latest.id,
    visitedAt: latest.visited_at,
    amountYuan: latest.need_amount_yuan === null ? null : Number(latest.need_amount_yuan),
    termMonths: latest.need_term_months,
    collateral: latest.need_collateral === null ? null : latest.need_collateral === 1,
  }
}
