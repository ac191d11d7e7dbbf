import { describe, expect, it } from 'vitest'
import { MAX_VERTICES, bboxContains, bboxOf, bboxesIntersect, pointInGeometry, ringArea, type Geometry, type Position, type Ring } from '../../app/domain/geometry'
import { geometriesOverlap } from '../../app/domain/geometry-overlap'
import { validateGeometry } from '../../app/domain/geometry-validation'
import { translator } from '../../app/i18n/index'

/** An axis-aligned rectangle, anticlockwise and closed. */
const rect = (west: number, south: number, east: number, north: number): Ring => [
  [west, south],
  [east, south],
  [east, north],
  [west, north],
  [west, south],
]
const polygon = (...rings: Ring[]): Geometry => ({ type: 'Polygon', coordinates: rings })
const clockwise = (ring: Ring): Ring => [...ring].reverse()

describe('bounding boxes', () => {
  it('spans the outer rings of every part', () => {
    const g: Geometry = { type: 'MultiPolygon', coordinates: [[rect(0, 0, 1, 1)], [rect(5, -2, 6, 3)]] }
    expect(bboxOf(g)).toEqual({ west: 0, south: -2, east: 6, north: 3 })
  })

  it('counts edges as inside, and touching boxes as intersecting', () => {
    const box = { west: 0, south: 0, east: 2, north: 2 }
    expect(bboxContains(box, 2, 1)).toBe(true)
    expect(bboxContains(box, 2.0001, 1)).toBe(false)
    expect(bboxesIntersect(box, { west: 2, south: 2, east: 3, north: 3 })).toBe(true)
    expect(bboxesIntersect(box, { west: 2.5, south: 0, east: 3, north: 1 })).toBe(false)
  })

  it('gives planar ring area, positive when anticlockwise', () => {
    expect(ringArea(rect(0, 0, 2, 3))).toBe(6)
    expect(ringArea(clockwise(rect(0, 0, 2, 3)))).toBe(-6)
  })
})

describe('pointInGeometry', () => {
  const square = polygon(rect(0, 0, 10, 10))
  const withHole = polygon(rect(0, 0, 10, 10), clockwise(rect(3, 3, 7, 7)))

  it('finds points inside and outside', () => {
    expect(pointInGeometry(square, 5, 5)).toBe(true)
    expect(pointInGeometry(square, 11, 5)).toBe(false)
    expect(pointInGeometry(square, 5, -0.001)).toBe(false)
  })

  it('counts a point on an edge or a vertex as inside', () => {
    expect(pointInGeometry(square, 10, 5)).toBe(true)
    expect(pointInGeometry(square, 5, 0)).toBe(true)
    expect(pointInGeometry(square, 0, 0)).toBe(true)
    expect(pointInGeometry(square, 10, 10)).toBe(true)
    // On a slanted edge too, including a float a hair off it.
    const triangle = polygon([[0, 0], [1, 0], [0, 1], [0, 0]])
    expect(pointInGeometry(triangle, 0.3, 0.7)).toBe(true)
    expect(pointInGeometry(triangle, 0.1 + 0.2, 0.7)).toBe(true)
    expect(pointInGeometry(triangle, 0.3001, 0.7)).toBe(false)
  })

  it('puts a point on a border shared by two territories in both', () => {
    const west = polygon(rect(0, 0, 1, 1))
    const east = polygon(rect(1, 0, 2, 1))
    expect(pointInGeometry(west, 1, 0.5)).toBe(true)
    expect(pointInGeometry(east, 1, 0.5)).toBe(true)
  })

  it('leaves out points in a hole, but keeps those on the hole’s edge', () => {
    expect(pointInGeometry(withHole, 5, 5)).toBe(false)
    expect(pointInGeometry(withHole, 2, 5)).toBe(true)
    expect(pointInGeometry(withHole, 3, 5)).toBe(true)
    expect(pointInGeometry(withHole, 7, 7)).toBe(true)
  })

  it('is not fooled when the ray passes through vertices', () => {
    const diamond = polygon([[0, -1], [1, 0], [0, 1], [-1, 0], [0, -1]])
    expect(pointInGeometry(diamond, -0.5, 0)).toBe(true)
    expect(pointInGeometry(diamond, -2, 0)).toBe(false)
    expect(pointInGeometry(diamond, 2, 0)).toBe(false)
    // A concave shape whose reflex vertex sits on the ray.
    const notch = polygon([[0, 0], [4, 0], [4, 4], [2, 2], [0, 4], [0, 0]])
    expect(pointInGeometry(notch, 1, 2)).toBe(true)
    expect(pointInGeometry(notch, 2, 3)).toBe(false)
    expect(pointInGeometry(notch, -1, 2)).toBe(false)
  })

  it('looks in every part of a MultiPolygon', () => {
    const g: Geometry = { type: 'MultiPolygon', coordinates: [[rect(0, 0, 1, 1)], [rect(5, 5, 6, 6)]] }
    expect(pointInGeometry(g, 5.5, 5.5)).toBe(true)
    expect(pointInGeometry(g, 0.5, 0.5)).toBe(true)
    expect(pointInGeometry(g, 3, 3)).toBe(false)
  })

  it('works at real coordinates', () => {
    const township = polygon([[116.30, 39.90], [116.42, 39.88], [116.45, 39.97], [116.33, 39.99], [116.30, 39.90]])
    expect(pointInGeometry(township, 116.397428, 39.90923)).toBe(true)
    expect(pointInGeometry(township, 116.5, 39.9)).toBe(false)
  })
})

