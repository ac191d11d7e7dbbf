// The officer's today, for their home page: what is planned (follow-ups overdue and due
// today, players never visited), what is done (visits made today), and the first few stops.
// The groups are the ones /my sorts by (domain/visit.ts listReason), so both pages agree.
import { sql } from 'kysely'
import { chinaDayBounds, todayInChina } from '../../domain/china-time'
import type { ListReason } from '../../domain/visit'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { inScope, scoped } from '../scope.server'

export interface OfficerToday {
  today: string
  /** Follow-ups due before today. */
  overdue: number
  /** Follow-ups due today. */
  dueToday: number
  /** Assigned, never visited, no follow-up due (counted above when one is). */
  notVisited: number
  /** Visited, no outcome recorded, nothing due. */
  noOutcome: number
  /** All the players assigned to the officer. */
  assigned: number
  /** The officer's visits made today (China day). */
  visitsToday: number
  /** The first stops of the day, the most pressing first. */
  plan: { id: number; name: string; address: string | null; reason: ListReason; nextFollowUpOn: string | null }[]
  /** The players visited today, the latest first. */
  visited: { visitId: string; playerId: number; name: string; visitedAt: string }[]
}

const n = (v: unknown) => Number(v ?? 0)

export async function findOfficerToday(db: Db, caller: Pick<Caller, 'actor' | 'scope'>, input: { today?: string; planSize?: number } = {}): Promise<OfficerToday> {
  const officerId = caller.actor.id
  if (officerId === null) throw new Error('an officer’s today needs a signed-in officer')
  const today = input.today ?? todayInChina()
  const { from, to } = chinaDayBounds(today)
  const mine = db.selectFrom('market_players').where('market_players.assigned_officer_id', '=', officerId).where(scoped(caller.scope))
  // The same order as listReason: overdue, due today, never visited, no outcome.
  const rank = sql<number>`case when market_players.next_follow_up_on < ${today} then 0 when market_players.next_follow_up_on = ${today} then 1 when market_players.last_visited_at is null then 2 when market_players.last_outcome is null then 3 else 4 end`
  const [counts, plan, visits] = await Promise.all([
    mine
      .select((eb) => [
        eb.fn.countAll<number>().as('assigned'),
        eb.fn.sum<number>(eb.case().when('market_players.next_follow_up_on', '<', today).then(1).else(0).end()).as('overdue'),
        eb.fn.sum<number>(eb.case().when('market_players.next_follow_up_on', '=', today).then(1).else(0).end()).as('dueToday'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.and([eb('market_players.last_visited_at', 'is', null), eb.or([eb('market_players.next_follow_up_on', 'is', null), eb('market_players.next_follow_up_on', '>', today)])]))
              .then(1)
              .else(0)
              .end(),
          )
          .as('notVisited'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(
                eb.and([
                  eb('market_players.last_visited_at', 'is not', null),
                  eb('market_players.last_outcome', 'is', null),
                  eb.or([eb('market_players.next_follow_up_on', 'is', null), eb('market_players.next_follow_up_on', '>', today)]),
                ]),
              )
              .then(1)
              .else(0)
              .end(),
          )
          .as('noOutcome'),
      ])
      .executeTakeFirstOrThrow(),
    mine
      .select(['market_players.id', 'market_players.name', 'market_players.address', 'market_players.next_follow_up_on', rank.as('rank')])
      .where(rank, '<', 4)
      .orderBy(rank)
      .orderBy('market_players.next_follow_up_on')
      .orderBy('market_players.id')
      .limit(input.planSize ?? 5)
      .execute(),
    db
      .selectFrom('visits')
      .innerJoin('market_players', 'market_players.id', 'visits.player_id')
      .select(['visits.id', 'visits.player_id', 'visits.visited_at', 'market_players.name'])
      .where('visits.officer_id', '=', officerId)
      .where(inScope(caller.scope, { orgUnit: 'visits.org_unit_id', owner: 'visits.officer_id' }))
      .where('visits.visited_at', '>=', from)
      .where('visits.visited_at', '<', to)
      .orderBy('visits.visited_at', 'desc')
      .orderBy('visits.id')
      .execute(),
  ])
  const reasons: ListReason[] = ['overdue', 'due_today', 'never_visited', 'no_outcome']
  return {
    today,
    assigned: n(counts.assigned),
    overdue: n(counts.overdue),
    dueToday: n(counts.dueToday),
    notVisited: n(counts.notVisited),
    noOutcome: n(counts.noOutcome),
    visitsToday: visits.length,
    plan: plan.map((p) => ({ id: p.id, name: p.name, address: p.address, reason: reasons[n(p.rank)], nextFollowUpOn: p.next_follow_up_on })),
    visited: visits.slice(0, 5).map((v) => ({ visitId: v.id, playerId: v.player_id, name: v.name, visitedAt: v.visited_at })),
  }
}
