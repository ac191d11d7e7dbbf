// What the two history imports share: reading the file through the list importer's table
// reader, finding the players and officers the rows name (in the importer's scope), the
// result they answer, and the audit entries they write.
import crypto from 'node:crypto'
import { historyColumnName, type HistoryHeaders, type HistoryIssue, type HistoryKind } from '../../domain/history-rows'
import type { Scope } from '../../domain/scope'
import type { Message } from '../../i18n/index'
import type { Actor, Db } from '../audit.server'
import { openTable, TableError, type OpenedTable } from '../import/read-table.server'
import { scoped } from '../scope.server'
import { inScope } from '../scope.server'

export interface HistoryCaller {
  actor: Actor
  scope: Scope
}

export interface HistoryInput {
  filePath: string
  fileName: string
  /** False: check every row and write nothing (the preview). True: write the good rows. */
  apply: boolean
  now?: Date
  onProgress?: (rowsRead: number) => void
}

export interface HistoryRowError {
  row: number
  column: string
  message: Message
}

export interface HistoryResult {
  kind: HistoryKind
  applied: boolean
  /** Data rows read. */
  rows: number
  /** Rows that pass every check: new ones plus those already stored. */
  ready: number
  inserted: number
  /** Rows stored before (the same key): left as they are. */
  unchanged: number
  rejected: number
  unknownColumns: string[]
  notStoredColumns: string[]
  errors: HistoryRowError[]
}

export function emptyResult(kind: HistoryKind, apply: boolean): HistoryResult {
  return { kind, applied: apply, rows: 0, ready: 0, inserted: 0, unchanged: 0, rejected: 0, unknownColumns: [], notStoredColumns: [], errors: [] }
}

/** The file's table, or the reason it cannot be read as one (a result with that error). */
async function openHistoryTable(input: HistoryInput, result: HistoryResult): Promise<OpenedTable | null> {
  try {
    return await openTable(input.filePath, { fileName: input.fileName })
  } catch (error) {
    if (!(error instanceof TableError)) throw error
    result.errors.push({ row: 0, column: '', message: { key: error.code, params: error.params } as Message })
    return null
  }
}

/** Every data row of the table, with the table's own errors (a row too long) as a result error. */
async function readAllRows(table: OpenedTable, input: HistoryInput, result: HistoryResult): Promise<{ row: number; cells: string[] }[] | null> {
  const rows: { row: number; cells: string[] }[] = []
  try {
    for await (const r of table.rows) {
      rows.push(r)
      if (rows.length % 5000 === 0) input.onProgress?.(rows.length)
    }
  } catch (error) {
    if (!(error instanceof TableError)) throw error
    result.errors.push({ row: 0, column: '', message: { key: error.code, params: error.params } as Message })
    return null
  } finally {
    await table.close()
  }
  input.onProgress?.(rows.length)
  result.rows = rows.length
  return rows
}

/** A history file's rows that read whole, and the file's name for each field's column. */
export interface HistoryRows<R> {
  rows: { line: number; row: R }[]
  /** The header a field was read from, or the template's name for a column the file lacks. */
  col: (field: string) => string
}

/**
 * The file read as history of one kind: its headers mapped (unknown ones reported), each row
 * read, rows that do not read counted as rejected with their errors. Null when the file as a
 * whole cannot be read (its error in the result).
 */
export async function readHistoryFile<F extends string, R>(
  input: HistoryInput,
  result: HistoryResult,
  mapHeaders: (headers: readonly string[]) => HistoryHeaders<F>,
  readRow: (headers: HistoryHeaders<F>, cells: readonly string[]) => { row: R | null; issues: HistoryIssue[] },
): Promise<HistoryRows<R> | null> {
  const table = await openHistoryTable(input, result)
  if (!table) return null
  const headers = mapHeaders(table.headers)
  result.unknownColumns = headers.unknown
  result.notStoredColumns = headers.notStored
  if (headers.issues.length) {
    await table.close()
    result.errors.push(...rowErrors(table.headerRow, headers.issues))
    return null
  }
  const cells = await readAllRows(table, input, result)
  if (!cells) return null
  const rows: HistoryRows<R>['rows'] = []
  for (const { row: line, cells: values } of cells) {
    const { row, issues } = readRow(headers, values)
    if (row) rows.push({ line, row })
    else {
      result.errors.push(...rowErrors(line, issues))
      result.rejected++
    }
  }
  return { rows, col: (field) => headers.headerOf[field as F] ?? historyColumnName(result.kind, field) }
}