describe('validateGeometry', () => {
  const en = translator('en')
  const failure = (input: unknown) => {
    const result = validateGeometry(input)
    if (result.ok) throw new Error('expected a failure')
    return result.message
  }

  it('accepts a polygon and returns it closed, 2-D, wound anticlockwise outside and clockwise in holes', () => {
    const result = validateGeometry({
      type: 'Polygon',
      coordinates: [
        [[0, 0, 12], [0, 10], [10, 10], [10, 10], [10, 0]],
        [[3, 3], [7, 3], [7, 7], [3, 7], [3, 3]],
      ],
    })
    // The outer ring came clockwise and open-ended with a repeated corner; the hole anticlockwise.
    expect(result).toEqual({
      ok: true,
      geometry: { type: 'Polygon', coordinates: [rect(0, 0, 10, 10), clockwise(rect(3, 3, 7, 7))] },
    })
  })

  it('reads GeoJSON text, a Feature, and a FeatureCollection of one', () => {
    const geometry = { type: 'Polygon', coordinates: [rect(0, 0, 1, 1)] }
    expect(validateGeometry(JSON.stringify(geometry))).toEqual({ ok: true, geometry })
    expect(validateGeometry({ type: 'Feature', properties: {}, geometry })).toEqual({ ok: true, geometry })
    expect(
      validateGeometry({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: null, geometry }] }),
    ).toEqual({ ok: true, geometry })
    expect(failure({ type: 'FeatureCollection', features: [] })).toEqual({ key: 'geo.featureCount', params: { count: 0 } })
  })

  it('accepts a MultiPolygon whose parts touch', () => {
    const geometry = { type: 'MultiPolygon', coordinates: [[rect(0, 0, 1, 1)], [rect(1, 0, 2, 1)], [rect(2, 1, 3, 2)]] }
    expect(validateGeometry(geometry)).toEqual({ ok: true, geometry })
  })

  it('refuses what is not a Polygon or MultiPolygon', () => {
    expect(failure('{"type": "Polygon",')).toEqual({ key: 'geo.notJson' })
    expect(failure({ type: 'Point', coordinates: [116, 39] })).toEqual({ key: 'geo.type', params: { type: 'Point' } })
    expect(failure(42)).toEqual({ key: 'geo.type', params: { type: 'number' } })
    expect(failure(null)).toEqual({ key: 'geo.type', params: { type: 'null' } })
    expect(failure({ type: 'Feature', geometry: null })).toEqual({ key: 'geo.empty' })
    expect(failure({ type: 'Polygon', coordinates: [] })).toEqual({ key: 'geo.empty' })
    expect(failure({ type: 'MultiPolygon', coordinates: [] })).toEqual({ key: 'geo.empty' })
    expect(failure({ type: 'Polygon', coordinates: [[0, 0], [1, 0], [1, 1], [0, 0]] })).toEqual({ key: 'geo.structure' })
    expect(failure({ type: 'Polygon', coordinates: 'nope' })).toEqual({ key: 'geo.structure' })
  })

  it('refuses coordinates that are not finite numbers or are out of range', () => {
    expect(failure({ type: 'Polygon', coordinates: [[[0, 0], ['1', 0], [1, 1], [0, 0]]] })).toEqual({
      key: 'geo.coordinate',
      params: { value: '1' },
    })
    expect(failure({ type: 'Polygon', coordinates: [[[0, 0], [NaN, 0], [1, 1], [0, 0]]] })).toEqual({
      key: 'geo.coordinate',
      params: { value: 'NaN' },
    })
    expect(failure({ type: 'Polygon', coordinates: [[[0, 0], [181, 0], [1, 1], [0, 0]]] })).toEqual({
      key: 'geo.lngRange',
      params: { value: 181 },
    })
    expect(failure({ type: 'Polygon', coordinates: [[[0, 0], [1, -90.5], [1, 1], [0, 0]]] })).toEqual({
      key: 'geo.latRange',
      params: { value: -90.5 },
    })
  })

  it('closes an open ring but refuses one with fewer than 3 distinct corners', () => {
    const result = validateGeometry({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1]]] })
    expect(result).toEqual({ ok: true, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } })
    expect(failure({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] })).toEqual({
      key: 'geo.ringTooShort',
      params: { ring: 1, count: 2 },
    })
    expect(failure({ type: 'Polygon', coordinates: [rect(0, 0, 9, 9), [[1, 1], [2, 2], [2, 2], [1, 1]]] })).toEqual({
      key: 'geo.ringTooShort',
      params: { ring: 2, count: 2 },
    })
  })

  it('refuses more than MAX_VERTICES positions before doing any heavy checking', () => {
    const ring: Position[] = Array.from({ length: MAX_VERTICES + 1 }, (_, i) => [i * 0.001, (i % 2) * 0.001])
    expect(failure({ type: 'Polygon', coordinates: [ring] })).toEqual({
      key: 'geo.tooManyVertices',
      params: { count: MAX_VERTICES + 1, max: MAX_VERTICES },
    })
  })

  it('accepts a detailed boundary just under the limit', () => {
    const n = MAX_VERTICES - 1
    const circle: Position[] = Array.from({ length: n }, (_, i) => [
      116 + 0.1 * Math.cos((2 * Math.PI * i) / n),
      39 + 0.1 * Math.sin((2 * Math.PI * i) / n),
    ])
    const result = validateGeometry({ type: 'Polygon', coordinates: [circle] })
    expect(result.ok).toBe(true)
  })

  it('refuses a ring that crosses itself, and says where', () => {
    const bowTie = [[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]
    expect(failure({ type: 'Polygon', coordinates: [bowTie] })).toEqual({
      key: 'geo.selfIntersection',
      params: { lng: 1, lat: 1 },
    })
  })

  it('refuses a ring that touches itself or doubles back along an edge', () => {
    const figureEight = [[0, 0], [1, 1], [2, 0], [2, 2], [1, 1], [0, 2], [0, 0]]
    expect(failure({ type: 'Polygon', coordinates: [figureEight] })).toMatchObject({ key: 'geo.selfIntersection', params: { lng: 1, lat: 1 } })
    const spike = [[0, 0], [4, 0], [4, 4], [4, 6], [4, 5], [0, 4], [0, 0]]
    expect(failure({ type: 'Polygon', coordinates: [spike] })).toMatchObject({ key: 'geo.selfIntersection' })
    const flat = [[0, 0], [1, 0], [2, 0], [0, 0]]
    expect(failure({ type: 'Polygon', coordinates: [flat] })).toMatchObject({ key: 'geo.selfIntersection' })
  })

  it('refuses a hole that crosses or lies outside its outer ring', () => {
    expect(failure({ type: 'Polygon', coordinates: [rect(0, 0, 10, 10), rect(8, 4, 12, 6)] })).toMatchObject({
      key: 'geo.selfIntersection',
    })
    expect(failure({ type: 'Polygon', coordinates: [rect(0, 0, 10, 10), rect(20, 20, 21, 21)] })).toEqual({
      key: 'geo.holeOutside',
      params: { lng: 20, lat: 20 },
    })
  })

  it('lets a hole touch its outer ring at a point but not run along it', () => {
    expect(validateGeometry({ type: 'Polygon', coordinates: [rect(0, 0, 10, 10), [[0, 5], [4, 4], [4, 6], [0, 5]]] }).ok).toBe(true)
    expect(failure({ type: 'Polygon', coordinates: [rect(0, 0, 10, 10), rect(0, 2, 4, 6)] })).toEqual({
      key: 'geo.selfIntersection',
      params: { lng: 0, lat: 4 },
    })
  })

  it('refuses a MultiPolygon whose parts overlap', () => {
    expect(failure({ type: 'MultiPolygon', coordinates: [[rect(0, 0, 2, 2)], [rect(1, 1, 3, 3)]] })).toMatchObject({
      key: 'geo.partsOverlap',
    })
  })

  it('has every message in both languages', () => {
    const message = failure({ type: 'Polygon', coordinates: [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]] })
    expect(en(message.key, message.params)).toBe('The boundary crosses itself near 1, 1.')
    expect(translator('zh-CN')(message.key, message.params)).toBe('边界在 1, 1 附近自相交。')
  })
})

