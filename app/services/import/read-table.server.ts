// Opens an uploaded list (CSV, XLSX, XLS or a WPS spreadsheet) and streams its rows,
// numbered as the user sees them in Excel. Everything here is about the file, not the data
// in it: which format and text encoding it really is (by its bytes, never its name), where
// the header is, and the limits that keep memory flat whatever arrives (a 200 MB CSV, an
// unclosed quote, a zip bomb). What the columns mean is the caller's business: it may say
// which header texts it knows (`isHeaderCell`), so title rows above the header are skipped.
import { open, stat, type FileHandle } from 'node:fs/promises'
import { openCsv, SNIFF_BYTES } from './csv-source.server'
import { openXls } from './xls-source.server'
import { openXlsx } from './xlsx-source.server'
import {
  DEFAULT_LIMITS,
  megabytes,
  readAt,
  startsWith,
  TableError,
  type OpenedTable,
  type Source,
  type TableErrorCode,
  type TableLimits,
  type TableRow,
} from './table-types.server'

export {
  columnLetter,
  DEFAULT_LIMITS,
  TABLE_ERROR_CODES,
  TableError,
  type OpenedTable,
  type TableEncoding,
  type TableErrorCode,
  type TableFormat,
  type TableLimits,
  type TableRow,
} from './table-types.server'

export interface OpenTableOptions {
  fileName?: string
  limits?: Partial<TableLimits>
  /** Whether a header text names a column the caller knows. Without it the first non-empty
   * row is the header; with it, the first row with such a cell is, and the rows above it
   * are skipped (and reported in `skippedRows`). */
  isHeaderCell?: (text: string) => boolean
}

/** How far down a header is looked for: titles and notes take a few rows, not dozens. */
const HEADER_SEARCH_ROWS = 20

export async function openTable(filePath: string, options: OpenTableOptions = {}): Promise<OpenedTable> {
  const given = Object.entries(options.limits ?? {}).filter(([, value]) => value !== undefined)
  const limits: TableLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(given) }
  const source = await openSource(filePath, options.fileName ?? filePath, limits)
  const records = checkedRows(source.records, limits)
  let header: HeaderFound
  try {
    header = await findHeader(records, options.isHeaderCell)
  } catch (error) {
    await source.close()
    throw error
  }
  let taken = false
  return {
    format: source.format,
    encoding: source.encoding,
    headers: header.headers,
    headerRow: header.headerRow,
    headerEndRow: header.headerEndRow,
    skippedRows: header.skipped,
    rows: {
      [Symbol.asyncIterator]() {
        if (taken) throw new Error('OpenedTable.rows can be read only once')
        taken = true
        return dataRows(header.pending, records, header.headers.length, limits, source.close)
      },
    },
    close: source.close,
  }
}

interface HeaderFound {
  headers: string[]
  headerRow: number
  headerEndRow: number
  skipped: TableRow[]
  /** Rows read while looking that turned out to be data. */
  pending: TableRow[]
}

async function findHeader(records: AsyncGenerator<TableRow>, isHeaderCell: ((text: string) => boolean) | undefined): Promise<HeaderFound> {
  const first = await records.next()
  if (first.done) throw new TableError('file.empty')
  const trim = (row: TableRow) => row.cells.map((cell) => cell.trim())
  if (!isHeaderCell) return { headers: trim(first.value), headerRow: first.value.row, headerEndRow: first.value.row, skipped: [], pending: [] }

  const known = (row: TableRow) => trim(row).filter((cell) => cell !== '' && isHeaderCell(cell)).length
  const looked: TableRow[] = [first.value]
  while (known(looked.at(-1)!) === 0 && looked.length < HEADER_SEARCH_ROWS) {
    const next = await records.next()
    if (next.done) break
    looked.push(next.value)
  }
  const at = looked.findIndex((row) => known(row) > 0)
  // No row names a known column: the first row is the header, and the caller says what is missing.
  if (at < 0) return { headers: trim(first.value), headerRow: first.value.row, headerEndRow: first.value.row, skipped: [], pending: looked.slice(1) }

  const headerRow = looked[at]
  const headers = trim(headerRow)
  const skipped = looked.slice(0, at)
  const next = await records.next()
  if (next.done) return { headers, headerRow: headerRow.row, headerEndRow: headerRow.row, skipped, pending: [] }
  const below = trim(next.value)
  // A merged two-level header (联系方式 over 电话 and 手机): the second row names known
  // columns only under cells of the first that are blank or not themselves known columns.
  const filled = below.map((cell, i) => (cell === '' ? -1 : i)).filter((i) => i >= 0)
  const isSecondHeader =
    filled.length > 0 &&
    filled.some((i) => isHeaderCell(below[i])) &&
    filled.every((i) => (headers[i] ?? '') === '' || !isHeaderCell(headers[i]))
  if (!isSecondHeader) return { headers, headerRow: headerRow.row, headerEndRow: headerRow.row, skipped, pending: [next.value] }
  const width = Math.max(headers.length, below.length)
  const combined = Array.from({ length: width }, (_, i) => below[i] || headers[i] || '')
  return { headers: combined, headerRow: headerRow.row, headerEndRow: next.value.row, skipped, pending: [] }
}

