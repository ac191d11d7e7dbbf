// ZIP, for XLSX: the central directory is read first, so a bomb is refused before anything
// inflates, and each part is inflated from its own offset (no temporary files, parts in
// the order we need them) with a byte count that stops an entry that lies about its size.
import { createReadStream } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { createInflateRaw } from 'node:zlib'
import { GB, MB, readAt, TableError } from './table-types.server'

export interface ZipEntry {
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

export function maxInflatedBytes(fileSize: number) {
  return Math.max(GB, 100 * fileSize)
}

export async function readZipDirectory(handle: FileHandle, size: number): Promise<Map<string, ZipEntry>> {
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

export function checkZipBomb(entries: Map<string, ZipEntry>, fileSize: number) {
  let total = 0
  for (const entry of entries.values()) {
    total += entry.uncompressedSize
    if (entry.uncompressedSize > RATIO_CHECKED_FROM_BYTES && entry.uncompressedSize > MAX_ENTRY_RATIO * Math.max(entry.compressedSize, 1)) {
      throw new TableError('file.zipBomb')
    }
  }
  if (total > maxInflatedBytes(fileSize)) throw new TableError('file.zipBomb')
}

export interface Budget {
  left: number
}

/** Where an entry's data starts (after its local header), checked against the file. */
export async function entryDataStart(handle: FileHandle, entry: ZipEntry, size: number): Promise<number> {
  const local = await readAt(handle, entry.localHeaderOffset, 30)
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new TableError('file.corrupt')
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
  if (start + entry.compressedSize > size) throw new TableError('file.corrupt')
  if (entry.flags & 0x1 || (entry.method !== 0 && entry.method !== 8)) throw new TableError('file.corrupt')
  return start
}

/** The entry inflated and counted; `forExceljs` also rewrites prefixed elements, which exceljs's parsers cannot take. */
export function openEntry(filePath: string, entry: ZipEntry, start: number, budget: Budget, forExceljs: boolean): Readable {
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
  const streams: (Readable | Transform)[] = entry.method === 8 ? [raw, createInflateRaw(), counted] : [raw, counted]
  if (forExceljs) streams.push(new UnprefixedXml())
  pipeline(streams as [Readable, ...Transform[]], () => {
    // Errors reach the reader through the last stream; an early close is not an error.
  })
  return streams.at(-1) as Readable
}

export const SPREADSHEET_NAMESPACE =
  /xmlns:([\w.-]+)\s*=\s*["'](?:http:\/\/schemas\.openxmlformats\.org\/spreadsheetml\/2006\/main|http:\/\/purl\.oclc\.org\/ooxml\/spreadsheetml\/main)["']/

/** Drops the prefix valid SpreadsheetML may put on its elements (`<x:row>`, as the
 * OpenXML SDK writes), which exceljs's parsers cannot take. Element text never holds a raw
 * '<', so tags can be found in the text as it streams. */
class UnprefixedXml extends Transform {
  private readonly decoder = new StringDecoder('utf8')
  private carry = ''
  private prefix: string | null | undefined

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
    return this.prefix ? text.replaceAll(`<${this.prefix}:`, '<').replaceAll(`</${this.prefix}:`, '</') : text
  }
}
