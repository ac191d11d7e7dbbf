// The one scoping helper: turns a Scope (domain/scope.ts) into a where-clause. Every
// loader that lists or fetches scoped records filters through here, in the query.
import type { ExpressionBuilder, Expression, Kysely, SqlBool } from 'kysely'
import type { Database } from '../../db/schema'
import type { Scope } from '../domain/scope'

export interface ScopeColumns {
  /** The column holding the record's org unit id. */
  orgUnit: string
  /** The column holding the user the record belongs to (an assigned officer, an author). */
  owner: string
}

/** `where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))` */
export function inScope(scope: Scope, columns: ScopeColumns) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'all':
        return eb.lit(true)
      case 'org':
        return eb(eb.ref(columns.orgUnit), 'in', orgSubtreeIds(eb, scope.orgPath))
      case 'own':
        return eb(eb.ref(columns.owner), '=', scope.userId)
    }
  }
}

/** Ids of the org units in the subtree rooted at `orgPath`: a subquery of `eb`, or a query of its own from `db`. */
export function orgSubtreeIds(eb: ExpressionBuilder<any, any> | Kysely<Database>, orgPath: string) {
  return (eb as unknown as ExpressionBuilder<Database, 'org_units'>)
    .selectFrom('org_units')
    .select('org_units.id')
    .where('org_units.path', 'like', `${orgPath}%`)
}

/**
 * The ids of the org units every org scope among `scopes` reaches (in id order), or null when
 * none limits the org units. For reads that take the units one at a time or as a list.
 */
export async function orgUnitIdsOf(db: Kysely<Database>, scopes: readonly Scope[]): Promise<number[] | null> {
  let ids: Set<number> | null = null
  for (const s of scopes) {
    if (s.kind !== 'org') continue
    const subtree = (await orgSubtreeIds(db, s.orgPath).execute()).map((u) => u.id)
    ids = ids === null ? new Set(subtree) : new Set(subtree.filter((id) => ids!.has(id)))
  }
  return ids === null ? null : [...ids].sort((a, b) => a - b)
}

/** Market players the scope may see: by their org unit, or for an officer, those assigned to them. */
export function scoped(scope: Scope) {
  return inScope(scope, { orgUnit: 'market_players.org_unit_id', owner: 'market_players.assigned_officer_id' })
}
