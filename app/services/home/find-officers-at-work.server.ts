// A manager's officers at work, for their home page: each officer's workload (players
// assigned, never visited, follow-ups due today and overdue) and their visits today. The
// officers, players and visits are the manager's scope, applied in each query.
import { chinaDayBounds, todayInChina } from '../../domain/china-time'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { inScope, scoped } from '../scope.server'

export interface OfficerAtWork {
  id: number
  name: string
  username: string
  orgName: string
  players: number
  notVisited: number
  dueToday: number
  overdue: number
  visitsToday: number
}

const n = (v: unknown) => Number(v ?? 0)

export async function findOfficersAtWork(db: Db, caller: Pick<Caller, 'scope'>, input: { today?: string } = {}) {
  const today = input.today ?? todayInChina()
  const { from, to } = chinaDayBounds(today)
  const officers = db
    .selectFrom('users')
    .select('users.id')
    .where('users.role', '=', 'officer')
    .where('users.active', '=', 1)
    .where(inScope(caller.scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
  const [people, work, visits] = await Promise.all([
    db
      .selectFrom('users')
      .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
      .select(['users.id', 'users.name', 'users.username', 'org_units.name as orgName'])
      .where('users.id', 'in', officers)
      .orderBy('org_units.path')
      .orderBy('users.username')
      .execute(),
    db
      .selectFrom('market_players')
      .select((eb) => [
        'market_players.assigned_officer_id as officerId',
        eb.fn.countAll<number>().as('players'),
        eb.fn.sum<number>(eb.case().when('market_players.last_visited_at', 'is', null).then(1).else(0).end()).as('notVisited'),
        eb.fn.sum<number>(eb.case().when('market_players.next_follow_up_on', '=', today).then(1).else(0).end()).as('dueToday'),
        eb.fn.sum<number>(eb.case().when('market_players.next_follow_up_on', '<', today).then(1).else(0).end()).as('overdue'),
      ])
      .where('market_players.assigned_officer_id', 'in', officers)
      .where(scoped(caller.scope))
      .groupBy('market_players.assigned_officer_id')
      .execute(),
    db
      .selectFrom('visits')
      .select((eb) => ['visits.officer_id as officerId', eb.fn.countAll<number>().as('visits')])
      .where('visits.officer_id', 'in', officers)
      .where(inScope(caller.scope, { orgUnit: 'visits.org_unit_id', owner: 'visits.officer_id' }))
      .where('visits.visited_at', '>=', from)
      .where('visits.visited_at', '<', to)
      .groupBy('visits.officer_id')
      .execute(),
  ])
  const workOf = new Map(work.map((w) => [w.officerId, w]))
  const visitsOf = new Map(visits.map((v) => [v.officerId, n(v.visits)]))
  const rows: OfficerAtWork[] = people.map((p) => {
    const w = workOf.get(p.id)
    return { ...p, players: n(w?.players), notVisited: n(w?.notVisited), dueToday: n(w?.dueToday), overdue: n(w?.overdue), visitsToday: visitsOf.get(p.id) ?? 0 }
  })
  const total = (key: 'players' | 'notVisited' | 'dueToday' | 'overdue' | 'visitsToday') => rows.reduce((sum, r) => sum + r[key], 0)
  return {
    today,
    officers: rows,
    totals: { players: total('players'), notVisited: total('notVisited'), dueToday: total('dueToday'), overdue: total('overdue'), visitsToday: total('visitsToday') },
  }
}
