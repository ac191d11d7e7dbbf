// Generated spreadsheets for the import tests: CSV in the encodings real lists arrive in,
// XLSX written by exceljs, and hand-made ZIPs for what no well-behaved writer produces.
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import zlib, { deflateRawSync } from 'node:zlib'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'utf-16le' | 'utf-16be'

export interface TempDir {
  dir: string
  path(name: string): string
  remove(): Promise<void>
}

export async function makeTempDir(prefix = 'wanqi-table-'): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Text in the given encoding, with the BOM the encoding name asks for (UTF-16 always has one). */
export function encodeText(text: string, encoding: TextEncoding): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8')
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
    case 'gb18030':
      return iconv.encode(text, 'gb18030')
    case 'utf-16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')])
    case 'utf-16be':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')])
  }
}

export async function writeText(path: string, text: string, encoding: TextEncoding = 'utf-8'): Promise<string> {
  await writeFile(path, encodeText(text, encoding))
  return path
}

/** Rows as CSV text, quoting what needs it, as Excel does. */
export function csvText(rows: string[][], options: { delimiter?: string; lineEnding?: string } = {}): string {
  const delimiter = options.delimiter ?? ','
  const quote = (cell: string) => (cell.includes(delimiter) || /["\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)
  return rows.map((row) => row.map(quote).join(delimiter)).join(options.lineEnding ?? '\r\n') + (options.lineEnding ?? '\r\n')
}

export async function writeCsv(
  path: string,
  rows: string[][],
  options: { encoding?: TextEncoding; delimiter?: string; lineEnding?: string } = {},
): Promise<string> {
  return writeText(path, csvText(rows, options), options.encoding ?? 'utf-8')
}

/** A CSV of about `bytes` bytes, written in pieces so the test's own memory stays flat. */
export async function writeLargeCsv(path: string, bytes: number): Promise<{ rows: number; bytes: number }> {
  const out = createWriteStream(path)
  let written = 0
  let rows = 0
  const header = '统一社会信用代码,企业名称,法定代表人,注册日期,营业收入（万元）,地址\r\n'
  out.write(header)
  written += Buffer.byteLength(header)
  while (written < bytes) {
    let piece = ''
    for (let i = 0; i < 1000; i++) {
      rows++
      piece += `9111000060003734${String(rows % 100).padStart(2, '0')},某某市第${rows}号商贸有限公司,张${rows % 97},2023-02-01,${
        (rows % 5000) + 0.5
      },某某省某某市某某区某某路${rows}号\r\n`
    }
    written += Buffer.byteLength(piece)
    if (!out.write(piece)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return { rows, bytes: written }
}

export async function writeXlsx(path: string, build: (sheet: ExcelJS.Worksheet, workbook: ExcelJS.Workbook) => void): Promise<string> {
  const workbook = new ExcelJS.Workbook()
  build(workbook.addWorksheet('名单'), workbook)
  await workbook.xlsx.writeFile(path)
  return path
}

/** A list of `rows` distinct companies written by exceljs's streaming writer: shared strings,
 * as Excel saves them, or inline strings, as streaming writers (and the import benchmark) do. */
export async function writeLargeXlsx(path: string, rows: number, strings: 'shared' | 'inline' = 'shared'): Promise<string> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: strings === 'shared', useStyles: true })
  const sheet = workbook.addWorksheet('名单')
  sheet.addRow(['统一社会信用代码', '企业名称', '法定代表人', '注册日期', '营业收入（万元）', '地址']).commit()
  for (let i = 1; i <= rows; i++) {
    const row = sheet.addRow([
      `9111000060${String(i).padStart(8, '0')}`,
      `某某市第${i}号商贸有限公司`,
      `张${i % 97}`,
      new Date(Date.UTC(2023, 1, 1 + (i % 300))),
      (i % 5000) + 0.5,
      `某某省某某市某某区某某路${i}号`,
    ])
    row.getCell(4).numFmt = 'yyyy-mm-dd'
    row.commit()
  }
  sheet.commit()
  await workbook.commit()
  return path
}

export interface ZipPart {
  name: string
  data: Buffer | string
  /** Store without compression (default: deflate). */
  stored?: boolean
  /** Lie about the uncompressed size in the headers. */
  declaredSize?: number
}

/** A plain ZIP, written by hand so tests can make the ones writers never would. */
export function zipBytes(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const part of parts) {
    const data = typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : part.data
    const body = part.stored ? data : deflateRawSync(data)
    const name = Buffer.from(part.name, 'utf8')
    const size = part.declaredSize ?? data.length
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x800, 6)
    local.writeUInt16LE(part.stored ? 0 : 8, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x800, 8)
    central.writeUInt16LE(part.stored ? 0 : 8, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, body)
    centrals.push(central, name)
    offset += local.length + name.length + body.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.length, 8)
  end.writeUInt16LE(parts.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

let crcTable: Uint32Array | undefined
function crc32(data: Buffer): number {
  // Node's own (20.15 and later): the loop below took ~0.3 s of CPU a run over the tests' large parts.
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data)
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

const RELS_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'

/** The parts of a minimal XLSX around the given sheets (sheet XML is the <sheetData> body). */
export function xlsxParts(options: {
  sheets: Array<{ name: string; file: string; state?: 'hidden'; sheetData: string }>
  styles?: string
  sharedStrings?: string[]
}): ZipPart[] {
  const sheetParts = options.sheets.map((sheet) => ({
    name: `xl/worksheets/${sheet.file}`,
    data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN_NS}" xmlns:r="${RELS_NS}"><sheetData>${sheet.sheetData}</sheetData></worksheet>`,
  }))
  const rels = options.sheets.map(
    (sheet, i) => `<Relationship Id="rId${i + 1}" Type="${RELS_NS}/worksheet" Target="worksheets/${sheet.file}"/>`,
  )
  if (options.styles) rels.push(`<Relationship Id="rIdS" Type="${RELS_NS}/styles" Target="styles.xml"/>`)
  if (options.sharedStrings) rels.push(`<Relationship Id="rIdT" Type="${RELS_NS}/sharedStrings" Target="sharedStrings.xml"/>`)
  return [
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    },
    // Sheets first, as Excel writes them: before the workbook's styles and shared strings.
    ...sheetParts.reverse(),
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN_NS}" xmlns:r="${RELS_NS}"><sheets>${options.sheets
        .map(
          (sheet, i) =>
            `<sheet name="${sheet.name}" sheetId="${i + 1}"${sheet.state ? ` state="${sheet.state}"` : ''} r:id="rId${i + 1}"/>`,
        )
        .join('')}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join(
        '',
      )}</Relationships>`,
    },
    ...(options.styles ? [{ name: 'xl/styles.xml', data: options.styles }] : []),
    ...(options.sharedStrings
      ? [
          {
            name: 'xl/sharedStrings.xml',
            data: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN_NS}">${options.sharedStrings
              .map((s) => `<si><t>${s}</t></si>`)
              .join('')}</sst>`,
          },
        ]
      : []),
  ]
}

