// XLSX: the workbook, its relationships, styles and shared strings read with exceljs's
// streaming reader (exceljs is pinned exactly in package.json: this is the one module that
// knows its internals, and test/unit/xlsx-source.test.ts is their contract), the sheet's
// rows by our own pass over its XML (sheet-rows.server.ts: five times faster). exceljs's
// `parse()` takes parts in ZIP order (Excel writes sheets before shared strings and
// styles, so it spools them to temporary files) and picks sheets by file name; instead we
// hand its part parsers the parts we choose, in the order needed.
import type { FileHandle } from 'node:fs/promises'
import { posix } from 'node:path'
import type { Readable } from 'node:stream'
import { loadExcelJs } from '../heavy-packages.server'
import { sharedStringText } from './cell-text.server'
import { sheetRows, type SheetContext } from './sheet-rows.server'
import { MB, TableError, type Source, type TableRow } from './table-types.server'
import { checkZipBomb, entryDataStart, maxInflatedBytes, openEntry, readZipDirectory, type Budget } from './zip-parts.server'

interface WorkbookReaderParts {
  _parseWorkbook(entry: Readable): Promise<void>
  _parseRels(entry: Readable): Promise<void>
  _parseStyles(entry: Readable): Promise<void>
  _parseSharedStrings(entry: Readable): AsyncGenerator<{ index: number; text: unknown }>
  workbookRels?: Array<{ Id: string; Type?: string; Target?: string }>
  model?: { sheets?: Array<{ name?: string; rId?: string; state?: string } | undefined> }
  properties?: { model?: { date1904?: boolean } }
  styles: {
    getStyleModel?(id: number): { numFmt?: string } | null
    model?: { styles?: Array<{ numFmtId?: number } | undefined> }; index?: { model?: unknown[]; numFmt?: Record<number, string> } }
}

// Number formats built into East Asian Excel (zh-CN: 31 is yyyy"年"m"月"d"日", 58 m"月"d"日",
// 32–35 and 55–56 times) that files reference by id alone and exceljs does not know.
const EAST_ASIAN_DATE_FORMATS = [27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58]
const EAST_ASIAN_TIME_FORMATS = [32, 33, 34, 35, 55, 56]

export async function openXlsx(filePath: string, handle: FileHandle, size: number): Promise<Source> {
  const entries = await readZipDirectory(handle, size)
  if (!entries.has('xl/workbook.xml')) throw new TableError('file.notSpreadsheet')
  checkZipBomb(entries, size)
  const budget: Budget = { left: maxInflatedBytes(size) }
  const opened: Readable[] = []
  const part = async (name: string) => {
    const entry = entries.get(name.toLowerCase())
    if (!entry) return null
    const start = await entryDataStart(handle, entry, size)
    return (asXml = true) => {
      const stream = openEntry(filePath, entry, start, budget, asXml)
      opened.push(stream)
      return stream
    }
  }

  const ExcelJS = await loadExcelJs()
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(filePath, {
    worksheets: 'emit',
    sharedStrings: 'emit',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as WorkbookReaderParts
  let openSheet: (asXml: boolean) => Readable
  let strings: StringTable | null = null
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
      strings = new StringTable()
      for await (const { text } of reader._parseSharedStrings(sharedStrings())) strings.add(sharedStringText(text))
      strings.flush()
    }
  } catch (error) {
    for (const stream of opened) stream.destroy()
    throw asTableError(error)
  }

  const date1904 = Boolean(reader.properties?.model?.date1904)
  const formats = new Map<number, string | undefined>()
  const context: SheetContext = {
    date1904,
    sharedString: (index) => strings?.get(index),
    numFmt(style) {
      if (!formats.has(style)) {
        let format: string | undefined
        try {
          format = reader.styles.getStyleModel?.(style)?.numFmt
        } catch {
          format = undefined // no styles part: exceljs's blank manager has no model
        }
        formats.set(style, format)
      }
      return formats.get(style)
    },
  }
  let stream: Readable | null = null
  async function* records(): AsyncGenerator<TableRow> {
    stream = openSheet(false)
    try {
      yield* sheetRows(stream, context)
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

  flush() {
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
