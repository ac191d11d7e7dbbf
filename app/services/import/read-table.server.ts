// Opens an uploaded list (CSV or XLSX) and streams its rows, numbered as the user sees them
// in Excel. Everything here is about the file, not the data in it: which format and text
// encoding it really is, where the header is, and the limits that keep memory flat whatever
// arrives (a 200 MB CSV, an unclosed quote, a zip bomb). What the columns mean is the
// caller's business.
import { createReadStream } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import { posix } from 'node:path'
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { createInflateRaw } from 'node:zlib'
import { parse as parseCsv } from 'csv-parse'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'

export interface TableLimits {
  /** File size, in bytes. */
  maxBytes: number
  /** Data rows, not counting the header. */
  maxRows: number
  /** Columns up to the last non-empty cell of a row. */
  maxColumns: number
  maxCellChars: number
}

const MB = 1024 * 1024
const GB = 1024 * MB

export const DEFAULT_LIMITS: TableLimits = { maxBytes: 200 * MB, maxRows: 2_000_000, maxColumns: 200, maxCellChars: 10_000 }

export const TABLE_ERROR_CODES = [
  'file.empty',
  'file.tooLarge',
  'file.notSpreadsheet',
  'file.oldXls',
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

export interface OpenedTable {
  format: 'csv' | 'xlsx'
  /** The text encoding of a CSV; null for XLSX. */
  encoding: TableEncoding | null
  /** Trimmed header texts, from the first non-empty row; duplicates and blanks are kept. */
  headers: string[]
  /** The row number of the header (1-based). */
  headerRow: number
  /** The data rows after the header, empty rows skipped. Read once; limits are checked as
   * the rows stream, so a TableError can come from the iteration itself. */
  rows: AsyncIterable<TableRow>
  /** Releases the file; safe to call more than once. Reading `rows` to the end (or breaking
   * out of the loop) closes it too. */
  close(): Promise<void>
}

interface Source {
  format: 'csv' | 'xlsx'
  encoding: TableEncoding | null
  /** Every row, empty ones included, with raw cells. */
  records: AsyncGenerator<TableRow>
  close(): Promise<void>
}

export async function openTable(
  filePath: string,
  options: { fileName?: string; limits?: Partial<TableLimits> } = {},
): Promise<OpenedTable> {
  const given = Object.entries(options.limits ?? {}).filter(([, value]) => value !== undefined)
  const limits: TableLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(given) }
  const source = await openSource(filePath, options.fileName ?? filePath, limits)
  const records = checkedRows(source.records, limits)
  let first: IteratorResult<TableRow>
  try {
    first = await records.next()
    if (first.done) throw new TableError('file.empty')
  } catch (error) {
    await source.close()
    throw error
  }
  const headers = first.value.cells.map((cell) => cell.trim())
  let taken = false
  return {
    format: source.format,
    encoding: source.encoding,
    headers,
    headerRow: first.value.row,
    rows: {
      [Symbol.asyncIterator]() {
        if (taken) throw new Error('OpenedTable.rows can be read only once')
        taken = true
        return dataRows(records, headers.length, limits, source.close)
      },
    },
    close: source.close,
  }
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
        throw new TableError('file.cellTooLarge', { row, column: i + 1, columnLetter: columnLetter(i + 1), max: limits.maxCellChars })
      }
    }
    yield { row, cells: last + 1 === cells.length ? cells : cells.slice(0, last + 1) }
  }
}

async function* dataRows(
  records: AsyncGenerator<TableRow>,
  width: number,
  limits: TableLimits,
  close: () => Promise<void>,
): AsyncGenerator<TableRow> {
  let count = 0
  try {
    for await (const record of records) {
      if (++count > limits.maxRows) throw new TableError('file.tooManyRows', { max: limits.maxRows })
      while (record.cells.length < width) record.cells.push('')
      yield record
    }
  } finally {
    await close()
  }
}

// ---------------------------------------------------------------------------------------
// What the file really is

