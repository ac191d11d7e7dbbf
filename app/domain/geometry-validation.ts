// The checks a drawn or uploaded territory shape goes through before it is stored: GeoJSON
// of the right kind, closed rings, few enough corners, no edge crossing another.
import type { Message } from '../i18n/index'
import { EPS, EPS2, locateInRing, near, paramAlong, segmentDistance2, side, MAX_VERTICES, type Geometry, type PolygonCoords, type Position, type Ring } from './geometry'
import { polygonsOverlapAt, properCrossing, segmentsOf, sweep, wound, type Segment } from './geometry-overlap'

// ---------------------------------------------------------------------------------------
// Validation

export type GeometryCheck = { ok: true; geometry: Geometry } | { ok: false; message: Message }

const fail = (key: Message['key'], params?: Message['params']): GeometryCheck => ({
  ok: false,
  message: params ? { key, params } : { key },
})

const round6 = (n: number) => Math.round(n * 1e6) / 1e6
const at = (p: Position) => ({ lng: round6(p[0]), lat: round6(p[1]) })

/**
 * Reads a territory shape drawn on the map or uploaded: GeoJSON text or an object, a
 * Polygon or MultiPolygon, or a Feature (or a FeatureCollection of exactly one) holding
 * one. Returns a clean copy: 2-D positions, repeated consecutive positions dropped, rings
 * closed, outer rings anticlockwise and holes clockwise (RFC 7946).
 *
 * Refused: positions that are not finite numbers or lie outside lng −180…180 / lat −90…90,
 * rings with fewer than 3 distinct corners, more than MAX_VERTICES positions, a ring that
 * crosses or touches itself, a hole crossing or lying outside its outer ring, and parts of a
 * MultiPolygon that overlap each other.
 */
export function validateGeometry(input: unknown): GeometryCheck {
  let value = input
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return fail('geo.notJson')
    }
  }
  if (!isObject(value)) return fail('geo.type', { type: describe(value) })
  if (value.type === 'FeatureCollection') {
    const features = Array.isArray(value.features) ? value.features : []
    if (features.length !== 1) return fail('geo.featureCount', { count: features.length })
    value = features[0]
    if (!isObject(value)) return fail('geo.structure')
  }
  if (value.type === 'Feature') {
    value = value.geometry
    if (value === null || value === undefined) return fail('geo.empty')
    if (!isObject(value)) return fail('geo.type', { type: describe(value) })
  }
  const type = value.type
  if (type !== 'Polygon' && type !== 'MultiPolygon') return fail('geo.type', { type: String(type) })
  const raw = value.coordinates
  if (!Array.isArray(raw)) return fail('geo.structure')
  const rawPolygons: unknown[] = type === 'Polygon' ? [raw] : raw
  if (rawPolygons.length === 0) return fail('geo.empty')

  // Count before any quadratic work.
  let count = 0
  for (const rawPolygon of rawPolygons) {
    if (!Array.isArray(rawPolygon)) return fail('geo.structure')
    if (rawPolygon.length === 0) return fail('geo.empty')
    for (const rawRing of rawPolygon) {
      if (!Array.isArray(rawRing)) return fail('geo.structure')
      count += rawRing.length
    }
  }
  if (count > MAX_VERTICES) return fail('geo.tooManyVertices', { count, max: MAX_VERTICES })

  const polygons: PolygonCoords[] = []
  let ringNumber = 0
  for (const rawPolygon of rawPolygons as unknown[][]) {
    const polygon: PolygonCoords = []
    for (const rawRing of rawPolygon as unknown[][]) {
      ringNumber++
      const ring: Ring = []
      for (const rawPosition of rawRing) {
        const position = readPosition(rawPosition)
        if ('key' in position) return { ok: false, message: position }
        const last = ring[ring.length - 1]
        if (!last || last[0] !== position[0] || last[1] !== position[1]) ring.push(position)
      }
      const first = ring[0]
      const last = ring[ring.length - 1]
      if (first && (first[0] !== last[0] || first[1] !== last[1])) ring.push([first[0], first[1]])
      if (ring.length < 4) return fail('geo.ringTooShort', { ring: ringNumber, count: Math.max(0, ring.length - 1) })
      polygon.push(ring)
    }
    polygons.push(wound(polygon))
  }

  for (const polygon of polygons) {
    const problem = checkPolygon(polygon)
    if (problem) return { ok: false, message: problem }
  }
  for (let i = 0; i < polygons.length; i++) {
    for (let j = i + 1; j < polygons.length; j++) {
      const overlapAt = polygonsOverlapAt(polygons[i], polygons[j])
      if (overlapAt) return fail('geo.partsOverlap', at(overlapAt))
    }
  }

  const geometry: Geometry =
    type === 'Polygon' ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons }
  return { ok: true, geometry }
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readPosition(raw: unknown): Position | Message {
  if (!Array.isArray(raw) || raw.length < 2) return { key: 'geo.structure' }
  const [lng, lat] = raw as unknown[]
  for (const n of [lng, lat]) {
    if (typeof n !== 'number' || !Number.isFinite(n)) return { key: 'geo.coordinate', params: { value: String(n) } }
  }
  const x = lng as number
  const y = lat as number
  if (x < -180 || x > 180) return { key: 'geo.lngRange', params: { value: x } }
  if (y < -90 || y > 90) return { key: 'geo.latRange', params: { value: y } }
  return [x, y]
}

