// What a player's row keeps from its latest visit, refreshed inside the transaction that
// records, edits or imports visits.
import type { CampaignStatus } from '../../domain/market-player'
import { campaignStatusAfterVisit, type VisitOutcome } from '../../domain/visit'
import type { Db } from '../audit.server'
import { refreshQualification } from '../qualification.server'

/** The player's latest-visit columns, campaign status and hand-off flag, from its latest visit. */
export async function refreshPlayerAfterVisits(trx: Db, playerId: number, current: CampaignStatus, stamp: string) {
  const latest = await trx
    .selectFrom('visits')
    .select(['visited_at', 'outcome', 'has_need', 'next_follow_up_on'])
    .where('player_id', '=', playerId)
    .orderBy('visited_at', 'desc')
    .orderBy('recorded_at', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow()
  await trx
    .updateTable('market_players')
    .set({
      last_visited_at: latest.visited_at,
      last_outcome: latest.outcome,
      next_follow_up_on: latest.next_follow_up_on,
      campaign_status: campaignStatusAfterVisit(current, { hasNeed: latest.has_need === 1, outcome: latest.outcome as VisitOutcome | null }),
      updated_at: stamp,
    })
    .where('id', '=', playerId)
    .execute()
  await refreshQualification(trx, [playerId])
}
