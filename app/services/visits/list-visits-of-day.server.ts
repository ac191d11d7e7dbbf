import type { Visit } from '../../../db/schema'
import { chinaDayBounds } from '../../domain/china-time'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { storedVisit, visitsScope } from './stored-visit.server'

export interface VisitListFilter {
  day: string
  officerId?: number
  /** Only visits a manager should look at: far, without a fix, or in conflict. */
  flaggedOnly?: boolean
  /** Only visits that do not count under the bank's rules. */
  invalidOnly?: boolean
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
      eb.fn.sum<number>(eb.case().when('visits.valid', '=', 0).then(1).else(0).end()).as('invalid'),
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
      invalid: Number(o.invalid ?? 0),
    })),
  }
}