/**
 * A ring may not cross or touch itself (neighbouring edges share only their common corner);
 * a hole may touch its outer ring or another hole at a point, but not cross it or run along
 * it, and must lie inside the outer ring.
 */
function checkPolygon(polygon: PolygonCoords): Message | undefined {
  const segs = segmentsOf(polygon)
  const clash = sweep(segs, null, (s, t) => {
    if (s.ring !== t.ring) return properCrossing(s, t) ?? sharedStretch(s, t)
    const gap = Math.abs(s.index - t.index)
    if (gap === 1 || gap === s.ringEdges - 1) {
      // Neighbours: they share a corner; they clash only if one doubles back along the other.
      const [shared, sFar, tFar] = near(s.b, t.a) ? [s.b, s.a, t.b] : near(t.b, s.a) ? [s.a, s.b, t.a] : [null, s.a, t.a]
      if (!shared) return undefined
      if (segmentDistance2(tFar, s.a, s.b) <= EPS2) return tFar
      if (segmentDistance2(sFar, t.a, t.b) <= EPS2) return sFar
      return undefined
    }
    return segmentsTouch(s, t)
  })
  if (clash) return { key: 'geo.selfIntersection', params: at(clash) }
  for (let h = 1; h < polygon.length; h++) {
    for (const vertex of polygon[h]) {
      if (locateInRing(polygon[0], vertex) === 'outside') return { key: 'geo.holeOutside', params: at(vertex) }
    }
  }
  return undefined
}

/** A point the two segments share, if any. */
function segmentsTouch(s: Segment, t: Segment): Position | undefined {
  const crossing = properCrossing(s, t)
  if (crossing) return crossing
  for (const p of [t.a, t.b]) if (segmentDistance2(p, s.a, s.b) <= EPS2) return p
  for (const p of [s.a, s.b]) if (segmentDistance2(p, t.a, t.b) <= EPS2) return p
  return undefined
}

/** The middle of the stretch two collinear segments share, if they share more than a point. */
function sharedStretch(s: Segment, t: Segment): Position | undefined {
  if (side(s.a, s.b, t.a) !== 0 || side(s.a, s.b, t.b) !== 0) return undefined
  const u = paramAlong(s.a, s.b, t.a)
  const v = paramAlong(s.a, s.b, t.b)
  const from = Math.max(0, Math.min(u, v))
  const to = Math.min(1, Math.max(u, v))
  const length = (to - from) * Math.hypot(s.b[0] - s.a[0], s.b[1] - s.a[1])
  if (length <= EPS) return undefined
  const mid = (from + to) / 2
  return [s.a[0] + mid * (s.b[0] - s.a[0]), s.a[1] + mid * (s.b[1] - s.a[1])]
}
