// CSV: its text encoding, its delimiter, and a parser that takes any mix of line endings.
import { createReadStream } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { pipeline, Transform, type TransformCallback } from 'node:stream'
import { parse as parseCsv } from 'csv-parse'
import iconv from 'iconv-lite'
import { MB, readAt, startsWith, TableError, type Source, type TableEncoding, type TableLimits, type TableRow } from './table-types.server'

/** How much of the file decides its text encoding (and is read up front). */
export const SNIFF_BYTES = MB
const UTF8_BOM = [0xef, 0xbb, 0xbf]
const UTF16LE_BOM = [0xff, 0xfe]
const UTF16BE_BOM = [0xfe, 0xff]

export async function openCsv(
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
    // Any mix of line endings: a Windows header (CRLF) above rows edited elsewhere (LF)
    // would otherwise make the whole file one record.
    record_delimiter: ['\r\n', '\n', '\r'],
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
  // The header line decides; a title line above it (one cell, no delimiter) says nothing,
  // so the first few non-empty lines are looked at and the most any of them has counts.
  const counts = new Map<string, number>([
    [',', 0],
    ['\t', 0],
    [';', 0],
  ])
  for (const line of lines.filter((l) => l.trim() !== '').slice(0, 20)) {
    const here = new Map<string, number>()
    let quoted = false
    for (const ch of line) {
      if (ch === '"') quoted = !quoted
      else if (!quoted && counts.has(ch)) here.set(ch, (here.get(ch) ?? 0) + 1)
    }
    if (here.size > 0) {
      for (const [ch, n] of here) counts.set(ch, Math.max(counts.get(ch)!, n))
      break
    }
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

