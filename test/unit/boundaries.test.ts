import { describe, expect, it } from 'vitest'
import { centroidOf, checkBoundaryFile, normaliseCode } from '../../app/domain/boundaries'

const known = new Set(['410225', '410225101', '410225102', '410225103'])
const square = (x: number, y: number, d: number): [number, number][][] => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]
const feature = (properties: Record<string, unknown>, geometry: unknown) => ({ type: 'Feature', properties, geometry })

describe('checking a boundary file feature by feature', () => {
  it('stores every feature of a good file with its centroid, finding the code property by itself', () => {
    const file = {
      type: 'FeatureCollection',
      features: [
        feature({ adcode: 410225101, name: '堌阳镇' }, { type: 'Polygon', coordinates: square(114.8, 34.8, 0.1) }),
        feature({ adcode: '410225102000' }, { type: 'MultiPolygon', coordinates: [square(115, 34.9, 0.1), square(115.2, 34.9, 0.1)] }),
      ],
    }
    const checked = checkBoundaryFile(file, known, null)
    expect(checked.ok).toBe(true)
    if (!checked.ok) return
    expect(checked.property).toBe('adcode')
    expect(checked.features.map((f) => f.code)).toEqual(['410225101', '410225102'])
    expect(checked.features[0].centre).toEqual({ lng: 114.85, lat: 34.85 })
    expect(checked.features[1].centre).toEqual({ lng: 115.15, lat: 34.95 })
  })

  it('reports each bad feature with its place, its code and why', () => {
    const file = {
      type: 'FeatureCollection',
      features: [
        feature({ code: '410225101' }, { type: 'Polygon', coordinates: square(114.8, 34.8, 0.1) }),
        feature({ code: '410225999' }, { type: 'Polygon', coordinates: square(114.8, 34.8, 0.1) }),
        feature({ code: '410225102' }, { type: 'Polygon', coordinates: [[[114.8, 34.8], [114.9, 34.8], [114.9, 34.9], [114.8, 34.9]]] }),
        feature({ code: '410225' }, { type: 'Polygon', coordinates: [[[200, 34.8], [114.9, 34.8], [114.9, 34.9], [200, 34.8]]] }),
        feature({ code: '410225101' }, { type: 'Polygon', coordinates: square(114.8, 34.8, 0.1) }),
        feature({ code: '410225103' }, { type: 'LineString', coordinates: [[114.8, 34.8], [114.9, 34.9]] }),
        feature({ name: 'no code' }, { type: 'Polygon', coordinates: square(114.8, 34.8, 0.1) }),
      ],
    }
    const checked = checkBoundaryFile(file, known, 'code')
    expect(checked.ok).toBe(false)
    if (checked.ok) return
    expect(checked.good).toBe(1)
    expect(checked.errors.map((e) => [e.feature, e.code, e.message.key])).toEqual([
      [2, '410225999', 'boundaries.unknownCode'],
      [3, '410225102', 'boundaries.openRing'],
      [4, '410225', 'boundaries.outOfRange'],
      [5, '410225101', 'boundaries.duplicate'],
      [6, '410225103', 'boundaries.badType'],
      [7, null, 'boundaries.noCode'],
    ])
  })

  it('refuses a file that is not a FeatureCollection, or whose codes sit in no known property', () => {
    expect(checkBoundaryFile({ type: 'Feature' }, known, null)).toMatchObject({ ok: false, fileError: { key: 'boundaries.notCollection' } })
    const unnamed = { type: 'FeatureCollection', features: [feature({ id_x: '410225101' }, { type: 'Polygon', coordinates: square(1, 1, 1) })] }
    expect(checkBoundaryFile(unnamed, known, null)).toMatchObject({ ok: false, fileError: { key: 'boundaries.noCodeProperty' } })
    expect(checkBoundaryFile(unnamed, known, 'id_x').ok).toBe(true)
  })

  it('reads codes as files write them: numbers, the 156 country prefix, a zero tail', () => {
    expect(normaliseCode(410225, known)).toBe('410225')
    expect(normaliseCode('156410225', known)).toBe('410225')
    expect(normaliseCode('410225101000', known)).toBe('410225101')
    expect(normaliseCode(null, known)).toBeNull()
  })

  it('a hole moves the centroid away from it', () => {
    const c = centroidOf({ type: 'Polygon', coordinates: [square(0, 0, 4)[0], [[0, 0], [0, 2], [2, 2], [2, 0], [0, 0]]] })
    expect(c.lng).toBeGreaterThan(2)
    expect(c.lat).toBeGreaterThan(2)
  })
})
