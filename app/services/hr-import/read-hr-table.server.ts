// Reads an HR export (CSV or XLSX) through the shared table reader and names its columns.
// A file it cannot read, or one without a required column, is one error for the whole file.
import { matchHeaders, type RowIssue } from '../../domain/hr-rows'
import type { Message } from '../../i18n/index'
import { openTable, TableError } from '../import/read-table.server'

/** HR files are small: a bank's whole staff, never millions of rows. */
const HR_LIMITS = { maxBytes: 20 * 1024 * 1024, maxRows: 50_000 }

export interface HrTable<F extends string> {
  /** Each data row with the cells of the fields it has. */
  rows: { row: number; cells: Partial<Record<F, string>> }[]
  /** The header the user sees for each field, to name it in errors. */
  headerOf: Partial<Record<F, string>>
  /** Headers recognised as nothing: reported, never dropped in silence. */
  unknownHeaders: string[]
}

export type HrTableResult<F extends string> = { ok: true; table: HrTable<F> } | { ok: false; fileError: Message }

export async function readHrTable<F extends string>(
  filePath: string,
  fileName: string,
  fields: Record<F, readonly string[]>,
  required: readonly F[],
): Promise<HrTableResult<F>> {
  try {
    const opened = await openTable(filePath, { fileName, limits: HR_LIMITS })
    const match = matchHeaders(opened.headers, fields, required)
    if (match.missing.length > 0) {
      await opened.close()
      return { ok: false, fileError: { key: 'hr.missingColumns', params: { columns: match.missing.map((f) => fields[f][0]).join('、') } } }
    }
    const headerOf: Partial<Record<F, string>> = {}
    match.fields.forEach((field, i) => {
      if (field) headerOf[field] = opened.headers[i]
    })
    const rows: HrTable<F>['rows'] = []
    for await (const { row, cells } of opened.rows) {
      const named: Partial<Record<F, string>> = {}
      match.fields.forEach((field, i) => {
        if (field) named[field] = cells[i] ?? ''
      })
      rows.push({ row, cells: named })
    }
    return { ok: true, table: { rows, headerOf, unknownHeaders: match.unknown } }
  } catch (error) {
    if (error instanceof TableError) return { ok: false, fileError: { key: error.code, params: error.params } }
    throw error
  }
}

/** A row issue as the user reads it: the row, the column's header, the reason. */
export interface IssueReport {
  row: number
  column: string | null
  message: Message
}

export function reportIssues<F extends string>(issues: readonly RowIssue<F>[], headerOf: Partial<Record<F, string>>): IssueReport[] {
  return issues.map((i) => ({ row: i.row, column: i.field === null ? null : (headerOf[i.field] ?? i.field), message: i.message })).sort((a, b) => a.row - b.row)
}