/** How much of the file decides its text encoding (and is read up front). */
const SNIFF_BYTES = MB

const ZIP = [0x50, 0x4b, 0x03, 0x04]
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06]
const COMPOUND_FILE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
const UTF8_BOM = [0xef, 0xbb, 0xbf]
const UTF16LE_BOM = [0xff, 0xfe]
const UTF16BE_BOM = [0xfe, 0xff]
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
    if (startsWith(head, COMPOUND_FILE)) throw new TableError(await inspectCompoundFile(handle, size))
    if (NOT_SPREADSHEETS.some((signature) => startsWith(head, signature))) throw new TableError('file.notSpreadsheet')
    return await openCsv(filePath, handle, head, size, fileName, limits)
  } finally {
    await handle.close()
  }
}

/** An OLE2 compound file is an old .xls, or a password-protected .xlsx (Excel wraps those
 * in one), or a Word or PowerPoint file: its directory's stream names tell which. */
async function inspectCompoundFile(handle: FileHandle, size: number): Promise<TableErrorCode> {
  const header = await readAt(handle, 0, Math.min(size, 512))
  if (header.length < 512) return 'file.corrupt'
  const shift = header.readUInt16LE(0x1e)
  if (shift !== 9 && shift !== 12) return 'file.oldXls'
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
  if (names.has('Workbook') || names.has('Book')) return 'file.oldXls'
  if (names.has('WordDocument') || names.has('PowerPoint Document')) return 'file.notSpreadsheet'
  return 'file.oldXls'
}

// ---------------------------------------------------------------------------------------
// CSV

async function openCsv(
  filePath: string,
  handle: FileHandle,
  head: Buffer,
  size: number,
  fileName: string,
  limits: TableLimits,
): Promise<Source> {
  const { encoding, bomLength } = await detectEncoding(handle, head, size)
  const text = iconv.decode(head.subarray(bomLength), encoding, { stripBOM: false })
  if (!looksLikeText(text, /\.(csv|tsv|txt)$/i.test(fileName))) throw new TableError('file.notSpreadsheet')
  if (looksLikeMarkup(text)) throw new TableError('file.htmlOrXml')
  const { delimiter, sepLine } = detectDelimiter(text, encoding)

  // A physical line longer than any allowed row can be is a wrong delimiter or line break
  // (or a hostile file): refused before the parser builds a record out of it. A record
  // over max_record_size can then only span lines, which means a quote left open.
  const maxLineChars = limits.maxColumns * (2 * limits.maxCellChars + 3)
  const input = createReadStream(filePath, { start: bomLength, highWaterMark: 256 * 1024 })
  const parser = parseCsv({
    delimiter,
    bom: false,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: 3 * maxLineChars + 16,
  })
  pipeline(input, iconv.decodeStream(encoding, { stripBOM: false }), new LineGuard(maxLineChars), parser, () => {
    // Errors reach the reader through the parser; an early close is not an error.
  })
  const rowOf = (records: number) => records - (sepLine ? 1 : 0)

  async function* records(): AsyncGenerator<TableRow> {
    // Records are counted here: the parser's own per-record info costs more than the rest of the row.
    let count = 0
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        count++
        if (sepLine && count === 1) continue
        yield { row: rowOf(count), cells: record.map(unwrapExcelText) }
      }
    } catch (error) {
      if (error instanceof TableError) throw error
      const code = (error as { code?: unknown }).code
      const done = Number((error as { records?: unknown }).records ?? 0)
      if (code === 'CSV_QUOTE_NOT_CLOSED' || code === 'CSV_MAX_RECORD_SIZE') {
        throw new TableError('file.csvQuoteNotClosed', { row: rowOf(done + 1) }, { cause: error })
      }
      throw error
    } finally {
      parser.destroy()
      input.destroy()
    }
  }
  return {
    format: 'csv',
    encoding,
    records: records(),
    close: async () => {
      parser.destroy()
      input.destroy()
    },
  }
}

