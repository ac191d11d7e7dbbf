// Org units: the tree every scope is cut from.
import { sql, type Kysely } from 'kysely'
import type { Database, OrgUnitKind } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { checkMove, childKindsOf, pathOf } from '../../domain/org-tree'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor, type Db } from '../audit.server'

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

export async function createOrgUnit(
  db: Kysely<Database>,
  actor: Actor,
  input: { code: string; name: string; kind: OrgUnitKind; parentId: number | null },
): Promise<OrgUnitRow> {
  return db.transaction().execute(async (trx) => {
    const parent = input.parentId === null ? null : await getOrgUnit(trx, input.parentId)
    if (input.parentId !== null && !parent) throw new AppError('bad_request', 'validation.notFound')
    if (parent ? !childKindsOf(parent.kind).includes(input.kind) : input.kind !== 'hq') {
      throw new AppError('bad_request', 'org.kindNotAllowed')
    }
    if (!parent && (await trx.selectFrom('org_units').select('id').where('parent_id', 'is', null).executeTakeFirst())) {
      throw new AppError('bad_request', 'org.kindNotAllowed') // one head office per bank
    }
    if (await findOrgUnitByCode(trx, input.code)) throw new AppError('conflict', 'org.codeTaken', { code: input.code })
    const { id } = await trx
      .insertInto('org_units')
      .values({
        code: input.code,
        name: input.name,
        kind: input.kind,
        parent_id: parent?.id ?? null,
        path: '',
        depth: parent ? parent.depth + 1 : 0,
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const path = pathOf(parent?.path ?? null, id)
    await trx.updateTable('org_units').set({ path }).where('id', '=', id).execute()
    await recordAudit(trx, actor, { action: 'org_unit.create', entityType: 'org_unit', entityId: id, detail: input })
    return (await getOrgUnit(trx, id))!
  })
}

export async function renameOrgUnit(db: Kysely<Database>, actor: Actor, id: number, name: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const unit = await getOrgUnit(trx, id)
    if (!unit) throw new AppError('not_found', 'error.notFound')
    await trx.updateTable('org_units').set({ name }).where('id', '=', id).execute()
    await recordAudit(trx, actor, {
      action: 'org_unit.rename',
      entityType: 'org_unit',
      entityId: id,
      detail: { from: unit.name, to: name },
    })
  })
}

/** Moves a unit and its whole subtree under a new parent; every path below is rewritten. */
export async function moveOrgUnit(db: Kysely<Database>, actor: Actor, id: number, newParentId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const unit = await getOrgUnit(trx, id)
    const parent = await getOrgUnit(trx, newParentId)
    if (!unit || !parent) throw new AppError('not_found', 'error.notFound')
    const check = checkMove(unit, parent)
    if (!check.ok) throw new AppError('bad_request', check.reason)
    const newPath = pathOf(parent.path, unit.id)
    const depthChange = parent.depth + 1 - unit.depth
    await trx
      .updateTable('org_units')
      .set({
        path: sql<string>`${newPath} || substr(path, ${unit.path.length + 1})`,
        depth: sql<number>`depth + ${depthChange}`,
      })
      .where('path', 'like', `${unit.path}%`)
      .execute()
    await trx.updateTable('org_units').set({ parent_id: parent.id }).where('id', '=', id).execute()
    await recordAudit(trx, actor, {
      action: 'org_unit.move',
      entityType: 'org_unit',
      entityId: id,
      detail: { fromParentId: unit.parentId, toParentId: parent.id },
    })
  })
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
