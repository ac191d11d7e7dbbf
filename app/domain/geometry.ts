// Territory shapes (PRODUCT.md "Territories", "Maps"): GeoJSON Polygon and MultiPolygon in
// WGS-84 [lng, lat], treated as planar in degrees. That is exact enough for the questions
// asked here (is a point inside, do two shapes overlap) at county scale; shapes crossing
// the antimeridian are not supported (China is far from it).
import type { Message } from '../i18n/index'

export type Position = [number, number]
/** A closed ring: the last position repeats the first. */
export type Ring = Position[]
/** The outer ring, then any holes. */
export type PolygonCoords = Ring[]
export type Geometry =
  | { type: 'Polygon'; coordinates: PolygonCoords }
  | { type: 'MultiPolygon'; coordinates: PolygonCoords[] }

export interface BBox {
  west: number
  south: number
  east: number
  north: number
}

/** Most corners a drawn or uploaded territory may have; the O(n²)-ish checks stay quick. */
export const MAX_VERTICES = 5000

/**
 * How close (in degrees, about 0.1 mm) a point must be to a line to count as on it, so that
 * a border vertex copied into a neighbouring shape through a float round trip still lands
 * on the border.
 */
const EPS = 1e-9
const EPS2 = EPS * EPS

export function polygonsOf(geometry: Geometry): PolygonCoords[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
}

// ---------------------------------------------------------------------------------------
// Bounding boxes

/** The box around the outer rings (holes lie inside them). Empty geometry: an inverted box. */
export function bboxOf(geometry: Geometry): BBox {
  const box = { west: Infinity, south: Infinity, east: -Infinity, north: -Infinity }
  for (const polygon of polygonsOf(geometry)) extendBBox(box, polygon[0] ?? [])
  return box
}

function extendBBox(box: BBox, ring: Ring): BBox {
  for (const [x, y] of ring) {
    if (x < box.west) box.west = x
    if (x > box.east) box.east = x
    if (y < box.south) box.south = y
    if (y > box.north) box.north = y
  }
  return box
}

/** Edges included. */
export function bboxContains(bbox: BBox, lng: number, lat: number): boolean {
  return lng >= bbox.west && lng <= bbox.east && lat >= bbox.south && lat <= bbox.north
}

/** Boxes that only touch along an edge or at a corner intersect too. */
export function bboxesIntersect(a: BBox, b: BBox): boolean {
  return a.west <= b.east && b.west <= a.east && a.south <= b.north && b.south <= a.north
}

// ---------------------------------------------------------------------------------------
// Planar primitives

/** Twice the signed area of triangle a, b, c: > 0 when c lies left of a→b. */
function cross(a: Position, b: Position, c: Position): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/** Which side of the line a→b the point p lies on: 1 left, −1 right, 0 within EPS of it. */
function side(a: Position, b: Position, p: Position): -1 | 0 | 1 {
  const c = cross(a, b, p)
  const length = Math.hypot(b[0] - a[0], b[1] - a[1])
  if (Math.abs(c) <= EPS * length) return 0
  return c > 0 ? 1 : -1
}

/** Squared distance from p to the segment a–b. */
function segmentDistance2(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const length2 = dx * dx + dy * dy
  let t = length2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
  t = Math.max(0, Math.min(1, t))
  const ex = a[0] + t * dx - p[0]
  const ey = a[1] + t * dy - p[1]
  return ex * ex + ey * ey
}

function near(p: Position, q: Position): boolean {
  const dx = p[0] - q[0]
  const dy = p[1] - q[1]
  return dx * dx + dy * dy <= EPS2
}

/** Where along a→b (0…1) the point p projects. */
function paramAlong(a: Position, b: Position, p: Position): number {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  return ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)
}

/** Planar signed area (shoelace) in square degrees: positive when the ring runs anticlockwise. */
export function ringArea(ring: Ring): number {
  let sum = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1])
  }
  return sum / 2
}

// ---------------------------------------------------------------------------------------
// Point in polygon

type Location = 'inside' | 'boundary' | 'outside'

/** Ray casting to the east; a point within EPS of an edge is on the boundary. */
function locateInRing(ring: Ring, p: Position): Location {
  const [x, y] = p
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]
    const b = ring[i]
    if (segmentDistance2(p, a, b) <= EPS2) return 'boundary'
    if (b[1] > y !== a[1] > y && x < ((a[0] - b[0]) * (y - b[1])) / (a[1] - b[1]) + b[0]) inside = !inside
  }
  return inside ? 'inside' : 'outside'
}