async function detectEncoding(handle: FileHandle, head: Buffer, size: number) {
  if (startsWith(head, UTF8_BOM)) return { encoding: 'utf-8' as const, bomLength: 3 }
  if (startsWith(head, UTF16LE_BOM)) return { encoding: 'utf-16le' as const, bomLength: 2 }
  if (startsWith(head, UTF16BE_BOM)) return { encoding: 'utf-16be' as const, bomLength: 2 }
  // GB18030 (a superset of GBK) is what Excel on Chinese Windows saves as "CSV".
  return { encoding: (await isUtf8(handle, head, size)) ? ('utf-8' as const) : ('gb18030' as const), bomLength: 0 }
}

/** Valid UTF-8 up to the end of the first megabyte-long window that has a non-ASCII byte
 * in it (a pure ASCII start says nothing, so the scan goes on). The decoder runs in
 * streaming mode, so a character cut at the end of a window is not taken for an error. */
async function isUtf8(handle: FileHandle, head: Buffer, size: number): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let chunk = head
  let offset = 0
  for (;;) {
    try {
      decoder.decode(chunk, { stream: true })
    } catch {
      return false
    }
    if (chunk.some((byte) => byte >= 0x80)) return true
    offset += chunk.length
    if (offset >= size || chunk.length === 0) return true
    chunk = await readAt(handle, offset, Math.min(SNIFF_BYTES, size - offset))
  }
}

/** Text has (almost) no control characters and no undecodable bytes; random bytes, in any
 * encoding, have plenty. A name that says text buys a little more tolerance. */
function looksLikeText(text: string, namedAsText: boolean): boolean {
  const sample = text.length > 256 * 1024 ? text.slice(0, 256 * 1024) : text
  if (sample.length === 0) return true
  let odd = 0
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1a) || c === 0x7f || c === 0xfffd) odd++
  }
  return odd <= sample.length * (namedAsText ? 0.02 : 0.005)
}

/** Systems often export a web page or an XML spreadsheet under an .xls name. */
function looksLikeMarkup(text: string): boolean {
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 200)
    .toLowerCase()
  return /^<(\?xml|!doctype|html|table|head|body|meta|style|div)\b/.test(start) || start.startsWith('mime-version:')
}

/** The delimiter is whichever of comma, tab and semicolon the header line uses most
 * (outside quotes); Excel's `sep=;` first line says it outright. */
function detectDelimiter(text: string, encoding: TableEncoding): { delimiter: string; sepLine: boolean } {
  const lines = text.split(/\r\n|\r|\n/, 1000)
  const sep = /^sep=(.)\s*$/i.exec(lines[0] ?? '')
  if (sep) return { delimiter: sep[1], sepLine: true }
  const header = lines.find((line) => line.trim() !== '') ?? ''
  const counts = new Map<string, number>([
    [',', 0],
    ['\t', 0],
    [';', 0],
  ])
  let quoted = false
  for (const ch of header) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1)
  }
  let best = encoding.startsWith('utf-16') ? '\t' : ','
  let bestCount = 0
  for (const [delimiter, count] of counts) {
    if (count > bestCount) [best, bestCount] = [delimiter, count]
  }
  return { delimiter: best, sepLine: false }
}

/** `="0012"` is how systems keep leading zeros and long digit strings in a CSV that Excel
 * opens; Excel shows the text inside. */
function unwrapExcelText(cell: string): string {
  return cell.length >= 3 && cell.startsWith('="') && cell.endsWith('"') ? cell.slice(2, -1).replace(/""/g, '"') : cell
}

class LineGuard extends Transform {
  private run = 0
  private line = 1
  private afterCr = false

  constructor(private readonly maxChars: number) {
    super({ decodeStrings: false })
  }

  override _transform(chunk: string | Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8')
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 0x0a) {
        if (!this.afterCr) this.line++
        this.run = 0
        this.afterCr = false
      } else if (c === 0x0d) {
        this.line++
        this.run = 0
        this.afterCr = true
      } else {
        this.afterCr = false
        if (++this.run > this.maxChars) {
          done(new TableError('file.lineTooLong', { line: this.line, max: this.maxChars }))
          return
        }
      }
    }
    done(null, text)
  }
}

