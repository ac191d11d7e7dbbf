// The rows of one worksheet part, read straight from its inflated XML: one pass of indexOf
// over the text, a row at a time. exceljs's streaming reader (a SAX parser building Row and
// Cell objects with styles for every cell) took five times as long as the CSV reader on the
// same rows, and each of the import's two prepare threads reads the whole sheet (0241).
// Only what a list needs is read: each cell's reference, type, style and value; formulas
// give their cached result; everything outside <sheetData> is skipped.
import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { cellText, dateText, excelUnescape, isDateFormat, numberText, serialToTime } from './cell-text.server'
import { columnNumber, MB, TableError, type TableRow } from './table-types.server'
import { SPREADSHEET_NAMESPACE } from './zip-parts.server'

export interface SheetContext {
  /** The shared string at an index (as stored: Excel's _xHHHH_ escapes still in). */
  sharedString(index: number): string | undefined
  /** The number format of a cell style (its `s` attribute), if any. */
  numFmt(style: number): string | undefined
  date1904: boolean
}

/** A row this long (in XML) is not a list's: refused rather than held. */
const MAX_ROW_CHARS = 64 * MB

export async function* sheetRows(stream: Readable, context: SheetContext): AsyncGenerator<TableRow> {
  const decoder = new StringDecoder('utf8')
  let text = ''
  let names: TagNames | null = null
  let previousRow = 0
  let ended = false
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    text += decoder.write(chunk)
    if (!names) {
      // The root element says whether the elements carry a prefix (<x:row>, as the OpenXML SDK writes).
      const root = /<(?![?!])[^>]*>/.exec(text)
      if (!root) continue
      names = tagNames(SPREADSHEET_NAMESPACE.exec(root[0])?.[1] ?? null)
    }
    let at = 0
    // Looked for once a chunk: searching the rest of the text at each row would be quadratic.
    const dataEnd = text.indexOf(names.sheetDataEnd)
    for (;;) {
      const start = nextTag(text, names.row, at)
      if (dataEnd >= 0 && (start < 0 || dataEnd < start)) {
        ended = true
        break
      }
      if (start < 0) {
        // Keep only what may be the start of a tag cut by the chunk's end.
        const lt = text.lastIndexOf('<')
        at = lt >= 0 && text.indexOf('>', lt) < 0 ? lt : text.length
        break
      }
      const open = text.indexOf('>', start)
      if (open < 0) {
        at = start
        break
      }
      let close: number
      if (text.charCodeAt(open - 1) === 47 /* '/' */) close = open + 1
      else {
        const closing = text.indexOf(names.rowEnd, open)
        if (closing < 0) {
          at = start
          break
        }
        close = closing + names.rowEnd.length
      }
      const number = rowNumber(text.slice(start, open), previousRow)
      previousRow = number
      yield { row: number, cells: rowCells(text, open + 1, close, names, context) }
      at = close
    }
    if (ended) break
    text = text.slice(at)
    if (text.length > MAX_ROW_CHARS) throw new TableError('file.corrupt')
  }
}

interface TagNames {
  row: string
  rowEnd: string
  cell: string
  cellEnd: string
  value: string
  valueEnd: string
  formula: string
  inline: string
  textRun: string
  textEnd: string
  phonetic: string
  phoneticEnd: string
  sheetDataEnd: string
}

function tagNames(prefix: string | null): TagNames {
  const p = prefix ? `${prefix}:` : ''
  return {
    row: `<${p}row`,
    rowEnd: `</${p}row>`,
    cell: `<${p}c`,
    cellEnd: `</${p}c>`,
    value: `<${p}v`,
    valueEnd: `</${p}v>`,
    formula: `<${p}f`,
    inline: `<${p}is`,
    textRun: `<${p}t`,
    textEnd: `</${p}t>`,
    phonetic: `<${p}rPh`,
    phoneticEnd: `</${p}rPh>`,
    sheetDataEnd: `</${p}sheetData>`,
  }
}

/** The next `<name` that is that element (not `<names…`), from `from`; -1 if none. */
function nextTag(text: string, name: string, from: number, before = text.length): number {
  for (let at = text.indexOf(name, from); at >= 0 && at < before; at = text.indexOf(name, at + 1)) {
    const next = text.charCodeAt(at + name.length)
    // whitespace, '>' or '/'; NaN (the text's end) is decided when more arrives.
    if (next === 32 || next === 62 || next === 47 || next === 9 || next === 10 || next === 13 || Number.isNaN(next)) return at
  }
  return -1
}