/** The result as far as the checks go: how many rows are ready, the errors in row order. */
export function checked(result: HistoryResult, fresh: number): HistoryResult {
  result.ready = fresh + result.unchanged
  result.errors.sort((a, b) => a.row - b.row)
  return result
}

export function rowErrors(row: number, issues: readonly HistoryIssue[]): HistoryRowError[] {
  return issues.map((i) => ({ row, column: i.column, message: i.message }))
}

export interface FoundPlayer {
  id: number
  uscc: string | null
  registered_on: string | null
  loan_history: string
  campaign_status: string
  assigned_officer_id: number | null
  org_unit_id: number
  last_visited_at: string | null
  kind: 'enterprise' | 'household'
  tax_grade: string | null
  registration_status: string | null
}

const PLAYER_COLUMNS = ['id', 'uscc', 'registered_on', 'loan_history', 'campaign_status', 'assigned_officer_id', 'org_unit_id', 'last_visited_at', 'kind', 'tax_grade', 'registration_status'] as const

const chunks = <T>(items: readonly T[], size = 500): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size))

/**
 * The players the rows name, by USCC and by id, as far as the scope sees them. A USCC two
 * players share (households without one never share it) is marked ambiguous.
 */
export async function findPlayers(db: Db, scope: Scope, usccs: readonly string[], ids: readonly number[]) {
  const byUscc = new Map<string, FoundPlayer | 'ambiguous'>()
  const byId = new Map<number, FoundPlayer>()
  for (const part of chunks([...new Set(usccs)])) {
    const rows = await db.selectFrom('market_players').select([...PLAYER_COLUMNS]).where('uscc', 'in', part).where(scoped(scope)).execute()
    for (const p of rows as FoundPlayer[]) byUscc.set(p.uscc!, byUscc.has(p.uscc!) ? 'ambiguous' : p)
  }
  for (const part of chunks([...new Set(ids)])) {
    const rows = await db.selectFrom('market_players').select([...PLAYER_COLUMNS]).where('id', 'in', part).where(scoped(scope)).execute()
    for (const p of rows as FoundPlayer[]) byId.set(p.id, p)
  }
  return { byUscc, byId }
}

/** The player a row names, or the error saying why none is. */
export function playerOfRow(found: Awaited<ReturnType<typeof findPlayers>>, row: { uscc: string | null; playerId: number | null }, column: string): FoundPlayer | HistoryIssue {
  const p = row.uscc !== null ? found.byUscc.get(row.uscc) : found.byId.get(row.playerId!)
  if (p === 'ambiguous') return { column, message: { key: 'history.playerAmbiguous' } }
  if (!p) return { column, message: { key: 'history.playerUnknown' } }
  return p
}

/**
 * The users the rows name by user name who log visits (officers and managers), within the
 * scope. Deactivated ones are found too: history holds staff who have since left.
 */
export async function findOfficers(db: Db, scope: Scope, usernames: readonly string[]): Promise<Map<string, { id: number; org_unit_id: number }>> {
  const out = new Map<string, { id: number; org_unit_id: number }>()
  for (const part of chunks([...new Set(usernames)])) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'username', 'org_unit_id'])
      .where('username', 'in', part)
      .where('role', 'in', ['officer', 'manager'])
      .where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
      .execute()
    for (const u of rows) out.set(u.username, { id: u.id, org_unit_id: u.org_unit_id })
  }
  return out
}

/** A key made from what identifies a record: the same row imported again makes the same key. */
export function derivedKey(prefix: string, ...parts: (string | number)[]): string {
  return `${prefix}-${crypto.createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 40)}`
}

/** The audit entries of an import, in batches: one per record, and the import's own. */
export async function recordAuditEntries(db: Db, actor: Actor, entries: { action: string; entityType: string; entityId: string | number; detail: unknown }[]): Promise<void> {
  const at = new Date().toISOString()
  for (const part of chunks(entries, 300)) {
    await db
      .insertInto('audit_log')
      .values(part.map((e) => ({ at, actor_id: actor.id, actor_username: actor.username, action: e.action, entity_type: e.entityType, entity_id: String(e.entityId), ip: actor.ip, detail: JSON.stringify(e.detail) })))
      .execute()
  }
}

export { chunks }
