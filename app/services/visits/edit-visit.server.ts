// Correcting a visit: its author, within 24 hours of recording it. One transaction with its
// audit entry, which keeps the earlier version.
import type { Kysely } from 'kysely'
import type { Database, Visit } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { CampaignStatus } from '../../domain/market-player'
import { isEditable } from '../../domain/visit'
import type { VisitTalk } from '../../forms/visit'
import { recordAudit, type Actor } from '../audit.server'
import { refreshPlayerAfterVisits } from './refresh-player-after-visits.server'
import { checkDates, storedVisit, talkColumns, type StoredVisit } from './stored-visit.server'

/**
 * Changes what a visit says, by its author, within 24 hours of recording it. The earlier
 * version goes into the audit log; the check-in never changes.
 */
export async function editVisit(
  db: Kysely<Database>,
  caller: { actor: Actor & { id: number } },
  input: { id: string; talk: VisitTalk; now?: Date },
): Promise<StoredVisit> {
  const { id, talk } = input
  const now = input.now ?? new Date()
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirst()
    if (!before) throw new AppError('not_found', 'error.notFound')
    if (before.officer_id !== caller.actor.id) throw new AppError('forbidden', 'visit.notAuthor')
    if (!isEditable(before.recorded_at, now)) throw new AppError('forbidden', 'visit.locked')
    checkDates(new Date(before.visited_at), talk.nextFollowUpOn, now)
    const columns = talkColumns(talk)
    const changed = Object.fromEntries(Object.entries(columns).filter(([k, v]) => before[k as keyof Visit] !== v && !(k === 'need_amount_yuan' && Number(before.need_amount_yuan) === v)))
    if (Object.keys(changed).length === 0) return storedVisit(before)
    const stamp = now.toISOString()
    const after = await trx.updateTable('visits').set({ ...columns, updated_at: stamp }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
    const player = await trx.selectFrom('market_players').select('campaign_status').where('id', '=', before.player_id).executeTakeFirstOrThrow()
    await refreshPlayerAfterVisits(trx, before.player_id, player.campaign_status as CampaignStatus, stamp)
    const earlier = Object.fromEntries(Object.keys(changed).map((k) => [k, before[k as keyof Visit]]))
    await recordAudit(trx, caller.actor, { action: 'visit.edited', entityType: 'visit', entityId: id, detail: { before: earlier, after: changed, version: before.updated_at } })
    return storedVisit(after)
  })
}
