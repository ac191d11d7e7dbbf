import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import { inScope } from '../scope.server'

/** Active officers and managers sitting directly in each org unit the scope may see. */
export async function countStaffPerOrgUnit(db: Db, scope: Scope): Promise<Map<number, { officers: number; managers: number }>> {
  const rows = await db
    .selectFrom('users')
    .select([
      'users.org_unit_id as orgUnitId',
      'users.role',
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('users.active', '=', 1)
    .where('users.role', 'in', ['officer', 'manager'])
    .where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
    .groupBy(['users.org_unit_id', 'users.role'])
    .execute()
  const counts = new Map<number, { officers: number; managers: number }>()
  for (const row of rows) {
    const entry = counts.get(row.orgUnitId) ?? { officers: 0, managers: 0 }
    if (row.role === 'officer') entry.officers = Number(row.n)
    else entry.managers = Number(row.n)
    counts.set(row.orgUnitId, entry)
  }
  return counts
}
