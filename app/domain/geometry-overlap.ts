// Whether two territory shapes overlap (more than touching along an edge), by a sweep over
// their edges; the planar primitives are in geometry.ts.
import { EPS, EPS2, bboxOf, cross, extendBBox, locateInPolygon, near, paramAlong, polygonsOf, ringArea, segmentDistance2, side, type BBox, type Geometry, type PolygonCoords, type Position, type Ring } from './geometry'

// ---------------------------------------------------------------------------------------
// Segments and a sweep over them

export interface Segment {
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

export function segmentsOf(polygon: PolygonCoords): Segment[] {
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
export function sweep<T>(
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
export function properCrossing(s: Segment, t: Segment): Position | undefined {
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
export function onInterior(s: Segment, p: Position): boolean {
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
export function wound(polygon: PolygonCoords): PolygonCoords {
  return polygon.map((ring, r) => {
    const anticlockwise = ringArea(ring) > 0
    return anticlockwise === (r === 0) ? ring : [...ring].reverse()
  })
}

export function polygonsOverlapAt(p: PolygonCoords, q: PolygonCoords): Position | undefined {
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
