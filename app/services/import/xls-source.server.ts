// XLS (Excel 97–2003, BIFF8; also what WPS saves as .et, and older BIFF5), read with SheetJS
// Community Edition as republished on npm by @e965/xlsx (the `xlsx` package on npm stopped
// at 0.18.5, which carries published advisories: docs/decisions/0131-spreadsheet-readers.md).
// An XLS sheet holds at most 65,536 rows by 256 columns, so the workbook is read whole,
// under a size cap of its own (measured below); rows are then handed out one at a time like the others'.
import { readFile } from 'node:fs/promises'
import type * as XLSX from '@e965/xlsx'
import { dateText, isDateFormat, numberText, serialToTime } from './cell-text.server'
import { MB, megabytes, TableError, type Source, type TableRow } from './table-types.server'

/**
 * SheetJS holds the whole workbook parsed: a full BIFF8 sheet (65,535 rows of 8 text
 * columns, 21 MB) peaked at 440 MB of RSS against 84 MB before it, about 17 times the file
 * (stop 33, decision 0661). 32 MB takes a full sheet of a dozen columns and keeps the peak
 * near 600 MB; a bigger .xls is refused before a byte of it is read, with the way out.
 */
export const MAX_XLS_BYTES = 32 * MB

export async function openXls(filePath: string, size: number, streamedMaxBytes: number): Promise<Source> {
  if (size > MAX_XLS_BYTES) {
    throw new TableError('file.xlsTooLarge', { maxMb: megabytes(MAX_XLS_BYTES), sizeMb: megabytes(size), streamMb: megabytes(streamedMaxBytes) })
  }
  let workbook: XLSX.WorkBook
  try {
    // SheetJS on first use (~0.15 CPU-s to load): every thread of a big import loads this module.
    const { read } = await import('@e965/xlsx')
    workbook = read(await readFile(filePath), { type: 'buffer', dense: true, cellDates: false, cellNF: true, cellFormula: false, cellHTML: false, cellStyles: false })
  } catch (error) {
    const text = String((error as Error)?.message ?? '')
    if (/password|encrypt/i.test(text)) throw new TableError('file.encrypted', {}, { cause: error })
    if (/BIFF ?[2-5]|unsupported/i.test(text)) throw new TableError('file.oldXls', {}, { cause: error })
    throw new TableError('file.corrupt', {}, { cause: error })
  }
  const date1904 = Boolean(workbook.Workbook?.WBProps?.date1904)
  const visible = workbook.SheetNames.find((name, i) => !workbook.Workbook?.Sheets?.[i]?.Hidden) ?? workbook.SheetNames[0]
  const sheet = visible === undefined ? undefined : workbook.Sheets[visible]
  const data = (sheet?.['!data'] ?? []) as (XLSX.CellObject[] | undefined)[]

  async function* records(): AsyncGenerator<TableRow> {
    for (let r = 0; r < data.length; r++) {
      const row = data[r]
      if (!row) continue
      const cells: string[] = []
      for (let c = 0; c < row.length; c++) cells.push(xlsCellText(row[c], date1904))
      yield { row: r + 1, cells }
    }
  }
  return { format: 'xls', encoding: null, records: records(), close: async () => {} }
}

function xlsCellText(cell: XLSX.CellObject | undefined, date1904: boolean): string {
  if (!cell || cell.v === undefined || cell.v === null) return ''
  switch (cell.t) {
    case 'n': {
      const value = cell.v as number
      return isDateFormat(typeof cell.z === 'string' ? cell.z : undefined) ? dateText(serialToTime(value, date1904), date1904) : numberText(value)
    }
    case 'b':
      return cell.v ? 'TRUE' : 'FALSE'
    case 'd':
      return dateText((cell.v as Date).getTime(), date1904)
    case 'e':
      return cell.w ?? ''
    default:
      return String(cell.v)
  }
}