// ---------------------------------------------------------------------------------------
// ZIP: the central directory is read first, so a bomb is refused before anything inflates,
// and each part is inflated from its own offset (no temporary files, parts in the order
// we need them) with a byte count that stops an entry that lies about its size.

interface ZipEntry {
  name: string
  method: number
  flags: number
  compressedSize: number
  uncompressedSize: number
  localHeaderOffset: number
}

/** Entries this big and this compressible are refused (XML sheets compress 5–50 times). */
const MAX_ENTRY_RATIO = 200
const RATIO_CHECKED_FROM_BYTES = MB
const MAX_DIRECTORY_BYTES = 16 * MB

function maxInflatedBytes(fileSize: number) {
  return Math.max(GB, 100 * fileSize)
}

async function readZipDirectory(handle: FileHandle, size: number): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(size, 22 + 0xffff)
  const tailStart = size - tailLength
  const tail = await readAt(handle, tailStart, tailLength)
  let at = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      at = i
      break
    }
  }
  if (at < 0) throw new TableError('file.corrupt')
  let count = tail.readUInt16LE(at + 10)
  let directorySize = tail.readUInt32LE(at + 12)
  let directoryOffset = tail.readUInt32LE(at + 16)
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorAt = tailStart + at - 20
    if (locatorAt < 0) throw new TableError('file.corrupt')
    const locator = await readAt(handle, locatorAt, 20)
    if (locator.length < 20 || locator.readUInt32LE(0) !== 0x07064b50) throw new TableError('file.corrupt')
    const end64 = await readAt(handle, Number(locator.readBigUInt64LE(8)), 56)
    if (end64.length < 56 || end64.readUInt32LE(0) !== 0x06064b50) throw new TableError('file.corrupt')
    count = Number(end64.readBigUInt64LE(32))
    directorySize = Number(end64.readBigUInt64LE(40))
    directoryOffset = Number(end64.readBigUInt64LE(48))
  }
  if (directorySize > MAX_DIRECTORY_BYTES) throw new TableError('file.notSpreadsheet')
  if (directoryOffset + directorySize > size) throw new TableError('file.corrupt')
  const directory = await readAt(handle, directoryOffset, directorySize)
  const entries = new Map<string, ZipEntry>()
  let p = 0
  for (let i = 0; i < count; i++) {
    if (p + 46 > directory.length || directory.readUInt32LE(p) !== 0x02014b50) throw new TableError('file.corrupt')
    const flags = directory.readUInt16LE(p + 8)
    const nameLength = directory.readUInt16LE(p + 28)
    const extraLength = directory.readUInt16LE(p + 30)
    const commentLength = directory.readUInt16LE(p + 32)
    const entry: ZipEntry = {
      name: directory.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength),
      method: directory.readUInt16LE(p + 10),
      flags,
      compressedSize: directory.readUInt32LE(p + 20),
      uncompressedSize: directory.readUInt32LE(p + 24),
      localHeaderOffset: directory.readUInt32LE(p + 42),
    }
    const extraEnd = p + 46 + nameLength + extraLength
    if (extraEnd + commentLength > directory.length) throw new TableError('file.corrupt')
    for (let e = p + 46 + nameLength; e + 4 <= extraEnd; e += 4 + directory.readUInt16LE(e + 2)) {
      if (directory.readUInt16LE(e) !== 0x0001) continue
      // ZIP64: the fields that overflowed, in this order.
      let q = e + 4
      const next = () => {
        const value = q + 8 <= extraEnd ? Number(directory.readBigUInt64LE(q)) : NaN
        q += 8
        return value
      }
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next()
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next()
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next()
    }
    if (![entry.compressedSize, entry.uncompressedSize, entry.localHeaderOffset].every(Number.isFinite)) {
      throw new TableError('file.corrupt')
    }
    // OPC part names are case-insensitive.
    entries.set(entry.name.replace(/^\//, '').toLowerCase(), entry)
    p = extraEnd + commentLength
  }
  return entries
}