/** Skips empty rows, drops trailing empty cells and applies the per-row limits. */
async function* checkedRows(records: AsyncIterable<TableRow>, limits: TableLimits): AsyncGenerator<TableRow> {
  for await (const { row, cells } of records) {
    let last = cells.length - 1
    while (last >= 0 && cells[last].trim() === '') last--
    if (last < 0) continue
    if (last + 1 > limits.maxColumns) throw new TableError('file.tooManyColumns', { row, max: limits.maxColumns })
    for (let i = 0; i <= last; i++) {
      if (cells[i].length > limits.maxCellChars) {
        throw new TableError('file.cellTooLarge', { row, column: i + 1, columnLetter: columnLetterOf(i + 1), max: limits.maxCellChars })
      }
    }
    yield { row, cells: last + 1 === cells.length ? cells : cells.slice(0, last + 1) }
  }
}

async function* dataRows(
  pending: TableRow[],
  records: AsyncGenerator<TableRow>,
  width: number,
  limits: TableLimits,
  close: () => Promise<void>,
): AsyncGenerator<TableRow> {
  let count = 0
  try {
    const all = async function* () {
      yield* pending
      yield* records
    }
    for await (const record of all()) {
      if (++count > limits.maxRows) throw new TableError('file.tooManyRows', { max: limits.maxRows })
      while (record.cells.length < width) record.cells.push('')
      yield record
    }
  } finally {
    await close()
  }
}

function columnLetterOf(column: number): string {
  let letters = ''
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters
  return letters
}

// ---------------------------------------------------------------------------------------
// What the file really is: by its first bytes, whatever its name (a WPS .et is an XLS or
// an XLSX inside; systems export tab-separated text under an .xls name).

const ZIP = [0x50, 0x4b, 0x03, 0x04]
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06]
const COMPOUND_FILE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
// Formats that can pass for text in their first bytes, or that users upload by mistake.
const NOT_SPREADSHEETS = [
  [0x25, 0x50, 0x44, 0x46], // %PDF
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF8
  [0x52, 0x61, 0x72, 0x21], // Rar!
  [0x37, 0x7a, 0xbc, 0xaf], // 7z
  [0x1f, 0x8b], // gzip
  [0x7b, 0x5c, 0x72, 0x74, 0x66], // {\rtf
]

async function openSource(filePath: string, fileName: string, limits: TableLimits): Promise<Source> {
  const { size } = await stat(filePath)
  if (size === 0) throw new TableError('file.empty')
  if (size > limits.maxBytes) {
    throw new TableError('file.tooLarge', { maxMb: megabytes(limits.maxBytes), sizeMb: megabytes(size) })
  }
  const handle = await open(filePath, 'r')
  try {
    const head = await readAt(handle, 0, Math.min(size, SNIFF_BYTES))
    if (startsWith(head, ZIP)) return await openXlsx(filePath, handle, size)
    if (startsWith(head, EMPTY_ZIP)) throw new TableError('file.notSpreadsheet')
    if (startsWith(head, COMPOUND_FILE)) {
      const kind = await inspectCompoundFile(handle, size)
      if (kind === 'workbook') return await openXls(filePath, size, limits.maxBytes)
      throw new TableError(kind)
    }
    if (NOT_SPREADSHEETS.some((signature) => startsWith(head, signature))) throw new TableError('file.notSpreadsheet')
    return await openCsv(filePath, handle, head, size, fileName, limits)
  } finally {
    await handle.close()
  }
}

/** An OLE2 compound file is an .xls (or a WPS .et saved as one), or a password-protected
 * .xlsx (Excel wraps those in one), or a Word or PowerPoint file: its directory's stream
 * names tell which. */
async function inspectCompoundFile(handle: FileHandle, size: number): Promise<TableErrorCode | 'workbook'> {
  const header = await readAt(handle, 0, Math.min(size, 512))
  if (header.length < 512) return 'file.corrupt'
  const shift = header.readUInt16LE(0x1e)
  if (shift !== 9 && shift !== 12) return 'file.corrupt'
  const sectorSize = 1 << shift
  const perFatSector = sectorSize / 4
  const fatSectors: number[] = []
  for (let i = 0; i < 109; i++) fatSectors.push(header.readUInt32LE(0x4c + i * 4))
  const fatCache = new Map<number, Buffer>()
  const nextSector = async (sector: number) => {
    const fatSector = fatSectors[Math.floor(sector / perFatSector)]
    if (fatSector === undefined || fatSector >= 0xfffffffa) return 0xfffffffe
    let fat = fatCache.get(fatSector)
    if (!fat) fatCache.set(fatSector, (fat = await readAt(handle, (fatSector + 1) * sectorSize, sectorSize)))
    const at = (sector % perFatSector) * 4
    return at + 4 <= fat.length ? fat.readUInt32LE(at) : 0xfffffffe
  }
  const names = new Set<string>()
  let sector = header.readUInt32LE(0x30)
  for (let hops = 0; sector < 0xfffffffa && hops < 64; hops++) {
    const directory = await readAt(handle, (sector + 1) * sectorSize, sectorSize)
    for (let at = 0; at + 128 <= directory.length; at += 128) {
      const length = directory.readUInt16LE(at + 64)
      if (length >= 2 && length <= 64) names.add(directory.toString('utf16le', at, at + length - 2))
    }
    sector = await nextSector(sector)
  }
  if (names.has('EncryptedPackage') || names.has('EncryptionInfo')) return 'file.encrypted'
  if (names.has('Workbook') || names.has('Book')) return 'workbook'
  if (names.has('WordDocument') || names.has('PowerPoint Document')) return 'file.notSpreadsheet'
  return 'file.notSpreadsheet'
}
