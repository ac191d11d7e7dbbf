// Org units: the tree every scope is cut from, and its lookups. Read-only helpers take the
// scope or the unit they look for; the changes sit one a file beside this one.
import type { OrgUnitKind } from '../../../db/schema'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'

export interface OrgUnitRow {
  id: number
  code: string
  name: string
  kind: OrgUnitKind
  parentId: number | null
  path: string
  depth: number
}

const columns = ['id', 'code', 'name', 'kind', 'parent_id as parentId', 'path', 'depth'] as const

/** Units the scope may see, in tree order (each parent before its children). */
export async function listOrgUnits(db: Db, scope: Scope): Promise<OrgUnitRow[]> {
  let q = db.selectFrom('org_units').select(columns).orderBy('path')
  if (scope.kind !== 'all') q = q.where('path', 'like', `${scope.orgPath}%`)
  const rows = await q.execute()
  return sortAsTree(rows)
}

export async function getOrgUnit(db: Db, id: number): Promise<OrgUnitRow | undefined> {
  return db.selectFrom('org_units').select(columns).where('id', '=', id).executeTakeFirst()
}

export async function findOrgUnitByCode(db: Db, code: string): Promise<OrgUnitRow | undefined> {
  return db.selectFrom('org_units').select(columns).where('code', '=', code).executeTakeFirst()
}

/** The units from the root down to this one, for a breadcrumb. */
export async function findOrgUnitAncestry(db: Db, path: string): Promise<OrgUnitRow[]> {
  const ids = path.split('/').filter(Boolean).map(Number)
  if (ids.length === 0) return []
  const rows = await db.selectFrom('org_units').select(columns).where('id', 'in', ids).execute()
  return rows.sort((a, b) => a.depth - b.depth)
}

/** Depth-first order with siblings by code, from rows ordered by anything. */
function sortAsTree(rows: OrgUnitRow[]): OrgUnitRow[] {
  const children = new Map<number | null, OrgUnitRow[]>()
  const ids = new Set(rows.map((r) => r.id))
  for (const row of rows) {
    const key = row.parentId !== null && ids.has(row.parentId) ? row.parentId : null
    const list = children.get(key) ?? []
    list.push(row)
    children.set(key, list)
  }
  const out: OrgUnitRow[] = []
  const visit = (parent: number | null) => {
    for (const row of (children.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code))) {
      out.push(row)
      visit(row.id)
    }
  }
  visit(null)
  return out
}
