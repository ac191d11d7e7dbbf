// Workload per officer: how many players each looks after, how many are first-lender
// candidates, how many are not yet visited, how many are due a return visit (today or
// overdue, by the China day); and a suggestion that evens it out.
import { todayInChina } from '../../domain/china-time'
import { balanceWorkload } from '../../domain/workload'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import { inScope, scoped } from '../scope.server'

export async function workloadByOfficer(db: Db, scope: Scope, options: { today?: string } = {}) {
  const today = options.today ?? todayInChina()
  const officers = await db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.id', 'users.name', 'users.username', 'org_units.name as orgName'])
    .where('users.role', '=', 'officer')
    .where('users.active', '=', 1)
    .where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
    .orderBy('org_units.path')
    .orderBy('users.username')
    .execute()
  const ids = officers.map((o) => o.id)
  const counts = ids.length
    ? await db
        .selectFrom('market_players')
        .select([
          'assigned_officer_id as officerId',
          (eb) => eb.fn.countAll<number>().as('players'),
          (eb) => eb.fn.sum<number>(eb.case().when('candidate_status', '=', 'candidate').then(1).else(0).end()).as('candidates'),
          (eb) => eb.fn.sum<number>(eb.case().when('campaign_status', '=', 'not_visited').then(1).else(0).end()).as('notVisited'),
          (eb) => eb.fn.sum<number>(eb.case().when('next_follow_up_on', '<=', today).then(1).else(0).end()).as('followUpsDue'),
          (eb) => eb.fn.sum<number>(eb.case().when('next_follow_up_on', '<', today).then(1).else(0).end()).as('overdue'),
        ])
        .where('assigned_officer_id', 'in', ids)
        .groupBy('assigned_officer_id')
        .execute()
    : []
  const byOfficer = new Map(counts.map((c) => [c.officerId, c]))
  const rows = officers.map((o) => {
    const c = byOfficer.get(o.id)
    return {
      ...o,
      players: Number(c?.players ?? 0),
      candidates: Number(c?.candidates ?? 0),
      notVisited: Number(c?.notVisited ?? 0),
      followUpsDue: Number(c?.followUpsDue ?? 0),
      overdue: Number(c?.overdue ?? 0),
    }
  })
  const unassigned = await db
    .selectFrom('market_players')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('assigned_officer_id', 'is', null)
    .where(scoped(scope))
    .executeTakeFirstOrThrow()
  return { rows, unassigned: Number(unassigned.n), balance: balanceWorkload(rows) }
}
