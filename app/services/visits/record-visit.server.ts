// Visits: record one (stored once per client-made id, whatever the retries), correct one
// within its author's 24 hours, list them for a manager, and the officer's list of whom
// to see today. Each use case is one transaction with its audit entry.
import type { Kysely } from 'kysely'
import type { Database, Visit } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { Params } from '../../i18n/index'
import type { CampaignStatus } from '../../domain/market-player'
import { chinaDayBounds, todayInChina } from '../../domain/china-time'
import type { Scope } from '../../domain/scope'
import {
  assessCheckIn,
  campaignStatusAfterVisit,
  checkVisitTime,
  editableUntil,
  isEditable,
  listReason,
  type ListReason,
  type VisitOutcome,
} from '../../domain/visit'
import type { VisitInput, VisitTalk } from '../../forms/visit'
import { recordAudit, type Actor, type Db } from '../audit.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { scoped } from '../scope.server'
import { contactByVisit } from '../clocks/record-contact.server'
import { refreshQualification } from '../qualification.server'
import { inScope } from '../scope.server'

export interface VisitRules {
  radiusMetres: number
}

export interface VisitConflict {
  kind: 'reassigned'
  /** Who holds the player now; null when nobody does. */
  officerId: number | null
  officerName: string | null
}

/** A visit as the API answers it and the pages show it. */
export interface StoredVisit {
  id: string
  playerId: number
  officerId: number
  visitedAt: string
  recordedAt: string
  updatedAt: string
  editableUntil: string
  channel: Visit['channel']
  contact: string | null
  notes: string | null
  need: {
    has: boolean
    amountYuan: number | null
    purpose: string | null
    termMonths: number | null
    collateral: boolean | null
    product: string | null
  }
  obstacles: string[]
  outcome: string | null
  nextFollowUpOn: string | null
  checkIn: {
    lat: number | null
    lng: number | null
    accuracyMetres: number | null
    fix: string | null
    distanceMetres: number | null
    flag: string | null
    farReason: string | null
  }
  positionSet: boolean
  conflict: VisitConflict | null
}

export function storedVisit(v: Visit): StoredVisit {
  return {
    id: v.id,
    playerId: v.player_id,
    officerId: v.officer_id,
    visitedAt: v.visited_at,
    recordedAt: v.recorded_at,
    updatedAt: v.updated_at,
    editableUntil: editableUntil(v.recorded_at),
    channel: v.channel,
    contact: v.contact,
    notes: v.notes,
    need: {
      has: v.has_need === 1,
      amountYuan: v.need_amount_yuan === null ? null : Number(v.need_amount_yuan),
      purpose: v.need_purpose,
      termMonths: v.need_term_months,
      collateral: v.need_collateral === null ? null : v.need_collateral === 1,
      product: v.need_product,
    },
    obstacles: v.obstacles ? (JSON.parse(v.obstacles) as string[]) : [],
    outcome: v.outcome,
    nextFollowUpOn: v.next_follow_up_on,
    checkIn: {
      lat: v.check_in_lat,
      lng: v.check_in_lng,
      accuracyMetres: v.check_in_accuracy_m,
      fix: v.check_in_fix,
      distanceMetres: v.check_in_distance_m,
      flag: v.check_in_flag,
      farReason: v.far_reason,
    },
    positionSet: v.position_set === 1,
    conflict: v.conflict ? (JSON.parse(v.conflict) as VisitConflict) : null,
  }
}