function checkZipBomb(entries: Map<string, ZipEntry>, fileSize: number) {
  let total = 0
  for (const entry of entries.values()) {
    total += entry.uncompressedSize
    if (entry.uncompressedSize > RATIO_CHECKED_FROM_BYTES && entry.uncompressedSize > MAX_ENTRY_RATIO * Math.max(entry.compressedSize, 1)) {
      throw new TableError('file.zipBomb')
    }
  }
  if (total > maxInflatedBytes(fileSize)) throw new TableError('file.zipBomb')
}

interface Budget {
  left: number
}

/** Where an entry's data starts (after its local header), checked against the file. */
async function entryDataStart(handle: FileHandle, entry: ZipEntry, size: number): Promise<number> {
  const local = await readAt(handle, entry.localHeaderOffset, 30)
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new TableError('file.corrupt')
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
  if (start + entry.compressedSize > size) throw new TableError('file.corrupt')
  if (entry.flags & 0x1 || (entry.method !== 0 && entry.method !== 8)) throw new TableError('file.corrupt')
  return start
}

function openEntry(filePath: string, entry: ZipEntry, start: number, budget: Budget, numberCells: boolean): Readable {
  const raw =
    entry.compressedSize === 0
      ? Readable.from([])
      : createReadStream(filePath, { start, end: start + entry.compressedSize - 1, highWaterMark: 256 * 1024 })
  let seen = 0
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      budget.left -= chunk.length
      if (seen > entry.uncompressedSize || budget.left < 0) done(new TableError('file.zipBomb'))
      else done(null, chunk)
    },
  })
  const xml = new SpreadsheetXml(numberCells)
  pipeline(entry.method === 8 ? [raw, createInflateRaw(), counted, xml] : [raw, counted, xml], () => {
    // Errors reach the reader through the last stream; an early close is not an error.
  })
  return xml
}

const SPREADSHEET_NAMESPACE =
  /xmlns:([\w.-]+)\s*=\s*["'](?:http:\/\/schemas\.openxmlformats\.org\/spreadsheetml\/2006\/main|http:\/\/purl\.oclc\.org\/ooxml\/spreadsheetml\/main)["']/

/** Rewrites two things valid SpreadsheetML may do that exceljs's reader cannot take: a
 * prefix on the elements (`<x:row>`, as the OpenXML SDK writes), and rows and cells without
 * their `r` reference (optional: each then follows the previous one). Element text never
 * holds a raw '<', so tags can be found in the text as it streams. */
class SpreadsheetXml extends Transform {
  private readonly decoder = new StringDecoder('utf8')
  private carry = ''
  private prefix: string | null | undefined
  private row = 0
  private column = 0

  constructor(private readonly numberCells: boolean) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    const text = this.carry + this.decoder.write(chunk)
    let end = text.lastIndexOf('<')
    if (end < 0 || text.indexOf('>', end) >= 0) end = text.length
    this.carry = text.slice(end)
    done(null, this.rewrite(text.slice(0, end)))
  }

  override _flush(done: TransformCallback) {
    done(null, this.rewrite(this.carry + this.decoder.end()))
  }

  private rewrite(text: string): string {
    if (this.prefix === undefined) {
      const root = /<(?![?!])[^>]*>/.exec(text)
      if (root) this.prefix = SPREADSHEET_NAMESPACE.exec(root[0])?.[1] ?? null
    }
    if (this.prefix) text = text.replaceAll(`<${this.prefix}:`, '<').replaceAll(`</${this.prefix}:`, '</')
    if (!this.numberCells) return text
    return text.replace(/<(row|c)(?=[\s/>])([^>]*?)(\/?)>/g, (tag, name: string, attributes: string, close: string) => {
      const ref = /\sr\s*=\s*["']([^"']*)["']/.exec(attributes)?.[1]
      if (name === 'row') {
        this.row = (ref && Number.parseInt(ref, 10)) || this.row + 1
        this.column = 0
        return ref ? tag : `<row r="${this.row}"${attributes}${close}>`
      }
      this.column = (ref && columnNumber(ref)) || this.column + 1
      return ref ? tag : `<c r="${columnLetter(this.column)}${this.row}"${attributes}${close}>`
    })
  }
}