function locateInPolygon(polygon: PolygonCoords, p: Position): Location {
  const outer = locateInRing(polygon[0], p)
  if (outer !== 'inside') return outer
  for (let h = 1; h < polygon.length; h++) {
    const inHole = locateInRing(polygon[h], p)
    if (inHole === 'boundary') return 'boundary'
    if (inHole === 'inside') return 'outside'
  }
  return 'inside'
}

/**
 * Whether a position falls in a territory: inside the outer ring and not inside a hole; for
 * a MultiPolygon, inside any part.
 *
 * Boundary rule: a point on an edge or a vertex (of the outer ring or of a hole) counts as
 * inside, so a player standing exactly on a border is never left out of every territory.
 * The price: a point on a border shared by two territories is inside both. Callers that
 * need one answer take the first match in a stable order, the oldest territory first.
 */
export function pointInGeometry(geometry: Geometry, lng: number, lat: number): boolean {
  const p: Position = [lng, lat]
  for (const polygon of polygonsOf(geometry)) {
    const box = extendBBox({ west: Infinity, south: Infinity, east: -Infinity, north: -Infinity }, polygon[0] ?? [])
    if (lng < box.west - EPS || lng > box.east + EPS || lat < box.south - EPS || lat > box.north + EPS) continue
    if (locateInPolygon(polygon, p) !== 'outside') return true
  }
  return false
}

// ---------------------------------------------------------------------------------------
// Segments and a sweep over them

interface Segment {
  a: Position
  b: Position
  /** Which ring of its polygon the segment belongs to, and its index in that ring. */
  ring: number
  index: number
  /** Edges in the ring, to tell neighbouring edges apart. */
  ringEdges: number
  west: number
  east: number
  south: number
  north: number
  /** Points along a→b (0…1) where the other shape's vertices touch this edge. */
  splits: number[]
}

function segmentsOf(polygon: PolygonCoords): Segment[] {
  const out: Segment[] = []
  polygon.forEach((ring, r) => {
    const edges = ring.length - 1
    for (let i = 0; i < edges; i++) {
      const a = ring[i]
      const b = ring[i + 1]
      if (a[0] === b[0] && a[1] === b[1]) continue
      out.push({
        a,
        b,
        ring: r,
        index: i,
        ringEdges: edges,
        west: Math.min(a[0], b[0]),
        east: Math.max(a[0], b[0]),
        south: Math.min(a[1], b[1]),
        north: Math.max(a[1], b[1]),
        splits: [],
      })
    }
  })
  return out
}

/**
 * Calls visit for every pair of segments (one from each list, or two from one list when
 * the lists are the same) whose boxes, widened by EPS, meet. Sorting by west edge keeps
 * this near O(n log n) for ordinary shapes. Stops when visit returns a value.
 */
function sweep<T>(
  first: Segment[],
  second: Segment[] | null,
  visit: (s: Segment, t: Segment) => T | undefined,
): T | undefined {
  const items = [...first.map((s) => ({ s, set: 0 })), ...(second ?? []).map((s) => ({ s, set: 1 }))]
  items.sort((p, q) => p.s.west - q.s.west)
  const active: Segment[][] = [[], []]
  for (const { s, set } of items) {
    const others = second ? active[1 - set] : active[0]
    for (let k = 0; k < 2; k++) {
      const list = active[k]
      let kept = 0
      for (const t of list) if (t.east >= s.west - EPS) list[kept++] = t
      list.length = kept
    }
    for (const t of others) {
      if (t.south > s.north + EPS || s.south > t.north + EPS) continue
      const found = second && set === 1 ? visit(t, s) : visit(s, t)
      if (found !== undefined) return found
    }
    active[second ? set : 0].push(s)
  }
  return undefined
}

/** The point where two segments cross through each other's interiors, if they do. */
function properCrossing(s: Segment, t: Segment): Position | undefined {
  const s1 = side(s.a, s.b, t.a)
  const s2 = side(s.a, s.b, t.b)
  if (s1 * s2 >= 0) return undefined
  const s3 = side(t.a, t.b, s.a)
  const s4 = side(t.a, t.b, s.b)
  if (s3 * s4 >= 0) return undefined
  const u = cross(t.a, t.b, s.a) / (cross(t.a, t.b, s.a) - cross(t.a, t.b, s.b))
  return [s.a[0] + u * (s.b[0] - s.a[0]), s.a[1] + u * (s.b[1] - s.a[1])]
}

/** p lies on segment s away from its ends. */
function onInterior(s: Segment, p: Position): boolean {
  return segmentDistance2(p, s.a, s.b) <= EPS2 && !near(p, s.a) && !near(p, s.b)
}

// ---------------------------------------------------------------------------------------
// Overlap between shapes

