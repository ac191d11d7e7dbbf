// One territory the caller's scope holds (not deleted), or undefined.
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { inScope } from '../scope.server'

/** A territory is in scope by its org unit, or for an officer by being theirs. */
export function territoriesInScope(scope: Scope) {
  return inScope(scope, { orgUnit: 'territories.org_unit_id', owner: 'territories.officer_id' })
}

export async function getTerritory(db: Db, caller: Pick<Caller, 'scope'>, input: { id: number }) {
  return db
    .selectFrom('territories')
    .selectAll()
    .where('id', '=', input.id)
    .where('deleted_at', 'is', null)
    .where(territoriesInScope(caller.scope))
    .executeTakeFirst()
}
