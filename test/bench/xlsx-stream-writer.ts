// A minimal XLSX written as it goes, for the import benchmark's million-row list: one sheet of
// inline strings, deflated part by part into a ZIP whose sizes follow each part (data
// descriptors), so memory stays flat whatever the row count. exceljs's streaming writer held
// the rows it had written (0241).
import fs from 'node:fs'
import { once } from 'node:events'
import { createDeflateRaw } from 'node:zlib'

const CRC_TABLE = (() => {
  const table = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c
  }
  return table
})()

function crc32(crc: number, bytes: Buffer): number {
  let c = ~crc
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}

interface Written {
  name: Buffer
  offset: number
  crc: number
  compressed: number
  size: number
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
const STATIC_PARTS: [string, string][] = [
  [
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  ],
  [
    '_rels/.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  ],
  [
    'xl/workbook.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  ],
  [
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
  ],
]

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function columnLetter(column: number): string {
  let letters = ''
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters
  return letters
}

/** Writes `rows` (the header first) as the workbook's one sheet; null cells are left out. */
export async function writeStreamedXlsx(file: string, rows: Iterable<(string | null)[]>): Promise<void> {
  const out = fs.createWriteStream(file)
  let offset = 0
  const write = async (bytes: Buffer) => {
    offset += bytes.length
    if (!out.write(bytes)) await once(out, 'drain')
  }
  const entries: Written[] = []

  const part = async (name: string, chunks: AsyncIterable<string> | Iterable<string>) => {
    const entry: Written = { name: Buffer.from(name, 'utf8'), offset, crc: 0, compressed: 0, size: 0 }
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0808, 6) // sizes after the data; UTF-8 names
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt16LE(entry.name.length, 26)
    await write(Buffer.concat([local, entry.name]))
    const deflate = createDeflateRaw({ level: 6 })
    const drained = (async () => {
      for await (const compressed of deflate as AsyncIterable<Buffer>) {
        entry.compressed += compressed.length
        await write(compressed)
      }
    })()
    for await (const text of chunks) {
      const bytes = Buffer.from(text, 'utf8')
      entry.crc = crc32(entry.crc, bytes)
      entry.size += bytes.length
      if (!deflate.write(bytes)) await once(deflate, 'drain')
    }
    deflate.end()
    await drained
    const descriptor = Buffer.alloc(16)
    descriptor.writeUInt32LE(0x08074b50, 0)
    descriptor.writeUInt32LE(entry.crc, 4)
    descriptor.writeUInt32LE(entry.compressed, 8)
    descriptor.writeUInt32LE(entry.size, 12)
    await write(descriptor)
    entries.push(entry)
  }

  for (const [name, xml] of STATIC_PARTS) await part(name, [xml])
  await part('xl/worksheets/sheet1.xml', sheetXml(rows))

  const directoryStart = offset
  for (const entry of entries) {
    const header = Buffer.alloc(46)
    header.writeUInt32LE(0x02014b50, 0)
    header.writeUInt16LE(20, 4)
    header.writeUInt16LE(20, 6)
    header.writeUInt16LE(0x0808, 8)
    header.writeUInt16LE(8, 10)
    header.writeUInt32LE(entry.crc, 16)
    header.writeUInt32LE(entry.compressed, 20)
    header.writeUInt32LE(entry.size, 24)
    header.writeUInt16LE(entry.name.length, 28)
    header.writeUInt32LE(entry.offset, 42)
    await write(Buffer.concat([header, entry.name]))
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(offset - directoryStart, 12)
  end.writeUInt32LE(directoryStart, 16)
  await write(end)
  out.end()
  await once(out, 'finish')
}

function* sheetXml(rows: Iterable<(string | null)[]>): Generator<string> {
  let chunk = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${NS}"><sheetData>`
  let r = 0
  for (const cells of rows) {
    r++
    chunk += `<row r="${r}">`
    cells.forEach((cell, i) => {
      if (cell !== null) chunk += `<c r="${columnLetter(i + 1)}${r}" t="inlineStr"><is><t>${escapeXml(cell)}</t></is></c>`
    })
    chunk += '</row>'
    if (chunk.length > 256 * 1024) {
      yield chunk
      chunk = ''
    }
  }
  yield chunk + '</sheetData></worksheet>'
}
