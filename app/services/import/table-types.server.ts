// What every table reader shares: the limits, the errors a user can fix, the shape of a
// row, and small byte helpers. The readers (CSV, XLSX, XLS) are in their own files.
import type { FileHandle } from 'node:fs/promises'

export interface TableLimits {
  /** File size, in bytes. */
  maxBytes: number
  /** Data rows, not counting the header. */
  maxRows: number
  /** Columns up to the last non-empty cell of a row. */
  maxColumns: number
  maxCellChars: number
}

export const MB = 1024 * 1024
export const GB = 1024 * MB

export const DEFAULT_LIMITS: TableLimits = { maxBytes: 200 * MB, maxRows: 2_000_000, maxColumns: 200, maxCellChars: 10_000 }

export const TABLE_ERROR_CODES = [
  'file.empty',
  'file.tooLarge',
  'file.notSpreadsheet',
  'file.oldXls',
  'file.xlsTooLarge',
  'file.encrypted',
  'file.htmlOrXml',
  'file.corrupt',
  'file.zipBomb',
  'file.tooManyColumns',
  'file.cellTooLarge',
  'file.tooManyRows',
  'file.csvQuoteNotClosed',
  'file.lineTooLong',
] as const

/** Each code is also the i18n message key (app/i18n/file.*.ts); `params` fill the message. */
export type TableErrorCode = (typeof TABLE_ERROR_CODES)[number]

/** What is wrong with the file, in terms the user can fix. */
export class TableError extends Error {
  constructor(readonly code: TableErrorCode, readonly params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    super(`${code} ${JSON.stringify(params)}`, options)
    this.name = 'TableError'
  }
}

export type TableEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be'

export interface TableRow {
  /** The row number the user sees in Excel (1-based). */
  row: number
  /** Cell texts, untrimmed; at least as many as there are headers (padded with ''). */
  cells: string[]
}

export type TableFormat = 'csv' | 'xlsx' | 'xls'

export interface OpenedTable {
  format: TableFormat
  /** The text encoding of a CSV; null for a workbook. */
  encoding: TableEncoding | null
  /** Trimmed header texts, duplicates and blanks kept: the first non-empty row, or with
   * `isHeaderCell` the first row naming a known column, combined with a second, merged
   * header row below it. */
  headers: string[]
  /** The row number of the header (1-based). */
  headerRow: number
  /** The last header row: headerRow, or the merged second header row below it. */
  headerEndRow: number
  /** Non-empty rows above the header (a title, a note), as read. */
  skippedRows: TableRow[]
  /** The data rows after the header, empty rows skipped. Read once; limits are checked as
   * the rows stream, so a TableError can come from the iteration itself. */
  rows: AsyncIterable<TableRow>
  /** Releases the file; safe to call more than once. Reading `rows` to the end (or breaking
   * out of the loop) closes it too. */
  close(): Promise<void>
}

export interface Source {
  format: TableFormat
  encoding: TableEncoding | null
  /** Every row, empty ones included, with raw cells. */
  records: AsyncGenerator<TableRow>
  close(): Promise<void>
}


// ---------------------------------------------------------------------------------------

export async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return filled === length ? buffer : buffer.subarray(0, filled)
}

export function startsWith(buffer: Buffer, signature: number[]): boolean {
  return buffer.length >= signature.length && signature.every((byte, i) => buffer[i] === byte)
}

export function megabytes(bytes: number): number {
  return Number((bytes / MB).toPrecision(3))
}

/** A → 1, AA → 27 (from a cell reference such as AA12); 0 when there are no letters. */
export function columnNumber(reference: string): number {
  let n = 0
  for (const ch of reference.toUpperCase()) {
    const c = ch.charCodeAt(0)
    if (c < 65 || c > 90) break
    n = n * 26 + c - 64
  }
  return n
}

/** 1 → A, 27 → AA. */
export function columnLetter(column: number): string {
  let letters = ''
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters
  return letters
}
