import { describe, expect, it } from 'vitest'
import { townshipAreas } from '../../db/seed/geography'
import { TOWNSHIP_NAMES } from '../../db/seed/names'
import { createRandom } from '../../db/seed/random'

const box = { west: 114.3, south: 33.58, east: 114.76, north: 33.98 }

function ringArea(ring: number[][]): number {
  let sum = 0
  for (let i = 0; i < ring.length - 1; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
  return Math.abs(sum) / 2
}

describe('demo township boundaries', () => {
  const areas = townshipAreas(createRandom(1), { code: '411622', box }, TOWNSHIP_NAMES.slice(0, 13))

  it('makes 13 townships with distinct 9-digit codes under the county', () => {
    expect(areas).toHaveLength(13)
    expect(new Set(areas.map((a) => a.code)).size).toBe(13)
    for (const a of areas) {
      expect(a.code).toMatch(/^411622\d{3}$/)
      expect(a.parent_code).toBe('411622')
    }
  })

  it('tiles the county: the townships cover its area exactly, each centre inside its own boundary', () => {
    const total = areas.reduce((sum, a) => sum + ringArea(JSON.parse(a.boundary!).coordinates[0]), 0)
    expect(total).toBeCloseTo((box.east - box.west) * (box.north - box.south), 6)
    for (const a of areas) {
      const ring: number[][] = JSON.parse(a.boundary!).coordinates[0]
      const lngs = ring.map((p) => p[0])
      const lats = ring.map((p) => p[1])
      expect(a.centre_lng!).toBeGreaterThan(Math.min(...lngs))
      expect(a.centre_lng!).toBeLessThan(Math.max(...lngs))
      expect(a.centre_lat!).toBeGreaterThan(Math.min(...lats))
      expect(a.centre_lat!).toBeLessThan(Math.max(...lats))
    }
  })

  it('is deterministic for a seed and differs for another', () => {
    const again = townshipAreas(createRandom(1), { code: '411622', box }, TOWNSHIP_NAMES.slice(0, 13))
    const other = townshipAreas(createRandom(2), { code: '411622', box }, TOWNSHIP_NAMES.slice(0, 13))
    expect(again).toEqual(areas)
    expect(other.map((a) => a.boundary)).not.toEqual(areas.map((a) => a.boundary))
  })
})
