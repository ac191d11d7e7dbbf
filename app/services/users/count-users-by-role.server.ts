import type { Role } from '../../../db/schema'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import { inScope } from '../scope.server'

/** Counts of users by role in a scope's org units, for the home pages. */
export async function countUsersByRole(db: Db, scope: Scope): Promise<Record<Role, number>> {
  const rows = await db
    .selectFrom('users')
    .select(['users.role', (eb) => eb.fn.countAll<number>().as('n')])
    .where('users.active', '=', 1)
    .where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
    .groupBy('users.role')
    .execute()
  const counts: Record<Role, number> = { officer: 0, manager: 0, hq: 0, admin: 0 }
  for (const row of rows) counts[row.role] = Number(row.n)
  return counts
}
