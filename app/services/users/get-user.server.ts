import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { inScope } from '../scope.server'
import { userColumns, type UserListItem } from './list-users.server'

/** A user the scope may see, or undefined: a record outside scope looks like no record. */
export async function getUser(db: Db, caller: Pick<Caller, 'scope'>, input: { id: number }): Promise<UserListItem | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(userColumns)
    .where('users.id', '=', input.id)
    .where(inScope(caller.scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
    .executeTakeFirst()
}
