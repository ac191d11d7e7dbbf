import type { Db } from '../audit.server'

/** The active managers of one org unit: who an officer reports to. */
export async function findManagersOfOrgUnit(db: Db, orgUnitId: number) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'username'])
    .where('org_unit_id', '=', orgUnitId)
    .where('role', '=', 'manager')
    .where('active', '=', 1)
    .orderBy('username')
    .execute()
}
