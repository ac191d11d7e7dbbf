import type { Visit } from '../../../db/schema'
import { chinaDayBounds } from '../../domain/china-time'
import type { InvalidReason } from '../../domain/visit-validity'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { visitsScope, type VisitConflict } from './stored-visit.server'

export interface VisitListFilter {
  day: string
  officerId?: number
  /** Only visits a manager should look at: far, without a fix, or in conflict. */
  flaggedOnly?: boolean
  /** Only visits that do not count under the bank's rules. */
  invalidOnly?: boolean
}

/**
 * A visit as the day view shows it: the fields on its row only, not the whole visit (notes,
 * the need's details, positions are on the visit's own page). A day of 40 officers is a few
 * hundred rows, and every field here is sent to the browser twice, as HTML and as data
 * (decision 0551).
 */
export interface DayVisit {
  id: string
  playerId: number
  playerName: string
  officerId: number
  officerName: string
  visitedAt: string
  channel: Visit['channel']
  outcome: string | null
  need: { has: boolean; amountYuan: number | null }
  checkIn: { distanceMetres: number | null; flag: string | null; farReason: string | null }
  conflict: VisitConflict | null
  /** Whether it counts under the bank's rules, and why not (domain/visit-validity.ts). */
  validity: { valid: boolean; reasons: InvalidReason[]; farAcceptedAt: string | null }
}

/** A day's visits in scope, with the player and officer, and a line per officer. */
export async function listVisitsOfDay(db: Db, caller: Pick<Caller, 'scope'>, filter: VisitListFilter) {
  const { from, to } = chinaDayBounds(filter.day)
  let q = db
    .selectFrom('visits')
    .innerJoin('market_players', 'market_players.id', 'visits.player_id')
    .innerJoin('users', 'users.id', 'visits.officer_id')
    .where(visitsScope(caller.scope))
    .where('visits.visited_at', '>=', from)
    .where('visits.visited_at', '<', to)
  if (filter.officerId) q = q.where('visits.officer_id', '=', filter.officerId)
  let shown = filter.flaggedOnly ? q.where((eb) => eb.or([eb('visits.check_in_flag', 'is not', null), eb('visits.conflict', 'is not', null)])) : q
  if (filter.invalidOnly) shown = shown.where('visits.valid', '=', 0)
  const rows = await shown
    .select([
      'visits.id',
      'visits.player_id',
      'visits.officer_id',
      'visits.visited_at',
      'visits.channel',
      'visits.outcome',
      'visits.has_need',
      'visits.need_amount_yuan',
      'visits.check_in_distance_m',
      'visits.check_in_flag',
      'visits.far_reason',
      'visits.conflict',
      'visits.valid',
      'visits.invalid_reasons',
      'visits.far_accepted_at',
      'market_players.name as player_name',
      'users.name as officer_name',
    ])
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
      eb.fn.sum<number>(eb.case().when('visits.valid', '=', 0).then(1).else(0).end()).as('invalid'),
    ])
    .groupBy(['visits.officer_id', 'users.name'])
    .orderBy('users.name')
    .execute()
  return {
    visits: rows.map(
      (v): DayVisit => ({
        id: v.id,
        playerId: v.player_id,
        playerName: v.player_name,
        officerId: v.officer_id,
        officerName: v.officer_name,
        visitedAt: v.visited_at,
        channel: v.channel,
        outcome: v.outcome,
        need: { has: v.has_need === 1, amountYuan: v.need_amount_yuan === null ? null : Number(v.need_amount_yuan) },
        checkIn: { distanceMetres: v.check_in_distance_m, flag: v.check_in_flag, farReason: v.far_reason },
        conflict: v.conflict ? (JSON.parse(v.conflict) as VisitConflict) : null,
        validity: { valid: v.valid === 1, reasons: v.invalid_reasons ? (JSON.parse(v.invalid_reasons) as InvalidReason[]) : [], farAcceptedAt: v.far_accepted_at },
      }),
    ),
    officers: perOfficer.map((o) => ({
      officerId: o.officerId,
      officerName: o.officerName,
      visits: Number(o.visits),
      needs: Number(o.needs ?? 0),
      far: Number(o.far ?? 0),
      noFix: Number(o.noFix ?? 0),
      conflicts: Number(o.conflicts ?? 0),
      invalid: Number(o.invalid ?? 0),
    })),
  }
}