describe('geometriesOverlap', () => {
  const square = polygon(rect(0, 0, 2, 2))
  const both = (a: Geometry, b: Geometry) => {
    const ab = geometriesOverlap(a, b)
    const ba = geometriesOverlap(b, a)
    expect(ba.overlap, 'symmetric').toBe(ab.overlap)
    if (ab.at) {
      // The point shown lies in (or on the edge of) both shapes.
      expect(pointInGeometry(a, ab.at[0], ab.at[1])).toBe(true)
      expect(pointInGeometry(b, ab.at[0], ab.at[1])).toBe(true)
    }
    return ab
  }

  it('sees no overlap between shapes far apart, or apart though their boxes meet', () => {
    expect(both(square, polygon(rect(5, 5, 6, 6)))).toEqual({ overlap: false })
    const ell = polygon([[0, 0], [4, 0], [4, 1], [1, 1], [1, 4], [0, 4], [0, 0]])
    expect(both(ell, polygon(rect(2, 2, 3, 3)))).toEqual({ overlap: false })
  })

  it('lets neighbours share an edge, part of an edge, or a corner', () => {
    expect(both(square, polygon(rect(2, 0, 4, 2)))).toEqual({ overlap: false })
    expect(both(square, polygon(rect(2, 0.5, 3, 1.5)))).toEqual({ overlap: false })
    expect(both(square, polygon(rect(2, 1, 3, 3)))).toEqual({ overlap: false })
    expect(both(square, polygon(rect(2, 2, 3, 3)))).toEqual({ overlap: false })
    // A vertex of one resting on the middle of the other's edge.
    expect(both(square, polygon([[1, 2], [2, 3], [0, 3], [1, 2]]))).toEqual({ overlap: false })
  })

  it('lets neighbours share a border drawn with different vertices', () => {
    const west = polygon([[0, 0], [1, 0], [1.5, 1], [1, 2], [0, 2], [0, 0]])
    // The same border, with an extra vertex halfway along one of its edges.
    const east = polygon([[1, 0], [3, 0], [3, 2], [1, 2], [1.5, 1], [1.25, 0.5], [1, 0]])
    expect(both(west, east)).toEqual({ overlap: false })
  })

  it('finds edges crossing, at a crossing point', () => {
    const result = both(square, polygon(rect(1, 1, 3, 3)))
    expect(result.overlap).toBe(true)
    expect([[2, 1], [1, 2]]).toContainEqual(result.at)
    const plus = both(polygon(rect(0, 1, 3, 2)), polygon(rect(1, 0, 2, 3)))
    expect(plus.overlap).toBe(true)
  })

  it('finds one shape wholly inside another, at one of its vertices', () => {
    expect(both(square, polygon(rect(0.5, 0.5, 1, 1)))).toMatchObject({ overlap: true })
    expect(geometriesOverlap(square, polygon(rect(0.5, 0.5, 1, 1))).at).toEqual([0.5, 0.5])
  })

  it('finds containment even when the inner shape touches the outer boundary everywhere it can', () => {
    // Every vertex of the triangle lies on the square's boundary, none of its edges on it.
    expect(both(square, polygon([[0, 1], [1, 0], [2, 1], [0, 1]]))).toEqual({ overlap: true, at: [0.5, 0.5] })
    // Two edges on the square's boundary, the diagonal inside.
    expect(both(square, polygon([[0, 0], [2, 0], [2, 2], [0, 0]])).overlap).toBe(true)
    // A shape inside, sharing a whole edge with the outer one.
    expect(both(square, polygon(rect(0, 0, 1, 2))).overlap).toBe(true)
  })

  it('finds identical shapes overlapping, whichever way they are wound', () => {
    expect(both(square, polygon(rect(0, 0, 2, 2))).overlap).toBe(true)
    expect(both(square, polygon(clockwise(rect(0, 0, 2, 2)))).overlap).toBe(true)
  })

  it('sees no overlap with a territory inside another’s hole, even one filling it exactly', () => {
    const ring = polygon(rect(0, 0, 10, 10), clockwise(rect(3, 3, 7, 7)))
    expect(both(ring, polygon(rect(4, 4, 6, 6)))).toEqual({ overlap: false })
    expect(both(ring, polygon(rect(3, 3, 7, 7)))).toEqual({ overlap: false })
    expect(both(ring, polygon(rect(3, 3, 5, 7)))).toEqual({ overlap: false })
  })

  it('finds overlap with a territory reaching out of the hole', () => {
    const ring = polygon(rect(0, 0, 10, 10), clockwise(rect(3, 3, 7, 7)))
    expect(both(ring, polygon(rect(4, 4, 8, 6))).overlap).toBe(true)
    // Filling the hole and sharing its edge, plus a strip of the ring around it.
    expect(both(ring, polygon(rect(3, 3, 7, 8))).overlap).toBe(true)
  })

  it('checks every part of a MultiPolygon', () => {
    const parts: Geometry = { type: 'MultiPolygon', coordinates: [[rect(10, 10, 11, 11)], [rect(1, 1, 3, 3)]] }
    expect(both(square, parts).overlap).toBe(true)
    const apart: Geometry = { type: 'MultiPolygon', coordinates: [[rect(10, 10, 11, 11)], [rect(2, 0, 3, 1)]] }
    expect(both(square, apart)).toEqual({ overlap: false })
  })

  it('decides quickly for detailed boundaries', () => {
    const circle = (cx: number, n: number): Geometry =>
      polygon([
        ...Array.from({ length: n }, (_, i): Position => [cx + Math.cos((2 * Math.PI * i) / n), Math.sin((2 * Math.PI * i) / n)]),
        [cx + 1, 0],
      ])
    const started = Date.now()
    expect(geometriesOverlap(circle(0, 2000), circle(3, 2000))).toEqual({ overlap: false })
    expect(geometriesOverlap(circle(0, 2000), circle(1.5, 2000)).overlap).toBe(true)
    expect(geometriesOverlap(circle(0, 2000), circle(0, 1999)).overlap).toBe(true)
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