/**
 * Whether two territories' interiors share any area. Touching along an edge or at a point
 * is not an overlap: neighbouring territories share borders. `at` is a point in (or on the
 * edge of) the shared area, for the map to show.
 *
 * Edges crossing through each other overlap at the crossing. Failing that, the boundaries
 * meet only where they touch or run together; each edge is then cut where the other shape's
 * vertices touch it, and each piece lies wholly inside, outside, or along the other's
 * boundary. A piece inside overlaps; a piece along the boundary overlaps when both shapes
 * lie on the same side of it (with rings wound outer anticlockwise, holes clockwise, the
 * interior is always on the left). This covers containment, identical shapes, and a shape
 * sitting exactly in another's hole (which does not overlap).
 */
export function geometriesOverlap(a: Geometry, b: Geometry): { overlap: boolean; at?: Position } {
  const boxA = bboxOf(a)
  const boxB = bboxOf(b)
  if (!boxesOverlapStrictly(boxA, boxB)) return { overlap: false }
  const partsA = polygonsOf(a).map(wound)
  const partsB = polygonsOf(b).map(wound)
  for (const p of partsA) {
    for (const q of partsB) {
      const at = polygonsOverlapAt(p, q)
      if (at) return { overlap: true, at }
    }
  }
  return { overlap: false }
}

function boxesOverlapStrictly(a: BBox, b: BBox): boolean {
  return a.west < b.east - EPS && b.west < a.east - EPS && a.south < b.north - EPS && b.south < a.north - EPS
}

function boxOfRing(ring: Ring): BBox {
  return extendBBox({ west: Infinity, south: Infinity, east: -Infinity, north: -Infinity }, ring)
}

/** A copy with the outer ring anticlockwise and holes clockwise (RFC 7946). */
function wound(polygon: PolygonCoords): PolygonCoords {
  return polygon.map((ring, r) => {
    const anticlockwise = ringArea(ring) > 0
    return anticlockwise === (r === 0) ? ring : [...ring].reverse()
  })
}

function polygonsOverlapAt(p: PolygonCoords, q: PolygonCoords): Position | undefined {
  if (!boxesOverlapStrictly(boxOfRing(p[0]), boxOfRing(q[0]))) return undefined
  const segsP = segmentsOf(p)
  const segsQ = segmentsOf(q)

  const crossing = sweep(segsP, segsQ, (s, t) => {
    const at = properCrossing(s, t)
    if (at) return at
    // Not crossing: note where one edge's end touches the other edge, to cut it there.
    if (onInterior(s, t.a)) s.splits.push(paramAlong(s.a, s.b, t.a))
    if (onInterior(s, t.b)) s.splits.push(paramAlong(s.a, s.b, t.b))
    if (onInterior(t, s.a)) t.splits.push(paramAlong(t.a, t.b, s.a))
    if (onInterior(t, s.b)) t.splits.push(paramAlong(t.a, t.b, s.b))
    return undefined
  })
  if (crossing) return crossing

  for (const [from, other] of [
    [p, q],
    [q, p],
  ] as const) {
    for (const ring of from) {
      for (const vertex of ring) if (locateInPolygon(other, vertex) === 'inside') return vertex
    }
  }

  for (const [segs, other, otherSegs] of [
    [segsP, q, segsQ],
    [segsQ, p, segsP],
  ] as const) {
    for (const s of segs) {
      const cuts = [0, ...s.splits.sort((x, y) => x - y), 1]
      for (let k = 1; k < cuts.length; k++) {
        if (cuts[k] - cuts[k - 1] < 1e-12) continue
        const t = (cuts[k - 1] + cuts[k]) / 2
        const mid: Position = [s.a[0] + t * (s.b[0] - s.a[0]), s.a[1] + t * (s.b[1] - s.a[1])]
        const where = locateInPolygon(other, mid)
        if (where === 'inside') return mid
        if (where === 'boundary' && runsAlongSameWay(s, mid, otherSegs)) return mid
      }
    }
  }
  return undefined
}

/** Some edge of the other shape passes through mid in the same direction as s. */
function runsAlongSameWay(s: Segment, mid: Position, otherSegs: Segment[]): boolean {
  const dx = s.b[0] - s.a[0]
  const dy = s.b[1] - s.a[1]
  return otherSegs.some(
    (t) =>
      segmentDistance2(mid, t.a, t.b) <= EPS2 &&
      side(s.a, s.b, t.a) === 0 &&
      side(s.a, s.b, t.b) === 0 &&
      dx * (t.b[0] - t.a[0]) + dy * (t.b[1] - t.a[1]) > 0,
  )
}

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