/** An OLE2 compound file whose directory holds the given stream names: enough to look like
 * an old .xls ('Workbook') or a password-protected .xlsx ('EncryptionInfo', 'EncryptedPackage'). */
export function compoundFileBytes(streamNames: string[]): Buffer {
  const sector = 512
  const header = Buffer.alloc(sector)
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0)
  header.writeUInt16LE(0x3e, 0x18)
  header.writeUInt16LE(3, 0x1a)
  header.writeUInt16LE(0xfffe, 0x1c)
  header.writeUInt16LE(9, 0x1e)
  header.writeUInt16LE(6, 0x20)
  header.writeUInt32LE(1, 0x2c) // one FAT sector
  header.writeUInt32LE(1, 0x30) // directory starts at sector 1 (its second sector is 2)
  header.fill(0xff, 0x4c, sector)
  header.writeUInt32LE(0, 0x4c) // the FAT is sector 0
  const names = ['Root Entry', ...streamNames]
  const directorySectors = Math.ceil(names.length / 4)
  const fat = Buffer.alloc(sector, 0xff)
  fat.writeUInt32LE(0xfffffffd, 0) // sector 0: FAT
  for (let i = 0; i < directorySectors; i++) fat.writeUInt32LE(i === directorySectors - 1 ? 0xfffffffe : i + 2, (i + 1) * 4)
  const directory = Buffer.alloc(directorySectors * sector)
  names.forEach((name, i) => {
    const at = i * 128
    directory.write(name, at, 'utf16le')
    directory.writeUInt16LE((name.length + 1) * 2, at + 64)
    directory[at + 66] = i === 0 ? 5 : 2
  })
  return Buffer.concat([header, fat, directory, Buffer.alloc(sector * 4)])
}
