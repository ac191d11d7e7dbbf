// Recording a visit: stored once per client-made id, whatever the retries. One transaction
// with its audit entry.
import type { Kysely } from 'kysely'
import type { Database, Visit } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { CampaignStatus } from '../../domain/market-player'
import { assessCheckIn } from '../../domain/visit'
import { judgeVisit } from '../../domain/visit-validity'
import { findVisitRules } from '../visit-rules/find-visit-rules.server'
import type { VisitInput } from '../../forms/visit'
import { recordAudit, type Actor } from '../audit.server'
import type { Caller } from '../caller.server'
import { contactByVisit } from '../clocks/record-contact.server'
import { scoped } from '../scope.server'
import { refreshPlayerAfterVisits } from './refresh-player-after-visits.server'
import { checkDates, fieldError, storedVisit, talkColumns, type StoredVisit, type VisitConflict } from './stored-visit.server'

export interface RecordedVisit {
  visit: StoredVisit
  /** False when this id was stored before: nothing changed. */
  created: boolean
}

/**
 * Records a visit once. The same id again, from its author, answers the visit as stored and
 * changes nothing. A player the author may no longer see but once looked after (it was
 * reassigned while the phone was offline) still gets the visit, marked with the conflict.
 */
export async function recordVisit(
  db: Kysely<Database>,
  // Who records, with the clock they record under (as the hand-off takes its clocks). The
  // rules are the bank's stored ones in force now (services/visit-rules/).
  caller: Pick<Caller, 'scope'> & { actor: Actor & { id: number }; now?: Date; historical?: boolean },
  input: VisitInput,
): Promise<RecordedVisit> {
  const now = caller.now ?? new Date()
  const { actor } = caller
  return db.transaction().execute(async (trx) => {
    const earlier = await trx.selectFrom('visits').selectAll().where('id', '=', input.id).executeTakeFirst()
    if (earlier) return repeated(earlier, actor.id)

    const player = await trx
      .selectFrom('market_players')
      .select(['id', 'kind', 'lat', 'lng', 'position_approximate', 'campaign_status', 'assigned_officer_id', 'last_visited_at', 'registered_on'])
      .select((eb) => eb.exists(eb.selectFrom('market_players as s').select('s.id').whereRef('s.id', '=', 'market_players.id').where(scoped(caller.scope))).as('in_scope'))
      .where('id', '=', input.playerId)
      .executeTakeFirst()
    if (!player) throw new AppError('not_found', 'visit.playerNotFound', { field: 'playerId' })
    let conflict: VisitConflict | null = null
    if (!truthy(player.in_scope)) {
      const once = await trx
        .selectFrom('player_assignments')
        .select('id')
        .where('player_id', '=', player.id)
        .where('officer_id', '=', actor.id)
        .limit(1)
        .executeTakeFirst()
      if (!once) throw new AppError('not_found', 'visit.playerNotFound', { field: 'playerId' })
      const holder = player.assigned_officer_id
        ? await trx.selectFrom('users').select('name').where('id', '=', player.assigned_officer_id).executeTakeFirst()
        : undefined
      conflict = { kind: 'reassigned', officerId: player.assigned_officer_id, officerName: holder?.name ?? null }
    }

    const { version: rulesVersion, rules } = await findVisitRules(trx)
    const visitedAt = input.visitedAt ? new Date(input.visitedAt) : now
    checkDates(visitedAt, input.nextFollowUpOn, now, caller.historical ? { registeredOn: player.registered_on } : undefined)
    const checkIn = input.checkInLat !== undefined && input.checkInLng !== undefined ? { lat: input.checkInLat, lng: input.checkInLng } : null
    const assessed = assessCheckIn({
      channel: input.channel,
      checkIn,
      player: { lat: player.lat, lng: player.lng, approximate: player.position_approximate === 1 },
      radiusMetres: rules.radiusMetres,
    })
    if (assessed.needsReason && !input.farReason) {
      throw fieldError('farReason', 'visit.farReasonNeeded', { distance: assessed.distance ?? 0, radius: rules.radiusMetres })
    }
    const setPosition = input.setPosition && checkIn !== null && player.position_approximate === 1 && conflict === null

    // Judged now with no photo yet: adding one judges it again (add-visit-photo). A visit
    // brought from the bank's past was judged by the bank then: it counts, like a file's.
    const judgement = caller.historical
      ? { valid: true, reasons: [] }
      : judgeVisit(
          { channel: input.channel, playerKind: player.kind, checkedIn: checkIn !== null, distanceMetres: assessed.distance, approximatePosition: assessed.flag !== 'far', farAccepted: false, photos: 0 },
          rules,
        )
    const author = await trx.selectFrom('users').select('org_unit_id').where('id', '=', actor.id).executeTakeFirstOrThrow()
    const stamp = now.toISOString()
    const inserted = await trx
      .insertInto('visits')
      .values({
        id: input.id,
        player_id: player.id,
        officer_id: actor.id,
        org_unit_id: author.org_unit_id,
        visited_at: visitedAt.toISOString(),
        recorded_at: stamp,
        updated_at: stamp,
        ...talkColumns(input),
        check_in_lat: checkIn?.lat ?? null,
        check_in_lng: checkIn?.lng ?? null,
        check_in_accuracy_m: checkIn ? (input.checkInAccuracy ?? null) : null,
        check_in_fix: checkIn ? (input.checkInFix ?? 'live') : null,
        check_in_distance_m: assessed.distance,
        check_in_flag: assessed.flag,
        far_reason: assessed.flag === 'far' ? (input.farReason ?? null) : null,
        position_set: setPosition ? 1 : 0,
        conflict: conflict ? JSON.stringify(conflict) : null,
        valid: judgement.valid ? 1 : 0,
        invalid_reasons: judgement.valid ? null : JSON.stringify(judgement.reasons),
        rules_version: caller.historical ? null : rulesVersion,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (!inserted) {
      // Another request stored this id between our look and our insert.
      return repeated(await trx.selectFrom('visits').selectAll().where('id', '=', input.id).executeTakeFirstOrThrow(), actor.id)
    }

    if (setPosition) {
      await trx.updateTable('market_players').set({ lat: checkIn.lat, lng: checkIn.lng, position_approximate: 0, updated_at: stamp }).where('id', '=', player.id).execute()
      await recordAudit(trx, actor, { action: 'player.position-from-check-in', entityType: 'market_player', entityId: player.id, detail: { visit: input.id, before: { lat: player.lat, lng: player.lng } } })
    }
    await refreshPlayerAfterVisits(trx, player.id, player.campaign_status as CampaignStatus, stamp)
    // A visit is the contact a channel's clock asks for.
    await contactByVisit(trx, player.id, actor.id, visitedAt.toISOString())
    await recordAudit(trx, actor, {
      action: caller.historical ? 'visit.imported' : 'visit.recorded',
      entityType: 'visit',
      entityId: input.id,
      detail: { player: player.id, flag: assessed.flag, distance: assessed.distance, valid: judgement.valid, reasons: judgement.reasons, rules: rulesVersion, conflict: conflict?.kind ?? null, ...(caller.historical ? { historical: true, visitedAt: visitedAt.toISOString() } : {}) },
    })
    return { visit: storedVisit(inserted), created: true }
  })
}

function repeated(visit: Visit, authorId: number): RecordedVisit {
  // An id is the author's own; anyone else presenting it learns nothing about the visit.
  if (visit.officer_id !== authorId) throw new AppError('conflict', 'visit.idTaken', { field: 'id' })
  return { visit: storedVisit(visit), created: false }
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't'
}

