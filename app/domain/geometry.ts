// Territory shapes (PRODUCT.md "Territories", "Maps"): GeoJSON Polygon and MultiPolygon in
// WGS-84 [lng, lat], treated as planar in degrees. That is exact enough for the questions
// asked here (is a point inside, do two shapes overlap) at county scale; shapes crossing
// the antimeridian are not supported (China is far from it). This file holds the shapes,
// their boxes and the planar primitives; overlap (geometry-overlap.ts) and the checks of a
// drawn or uploaded shape (geometry-validation.ts) build on them.
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
export const EPS = 1e-9
export const EPS2 = EPS * EPS

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

export function extendBBox(box: BBox, ring: Ring): BBox {
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
export function cross(a: Position, b: Position, c: Position): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/** Which side of the line a→b the point p lies on: 1 left, −1 right, 0 within EPS of it. */
export function side(a: Position, b: Position, p: Position): -1 | 0 | 1 {
  const c = cross(a, b, p)
  const length = Math.hypot(b[0] - a[0], b[1] - a[1])
  if (Math.abs(c) <= EPS * length) return 0
  return c > 0 ? 1 : -1
}

/** Squared distance from p to the segment a–b. */
export function segmentDistance2(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const length2 = dx * dx + dy * dy
  let t = length2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
  t = Math.max(0, Math.min(1, t))
  const ex = a[0] + t * dx - p[0]
  const ey = a[1] + t * dy - p[1]
  return ex * ex + ey * ey
}

export function near(p: Position, q: Position): boolean {
  const dx = p[0] - q[0]
  const dy = p[1] - q[1]
  return dx * dx + dy * dy <= EPS2
}

/** Where along a→b (0…1) the point p projects. */
export function paramAlong(a: Position, b: Position, p: Position): number {
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
export function locateInRing(ring: Ring, p: Position): Location {
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

export function locateInPolygon(polygon: PolygonCoords, p: Position): Location {
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