// ---------------------------------------------------------------------------------------
// XLSX, read with exceljs's streaming reader. Its own `parse()` takes parts in ZIP order
// (Excel writes sheets before shared strings and styles, so it spools them to temporary
// files) and picks sheets by file name; instead we hand its part parsers the parts we
// choose, in the order they are needed. These are exceljs internals, stable in 4.x.

interface WorkbookReaderParts {
  _parseWorkbook(entry: Readable): Promise<void>
  _parseRels(entry: Readable): Promise<void>
  _parseStyles(entry: Readable): Promise<void>
  _parseSharedStrings(entry: Readable): AsyncGenerator<{ index: number; text: unknown }>
  _parseWorksheet(
    iterator: AsyncIterable<unknown>,
    sheetNo: string,
  ): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }, void>
  sharedStrings?: unknown
  workbookRels?: Array<{ Id: string; Type?: string; Target?: string }>
  model?: { sheets?: Array<{ name?: string; rId?: string; state?: string } | undefined> }
  properties?: { model?: { date1904?: boolean } }
  styles: { model?: { styles?: Array<{ numFmtId?: number } | undefined> }; index?: { model?: unknown[]; numFmt?: Record<number, string> } }
}

// Number formats built into East Asian Excel (zh-CN: 31 is yyyy"年"m"月"d"日", 58 m"月"d"日",
// 32–35 and 55–56 times) that files reference by id alone and exceljs does not know.
const EAST_ASIAN_DATE_FORMATS = [27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58]
const EAST_ASIAN_TIME_FORMATS = [32, 33, 34, 35, 55, 56]