function attribute(tag: string, name: string): string | undefined {
  const at = tag.search(new RegExp(`\\s${name}\\s*=`))
  if (at < 0) return undefined
  const quote = tag.slice(at).search(/["']/)
  if (quote < 0) return undefined
  const from = at + quote + 1
  const to = tag.indexOf(tag[at + quote], from)
  return to < 0 ? undefined : tag.slice(from, to)
}

/** Rows without a reference, or out of order, follow the previous one, as Excel numbers them. */
function rowNumber(tag: string, previous: number): number {
  const reference = Number.parseInt(fastAttribute(tag, ' r="') ?? attribute(tag, 'r') ?? '', 10)
  return Number.isInteger(reference) && reference > previous ? reference : previous + 1
}

/** `name="…"` as writers put it; the slower general form otherwise. */
function fastAttribute(tag: string, spelled: string): string | undefined {
  const at = tag.indexOf(spelled)
  if (at < 0) return undefined
  const from = at + spelled.length
  const to = tag.indexOf('"', from)
  return to < 0 ? undefined : tag.slice(from, to)
}

function rowCells(text: string, from: number, to: number, names: TagNames, context: SheetContext): string[] {
  const cells: string[] = []
  let column = 0
  for (let at = nextTag(text, names.cell, from, to); at >= 0; at = nextTag(text, names.cell, at + 1, to)) {
    const open = text.indexOf('>', at)
    if (open < 0 || open >= to) break
    const tag = text.slice(at, open)
    const selfClosed = text.charCodeAt(open - 1) === 47
    const reference = fastAttribute(tag, ' r="') ?? attribute(tag, 'r')
    column = (reference && columnNumber(reference)) || column + 1
    if (selfClosed) continue
    const end = text.indexOf(names.cellEnd, open)
    const body = text.slice(open + 1, end < 0 || end > to ? to : end)
    const value = cellValue(tag, body, names, context)
    if (value === null) continue
    while (cells.length < column - 1) cells.push('')
    cells[column - 1] = value
    at = end < 0 ? at : end
  }
  return cells
}

/** The cell's text as Excel shows it; null for a cell with no value. */
function cellValue(tag: string, body: string, names: TagNames, context: SheetContext): string | null {
  const type = fastAttribute(tag, ' t="') ?? attribute(tag, 't') ?? 'n'
  if (type === 'inlineStr') {
    const inline = body.indexOf(names.inline)
    return inline < 0 ? null : excelUnescape(inlineText(body.slice(inline), names))
  }
  const raw = elementText(body, names.value, names.valueEnd)
  if (raw === null) return null
  const formula = nextTag(body, names.formula, 0) >= 0
  switch (type) {
    case 's': {
      if (formula) return excelUnescape(xmlText(raw))
      const shared = context.sharedString(Number.parseInt(raw, 10))
      return shared === undefined ? null : cellText(shared, undefined, context.date1904)
    }
    case 'str':
      return excelUnescape(xmlText(raw))
    case 'b':
      return Number.parseInt(raw, 10) ? 'TRUE' : 'FALSE'
    case 'e':
      return xmlText(raw)
    case 'd': {
      const time = Date.parse(xmlText(raw))
      return Number.isFinite(time) ? dateText(time, context.date1904) : xmlText(raw)
    }
    default: {
      const number = Number.parseFloat(raw)
      if (!Number.isFinite(number)) return ''
      const style = Number.parseInt(fastAttribute(tag, ' s="') ?? attribute(tag, 's') ?? '', 10)
      const format = style > 0 ? context.numFmt(style) : undefined
      return isDateFormat(format) ? dateText(serialToTime(number, context.date1904), context.date1904) : numberText(number)
    }
  }
}

/** The text of the first `<name>…</name>` in `body`, undecoded; null if absent. */
function elementText(body: string, open: string, close: string): string | null {
  const at = nextTag(body, open, 0)
  if (at < 0) return null
  const start = body.indexOf('>', at)
  if (start < 0) return null
  if (body.charCodeAt(start - 1) === 47) return ''
  const end = body.indexOf(close, start)
  return body.slice(start + 1, end < 0 ? body.length : end)
}

/** An inline string: its text runs joined, without the phonetic guide (<rPh>) Excel may add. */
function inlineText(body: string, names: TagNames): string {
  let text = ''
  for (let at = nextTag(body, names.textRun, 0); at >= 0; ) {
    const phonetic = nextTag(body, names.phonetic, 0)
    if (phonetic >= 0 && phonetic < at) {
      const end = body.indexOf(names.phoneticEnd, phonetic)
      body = end < 0 ? '' : body.slice(end + names.phoneticEnd.length)
      at = nextTag(body, names.textRun, 0)
      continue
    }
    const start = body.indexOf('>', at)
    if (start < 0) break
    if (body.charCodeAt(start - 1) === 47) {
      at = nextTag(body, names.textRun, start)
      continue
    }
    const end = body.indexOf(names.textEnd, start)
    text += xmlText(body.slice(start + 1, end < 0 ? body.length : end))
    if (end < 0) break
    at = nextTag(body, names.textRun, end)
  }
  return text
}

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/** Element text as XML means it: entities and character references decoded, line ends as one \n. */
function xmlText(raw: string): string {
  let text = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw
  if (text.includes('&')) {
    text = text.replace(ENTITY, (_, named: string | undefined, decimal: string | undefined, hex: string | undefined) =>
      named ? NAMED[named] : String.fromCodePoint(Number.parseInt(decimal ?? hex!, decimal ? 10 : 16)),
    )
  }
  return text
}