/** The talk's columns: what a visit says, and what an edit may change. */
export function talkColumns(talk: VisitTalk) {
  return {
    channel: talk.channel,
    contact: talk.contact ?? null,
    notes: talk.notes ?? null,
    has_need: talk.hasNeed ? 1 : 0,
    need_amount_yuan: talk.hasNeed && talk.needAmount !== undefined ? Math.round(talk.needAmount * 10_000) : null,
    need_purpose: talk.hasNeed ? (talk.needPurpose ?? null) : null,
    need_term_months: talk.hasNeed ? (talk.needTermMonths ?? null) : null,
    need_collateral: talk.hasNeed && talk.needCollateral ? (talk.needCollateral === 'yes' ? 1 : 0) : null,
    need_product: talk.hasNeed ? (talk.needProduct ?? null) : null,
    obstacles: talk.obstacles.length ? JSON.stringify(talk.obstacles) : null,
    outcome: talk.outcome ?? null,
    next_follow_up_on: talk.nextFollowUpOn ?? null,
  }
}

function fieldError(field: string, key: string, params: Params = {}): AppError {
  return new AppError('bad_request', key, { field, ...params })
}

function checkDates(visitedAt: Date, nextFollowUpOn: string | undefined, now: Date, historical?: { registeredOn: string | null }) {
  const problem = checkVisitTime(visitedAt, nextFollowUpOn, now, historical)
  if (problem) throw fieldError(problem.field, problem.key, problem.params)
}

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
  options: { actor: Actor & { id: number }; scope: Scope; rules: VisitRules; now?: Date; historical?: boolean },
  input: VisitInput,
): Promise<RecordedVisit> {
  const now = options.now ?? new Date()
  const { actor } = options
  return db.transaction().execute(async (trx) => {
    const earlier = await trx.selectFrom('visits').selectAll().where('id', '=', input.id).executeTakeFirst()
    if (earlier) return repeated(earlier, actor.id)

    const player = await trx
      .selectFrom('market_players')
      .select(['id', 'lat', 'lng', 'position_approximate', 'campaign_status', 'assigned_officer_id', 'last_visited_at', 'registered_on'])
      .select((eb) => eb.exists(eb.selectFrom('market_players as s').select('s.id').whereRef('s.id', '=', 'market_players.id').where(scoped(options.scope))).as('in_scope'))
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

    const visitedAt = input.visitedAt ? new Date(input.visitedAt) : now
    checkDates(visitedAt, input.nextFollowUpOn, now, options.historical ? { registeredOn: player.registered_on } : undefined)
    const checkIn = input.checkInLat !== undefined && input.checkInLng !== undefined ? { lat: input.checkInLat, lng: input.checkInLng } : null
    const assessed = assessCheckIn({
      channel: input.channel,
      checkIn,
      player: { lat: player.lat, lng: player.lng, approximate: player.position_approximate === 1 },
      radiusMetres: options.rules.radiusMetres,
    })
    if (assessed.needsReason && !input.farReason) {
      throw fieldError('farReason', 'visit.farReasonNeeded', { distance: assessed.distance ?? 0, radius: options.rules.radiusMetres })
    }
    const setPosition = input.setPosition && checkIn !== null && player.position_approximate === 1 && conflict === null

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
      action: options.historical ? 'visit.imported' : 'visit.recorded',
      entityType: 'visit',
      entityId: input.id,
      detail: { player: player.id, flag: assessed.flag, distance: assessed.distance, conflict: conflict?.kind ?? null, ...(options.historical ? { historical: true, visitedAt: visitedAt.toISOString() } : {}) },
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

/**
 * Changes what a visit says, by its author, within 24 hours of recording it. The earlier
 * version goes into the audit log; the check-in never changes.
 */
export async function editVisit(db: Kysely<Database>, options: { actor: Actor & { id: number }; now?: Date }, id: string, talk: VisitTalk): Promise<StoredVisit> {
  const now = options.now ?? new Date()
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('visits').selectAll().where('id', '=', id).executeTakeFirst()
    if (!before) throw new AppError('not_found', 'error.notFound')
    if (before.officer_id !== options.actor.id) throw new AppError('forbidden', 'visit.notAuthor')
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
    await recordAudit(trx, options.actor, { action: 'visit.edited', entityType: 'visit', entityId: id, detail: { before: earlier, after: changed, version: before.updated_at } })
    return storedVisit(after)
  })
}

export function visitsScope(scope: Scope) {
  return inScope(scope, { orgUnit: 'visits.org_unit_id', owner: 'visits.officer_id' })
}

export async function getVisit(db: Db, scope: Scope, id: string): Promise<(StoredVisit & { playerName: string; officerName: string }) | undefined> {
  const row = await db
    .selectFrom('visits')
    .innerJoin('market_players', 'market_players.id', 'visits.player_id')
    .innerJoin('users', 'users.id', 'visits.officer_id')
    .selectAll('visits')
    .select(['market_players.name as player_name', 'users.name as officer_name'])
    .where('visits.id', '=', id)
    .where(visitsScope(scope))
    .executeTakeFirst()
  if (!row) return undefined
  const { player_name, officer_name, ...visit } = row
  return { ...storedVisit(visit as Visit), playerName: player_name, officerName: officer_name }
}

/** The visits of a player, newest first, as far as the scope sees them. */
export async function findPlayerVisits(db: Db, scope: Scope, playerId: number, limit = 50) {
  const rows = await db
    .selectFrom('visits')
    .innerJoin('users', 'users.id', 'visits.officer_id')
    .selectAll('visits')
    .select('users.name as officer_name')
    .where('visits.player_id', '=', playerId)
    .where(visitsScope(scope))
    .orderBy('visits.visited_at', 'desc')
    .limit(limit)
    .execute()
  return rows.map(({ officer_name, ...v }) => ({ ...storedVisit(v as Visit), officerName: officer_name }))
}

export interface VisitListFilter {
  day: string
  officerId?: number
  /** Only visits a manager should look at: far, without a fix, or in conflict. */
  flaggedOnly?: boolean
}

/** A day's visits in scope, with the player and officer, and a line per officer. */
export async function listVisitsOfDay(db: Db, scope: Scope, filter: VisitListFilter) {
  const { from, to } = chinaDayBounds(filter.day)
  let q = db
    .selectFrom('visits')
    .innerJoin('market_players', 'market_players.id', 'visits.player_id')
    .innerJoin('users', 'users.id', 'visits.officer_id')
    .where(visitsScope(scope))
    .where('visits.visited_at', '>=', from)
    .where('visits.visited_at', '<', to)
  if (filter.officerId) q = q.where('visits.officer_id', '=', filter.officerId)
  const rows = await (filter.flaggedOnly ? q.where((eb) => eb.or([eb('visits.check_in_flag', 'is not', null), eb('visits.conflict', 'is not', null)])) : q)
    .selectAll('visits')
    .select(['market_players.name as player_name', 'users.name as officer_name'])
    .orderBy('visits.visited_at', 'desc')
    .limit(500)
    .execute()
  const perOfficer = await q
    .select(['visits.officer_id as officerId', 'users.name as officerName'])
    .select((eb) => [
      eb.fn.countAll<number>().as('visits'),
      eb.fn.sum<number>(eb.case().when('visits.has_need', '=', 1).then(1).else(0).end()).as('needs'),
      eb.fn.sum<number>(eb.case().when('visits.check_in_flag', '=', 'far').then(1).else(0).end()).as('far'),
      eb.fn.sum<number>(eb.case().when('visits.check_in_flag', '=', 'no_fix').then(1).else(0).end()).as('noFix'),
      eb.fn.sum<number>(eb.case().when('visits.conflict', 'is not', null).then(1).else(0).end()).as('conflicts'),
    ])
    .groupBy(['visits.officer_id', 'users.name'])
    .orderBy('users.name')
    .execute()
  return {
    visits: rows.map(({ player_name, officer_name, ...v }) => ({ ...storedVisit(v as Visit), playerName: player_name, officerName: officer_name })),
    officers: perOfficer.map((o) => ({
      officerId: o.officerId,
      officerName: o.officerName,
      visits: Number(o.visits),
      needs: Number(o.needs ?? 0),
      far: Number(o.far ?? 0),
      noFix: Number(o.noFix ?? 0),
      conflicts: Number(o.conflicts ?? 0),
    })),
  }
}

export interface MyListItem {
  id: number
  name: string
  kind: string
  address: string | null
  townshipCode: string | null
  townshipName: string | null
  candidateStatus: string
  lat: number | null
  lng: number | null
  approximate: boolean
  /** For the one-tap call: the assigned officer dials their own players. */
  phone: string | null
  phoneMasked: string | null
  reason: ListReason
  lastVisitedAt: string | null
  lastOutcome: string | null
  nextFollowUpOn: string | null
}

/**
 * The officer's list for today: follow-ups due or overdue, players never visited, and
 * visits left without an outcome. The phone numbers it carries (for the call button) are
 * personal data, so handing them out is audited, once per list.
 */
export async function findMyList(
  db: Kysely<Database>,
  pii: PersonalDataCipher,
  actor: Actor & { id: number },
  options: { today?: string; withPhones: boolean },
) {
  const today = options.today ?? todayInChina()
  const rows = await db
    .selectFrom('market_players')
    .leftJoin('areas as township', 'township.code', 'market_players.township_code')
    .select([
      'market_players.id',
      'market_players.name',
      'market_players.kind',
      'market_players.address',
      'market_players.township_code',
      'township.name as township_name',
      'market_players.candidate_status',
      'market_players.lat',
      'market_players.lng',
      'market_players.position_approximate',
      'market_players.phone_enc',
      'market_players.phone_masked',
      'market_players.last_visited_at',
      'market_players.last_outcome',
      'market_players.next_follow_up_on',
    ])
    .where('market_players.assigned_officer_id', '=', actor.id)
    .where((eb) =>
      eb.or([
        eb('market_players.next_follow_up_on', '<=', today),
        eb('market_players.last_visited_at', 'is', null),
        eb('market_players.last_outcome', 'is', null),
      ]),
    )
    .orderBy('market_players.id')
    .execute()
  const items: MyListItem[] = []
  for (const r of rows) {
    const reason = listReason({ lastVisitedAt: r.last_visited_at, lastOutcome: r.last_outcome, nextFollowUpOn: r.next_follow_up_on }, today)
    if (!reason) continue
    items.push({
      id: r.id,
      name: r.name,
      kind: r.kind,
      address: r.address,
      townshipCode: r.township_code,
      townshipName: r.township_name,
      candidateStatus: r.candidate_status,
      lat: r.lat,
      lng: r.lng,
      approximate: r.position_approximate === 1,
      phone: options.withPhones && r.phone_enc ? pii.decrypt(r.phone_enc) : null,
      phoneMasked: r.phone_masked,
      reason,
      lastVisitedAt: r.last_visited_at,
      lastOutcome: r.last_outcome,
      nextFollowUpOn: r.next_follow_up_on,
    })
  }
  const withPhones = items.filter((i) => i.phone).length
  if (withPhones) await recordAudit(db, actor, { action: 'personal-data.list-phones', entityType: 'user', entityId: actor.id, detail: { players: withPhones } })
  return { today, items }
}

/** Visits stored in the last week with a conflict, newest first. */
export async function findConflictedVisits(db: Db, scope: Scope, limit = 20) {
  const rows = await db
    .selectFrom('visits')
    .innerJoin('market_players', 'market_players.id', 'visits.player_id')
    .select(['visits.id', 'visits.visited_at', 'visits.conflict', 'market_players.name as player_name', 'visits.officer_id'])
    .where(visitsScope(scope))
    .where('visits.conflict', 'is not', null)
    .where('visits.recorded_at', '>=', new Date(Date.now() - 7 * 86_400_000).toISOString())
    .orderBy('visits.recorded_at', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ id: r.id, visitedAt: r.visited_at, playerName: r.player_name, officerId: r.officer_id, conflict: JSON.parse(r.conflict!) as VisitConflict }))
}

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