async function openXlsx(filePath: string, handle: FileHandle, size: number): Promise<Source> {
  const entries = await readZipDirectory(handle, size)
  if (!entries.has('xl/workbook.xml')) throw new TableError('file.notSpreadsheet')
  checkZipBomb(entries, size)
  const budget: Budget = { left: maxInflatedBytes(size) }
  const opened: Readable[] = []
  const part = async (name: string) => {
    const entry = entries.get(name.toLowerCase())
    if (!entry) return null
    const start = await entryDataStart(handle, entry, size)
    return (numberCells = false) => {
      const stream = openEntry(filePath, entry, start, budget, numberCells)
      opened.push(stream)
      return stream
    }
  }

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(filePath, {
    worksheets: 'emit',
    sharedStrings: 'emit',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as WorkbookReaderParts
  let openSheet: (numberCells: boolean) => Readable
  try {
    await reader._parseWorkbook((await part('xl/workbook.xml'))!())
    const rels = await part('xl/_rels/workbook.xml.rels')
    if (!rels) throw new TableError('file.corrupt')
    await reader._parseRels(rels())
    const relations = reader.workbookRels ?? []
    const target = (type: string) => {
      const relation = relations.find((r) => r.Type?.endsWith(`/${type}`) && r.Target)
      return relation ? partName(relation.Target!) : null
    }

    const sheets = (reader.model?.sheets ?? []).flatMap((sheet) => {
      const relation = sheet && relations.find((r) => r.Id === sheet.rId && r.Type?.endsWith('/worksheet') && r.Target)
      return sheet && relation ? [{ state: sheet.state, name: partName(relation.Target!) }] : []
    })
    const sheet = sheets.find((s) => !s.state || s.state === 'visible') ?? sheets[0]
    if (!sheet) throw new TableError('file.empty')
    const sheetPart = await part(sheet.name)
    if (!sheetPart) throw new TableError('file.corrupt')
    openSheet = sheetPart

    const styles = await part(target('styles') ?? 'xl/styles.xml')
    if (styles) {
      await reader._parseStyles(styles())
      addEastAsianFormats(reader.styles)
    } else if (reader.styles.index) {
      reader.styles.index.model = [] // exceljs's blank style manager lacks it
    }
    const sharedStrings = await part(target('sharedStrings') ?? 'xl/sharedStrings.xml')
    if (sharedStrings) {
      const table = new StringTable()
      for await (const { text } of reader._parseSharedStrings(sharedStrings())) table.add(sharedStringText(text))
      reader.sharedStrings = table.asArray()
    }
  } catch (error) {
    for (const stream of opened) stream.destroy()
    throw asTableError(error)
  }

  const date1904 = Boolean(reader.properties?.model?.date1904)
  let stream: Readable | null = null
  async function* records(): AsyncGenerator<TableRow> {
    stream = openSheet(true)
    try {
      const worksheet = reader._parseWorksheet(stream, '1').next().value?.value
      if (!worksheet) return
      let previous = 0
      for await (const row of worksheet) {
        const number = Number.isInteger(row.number) && row.number > previous ? row.number : previous + 1
        previous = number
        const cells: string[] = []
        row.eachCell((cell, column) => {
          while (cells.length < column - 1) cells.push('')
          cells[column - 1] = cellText(cell.value, cell.numFmt, date1904)
        })
        yield { row: number, cells }
      }
    } catch (error) {
      throw asTableError(error)
    } finally {
      stream.destroy()
    }
  }
  return {
    format: 'xlsx',
    encoding: null,
    records: records(),
    close: async () => {
      stream?.destroy()
    },
  }
}

/** The shared strings, which a sheet refers to by index: as UTF-8 outside the JS heap,
 * about a third of the memory a string array would take for a million-row list. */
class StringTable {
  private static readonly CHUNK_BYTES = 4 * MB
  private readonly chunks: Buffer[] = []
  private readonly chunkStarts: number[] = []
  private pending: string[] = []
  private pendingBytes = 0
  private flushed = 0
  private starts = new Float64Array(1024)
  private count = 0

  add(text: string) {
    if (this.count + 1 >= this.starts.length) {
      const grown = new Float64Array(this.starts.length * 2)
      grown.set(this.starts)
      this.starts = grown
    }
    this.starts[this.count++] = this.flushed + this.pendingBytes
    this.pending.push(text)
    this.pendingBytes += Buffer.byteLength(text)
    if (this.pendingBytes >= StringTable.CHUNK_BYTES) this.flush()
  }

  get(index: number): string | undefined {
    if (!(index >= 0 && index < this.count)) return undefined
    const start = this.starts[index]
    const end = index + 1 < this.count ? this.starts[index + 1] : this.flushed + this.pendingBytes
    let chunk = 0
    for (let high = this.chunks.length - 1; chunk < high; ) {
      const middle = (chunk + high + 1) >> 1
      if (this.chunkStarts[middle] <= start) chunk = middle
      else high = middle - 1
    }
    const offset = start - this.chunkStarts[chunk]
    return this.chunks[chunk].toString('utf8', offset, offset + end - start)
  }

  /** What exceljs's sheet reader indexes (`sharedStrings[i]`). */
  asArray(): unknown {
    this.flush()
    return new Proxy([], {
      get: (target, key) => (typeof key === 'string' && /^\d+$/.test(key) ? this.get(Number(key)) : Reflect.get(target, key)),
    })
  }

  private flush() {
    if (this.pending.length === 0) return
    this.chunkStarts.push(this.flushed)
    this.chunks.push(Buffer.from(this.pending.join(''), 'utf8'))
    this.flushed += this.pendingBytes
    this.pending = []
    this.pendingBytes = 0
  }
}

/** A relationship target as a part name: relative to xl/, or absolute from the root. */
function partName(target: string): string {
  const name = target.startsWith('/') ? target.slice(1) : posix.join('xl', target)
  return posix.normalize(name).toLowerCase()
}

function addEastAsianFormats(styles: WorkbookReaderParts['styles']) {
  const formats = styles.index?.numFmt
  if (!formats) return
  for (const style of styles.model?.styles ?? []) {
    const id = style?.numFmtId
    if (id === undefined || formats[id]) continue
    if (EAST_ASIAN_DATE_FORMATS.includes(id)) formats[id] = 'yyyy-mm-dd'
    else if (EAST_ASIAN_TIME_FORMATS.includes(id)) formats[id] = 'h:mm:ss'
  }
}

function asTableError(error: unknown): TableError {
  return error instanceof TableError ? error : new TableError('file.corrupt', {}, { cause: error })
}

// ---------------------------------------------------------------------------------------
// Cell values as the text Excel shows

function cellText(value: unknown, numFmt: string | undefined, date1904: boolean): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return excelUnescape(value)
  if (typeof value === 'number') return numberText(value)
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return dateText(value.getTime(), date1904)
  if (typeof value !== 'object') return String(value)
  const v = value as Record<string, unknown>
  if ('formula' in v || 'sharedFormula' in v || 'result' in v) {
    // A formula's cached result; exceljs leaves a date-formatted result a serial number.
    const result = v.result
    if (typeof result === 'number' && isDateFormat(numFmt)) return dateText(serialToTime(result, date1904), date1904)
    return cellText(result, undefined, date1904)
  }
  if (Array.isArray(v.richText)) return excelUnescape(v.richText.map((run: { text?: unknown }) => String(run?.text ?? '')).join(''))
  if ('text' in v) return cellText(v.text, numFmt, date1904) // a hyperlink
  if ('error' in v) return String(v.error)
  return ''
}

/** A shared string as stored (escapes are undone when a cell reads it): text or rich text. */
function sharedStringText(value: unknown): string {
  if (typeof value === 'string') return value
  const runs = (value as { richText?: unknown } | null)?.richText
  return Array.isArray(runs) ? runs.map((run: { text?: unknown }) => String(run?.text ?? '')).join('') : ''
}

/** As Excel shows a number: at most 15 significant digits, so no binary float noise. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return ''
  if (Number.isSafeInteger(n)) return String(n)
  return String(Number(n.toPrecision(15)))
}

const DAY_MS = 86_400_000
const EPOCH_1900 = Date.UTC(1899, 11, 30)
const EPOCH_1904 = Date.UTC(1904, 0, 1)

function serialToTime(serial: number, date1904: boolean): number {
  return (date1904 ? EPOCH_1904 : EPOCH_1900) + serial * DAY_MS
}

/** YYYY-MM-DD, YYYY-MM-DDTHH:mm:ss when there is a time, HH:mm:ss for a time alone. */
function dateText(time: number, date1904: boolean): string {
  if (!Number.isFinite(time)) return ''
  const rounded = Math.round(time / 1000) * 1000
  const iso = new Date(rounded).toISOString()
  const epoch = date1904 ? EPOCH_1904 : EPOCH_1900
  if (rounded >= epoch && rounded < epoch + DAY_MS) return iso.slice(11, 19)
  return rounded % DAY_MS === 0 ? iso.slice(0, 10) : iso.slice(0, 19)
}

function isDateFormat(format: string | undefined): boolean {
  if (!format) return false
  const bare = format.replace(/\[[^\]]*]|"[^"]*"|\\.|_.|\*./g, '')
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim())
}

/** Excel writes characters XML cannot hold as _xHHHH_ (a line break as _x000D_). */
function excelUnescape(text: string): string {
  return text.includes('_x') ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text
}

// ---------------------------------------------------------------------------------------

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return filled === length ? buffer : buffer.subarray(0, filled)
}

function startsWith(buffer: Buffer, signature: number[]): boolean {
  return buffer.length >= signature.length && signature.every((byte, i) => buffer[i] === byte)
}

function megabytes(bytes: number): number {
  return Number((bytes / MB).toPrecision(3))
}

/** A → 1, AA → 27 (from a cell reference such as AA12); 0 when there are no letters. */
function columnNumber(reference: string): number {
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
