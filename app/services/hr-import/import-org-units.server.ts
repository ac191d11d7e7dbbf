// The org tree from an HR export: every row checked against the file and the stored tree
// first (preview), then applied in one transaction: missing units created, stored ones
// renamed, re-levelled or moved with their subtrees. Run again, it changes only what differs.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { checkOrgRow, checkOrgTree, parentsFirst, ORG_HEADERS, REQUIRED_ORG_FIELDS, type OrgField, type OrgRow, type RowIssue } from '../../domain/hr-rows'
import { pathOf } from '../../domain/org-tree'
import type { Message } from '../../i18n/index'
import { recordAudit, type Actor } from '../audit.server'
import type { OrgUnitRow } from '../org-units/find-org-units.server'
import { readHrTable, reportIssues, type IssueReport } from './read-hr-table.server'

export interface OrgImportResult {
  applied: boolean
  rows: number
  created: number
  updated: number
  unchanged: number
  unknownColumns: string[]
  errors: IssueReport[]
  /** A problem with the whole file (unreadable, a required column missing). */
  fileError: Message | null
}

export async function importOrgUnits(
  db: Kysely<Database>,
  actor: Actor,
  input: { filePath: string; fileName: string; apply: boolean },
): Promise<OrgImportResult> {
  const read = await readHrTable(input.filePath, input.fileName, ORG_HEADERS, REQUIRED_ORG_FIELDS)
  const empty = { rows: 0, created: 0, updated: 0, unchanged: 0, unknownColumns: [], errors: [] }
  if (!read.ok) return { applied: false, ...empty, fileError: read.fileError }
  const { rows, headerOf, unknownHeaders } = read.table

  const issues: RowIssue<OrgField>[] = []
  const units: OrgRow[] = []
  const firstRowOf = new Map<string, number>()
  for (const { row, cells } of rows) {
    const checked = checkOrgRow(row, cells)
    issues.push(...checked.issues)
    if (!checked.unit) continue
    const earlier = firstRowOf.get(checked.unit.code)
    if (earlier !== undefined) {
      issues.push({ row, field: 'code', message: { key: 'hr.duplicateCode', params: { code: checked.unit.code, row: earlier } } })
      continue
    }
    firstRowOf.set(checked.unit.code, row)
    units.push(checked.unit)
  }

  // Checked and written in one transaction, so the tree cannot change between the two.
  const outcome = await db
    .transaction()
    .execute(async (trx) => {
      const stored = await trx.selectFrom('org_units').select(['id', 'code', 'name', 'kind', 'parent_id as parentId', 'path', 'depth']).execute()
      const byCode = new Map<string, OrgUnitRow>(stored.map((u) => [u.code, u]))
      const codeOf = new Map(stored.map((u) => [u.id, u.code]))
      issues.push(...checkOrgTree(units, stored.map((u) => ({ code: u.code, kind: u.kind, parentCode: u.parentId === null ? null : (codeOf.get(u.parentId) ?? null) }))))
      const plan = units.map((unit) => {
        const before = byCode.get(unit.code)
        const beforeParent = before?.parentId == null ? null : (codeOf.get(before.parentId) ?? null)
        const change = !before ? 'create' : before.name !== unit.name || before.kind !== unit.kind || beforeParent !== unit.parentCode ? 'update' : 'none'
        return { unit, change }
      })
      const counts = {
        created: plan.filter((p) => p.change === 'create').length,
        updated: plan.filter((p) => p.change === 'update').length,
        unchanged: plan.filter((p) => p.change === 'none').length,
      }
      if (issues.length > 0 || !input.apply) return { applied: false, ...counts }

      const now = new Date().toISOString()
      for (const unit of parentsFirst(units)) {
        const parent = unit.parentCode === null ? null : byCode.get(unit.parentCode)!
        const before = byCode.get(unit.code)
        if (!before) {
          const { id } = await trx
            .insertInto('org_units')
            .values({ code: unit.code, name: unit.name, kind: unit.kind, parent_id: parent?.id ?? null, path: '', depth: parent ? parent.depth + 1 : 0, created_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
          const path = pathOf(parent?.path ?? null, id)
          await trx.updateTable('org_units').set({ path }).where('id', '=', id).execute()
          byCode.set(unit.code, { id, code: unit.code, name: unit.name, kind: unit.kind, parentId: parent?.id ?? null, path, depth: parent ? parent.depth + 1 : 0 })
          await recordAudit(trx, actor, { action: 'org_unit.create', entityType: 'org_unit', entityId: id, detail: { code: unit.code, name: unit.name, kind: unit.kind, parentCode: unit.parentCode, via: 'import' } })
          continue
        }
        const moved = (before.parentId ?? null) !== (parent?.id ?? null)
        if (before.name === unit.name && before.kind === unit.kind && !moved) continue
        await trx.updateTable('org_units').set({ name: unit.name, kind: unit.kind }).where('id', '=', before.id).execute()
        if (moved && parent) {
          // The unit and its whole subtree take the new parent's path (parents are placed first).
          const oldPath = before.path
          const newPath = pathOf(parent.path, before.id)
          const depthChange = parent.depth + 1 - before.depth
          await trx
            .updateTable('org_units')
            .set({ path: sql<string>`${newPath} || substr(path, ${oldPath.length + 1})`, depth: sql<number>`depth + ${depthChange}` })
            .where('path', 'like', `${oldPath}%`)
            .execute()
          await trx.updateTable('org_units').set({ parent_id: parent.id }).where('id', '=', before.id).execute()
          // Units below keep their place in the map by code; their paths were rewritten above.
          for (const other of byCode.values()) {
            if (other.path.startsWith(oldPath)) {
              other.path = newPath + other.path.slice(oldPath.length)
              other.depth += depthChange
            }
          }
          before.parentId = parent.id
        }
        await recordAudit(trx, actor, {
          action: 'org_unit.update',
          entityType: 'org_unit',
          entityId: before.id,
          detail: { before: { name: before.name, kind: before.kind }, after: { name: unit.name, kind: unit.kind, parentCode: unit.parentCode }, via: 'import' },
        })
        before.name = unit.name
        before.kind = unit.kind
      }
      await recordAudit(trx, actor, { action: 'org_unit.import', entityType: 'org_unit', detail: { file: input.fileName, rows: rows.length, ...counts } })
      return { applied: true, ...counts }
    })

  return {
    ...outcome,
    rows: rows.length,
    unknownColumns: unknownHeaders,
    errors: reportIssues(issues, headerOf),
    fileError: null,
  }
}
