// A bank's boundary file (GeoJSON FeatureCollection of counties or townships, the division
// code in a property) checked feature by feature: a Polygon or MultiPolygon, WGS-84
// longitudes and latitudes, closed rings of at least four positions, a code among the
// divisions loaded, each code once. Pure: the file is parsed JSON, the codes a set.
import type { Message } from '../i18n/index'
import { polygonsOf, ringArea, type Geometry, type Ring } from './geometry'

/** Properties that commonly hold the division code (DataV, GB/T 2260 exports, 国土 data). */
export const CODE_PROPERTIES = ['code', 'adcode', 'gb', 'GB', 'CODE', 'ADCODE', 'Code', 'xzqdm', 'XZQDM', 'PAC', 'pac', 'dm', 'DM'] as const

export interface BoundaryFeature {
  code: string
  geometry: Geometry
  centre: { lat: number; lng: number }
}

export interface FeatureError {
  /** 1-based place of the feature in the file. */
  feature: number
  code: string | null
  message: Message
}

export type BoundaryCheck =
  | { ok: true; property: string; features: BoundaryFeature[] }
  | { ok: false; property: string | null; fileError?: Message; errors: FeatureError[]; good: number }

/** A division code as files write it: digits only, without the country prefix 156 or a zero tail. */
export function normaliseCode(value: unknown, known: ReadonlySet<string>): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null
  let code = String(value).replace(/\D/g, '')
  if (code.startsWith('156') && [9, 12, 15].includes(code.length)) code = code.slice(3)
  if (known.has(code)) return code
  for (const length of [9, 6]) if (code.length > length && /^0+$/.test(code.slice(length)) && known.has(code.slice(0, length))) return code.slice(0, length)
  return code || null
}

type Feature = { type?: unknown; properties?: unknown; geometry?: unknown }

function propertiesOf(f: Feature): Record<string, unknown> {
  return f && typeof f.properties === 'object' && f.properties !== null ? (f.properties as Record<string, unknown>) : {}
}

/** The property holding known codes in most features, when the admin named none. */
function detectProperty(features: Feature[], known: ReadonlySet<string>): string | null {
  let best: { name: string; hits: number } | null = null
  for (const name of CODE_PROPERTIES) {
    const hits = features.filter((f) => {
      const code = normaliseCode(propertiesOf(f)[name], known)
      return code !== null && known.has(code)
    }).length
    if (hits > 0 && (!best || hits > best.hits)) best = { name, hits }
  }
  return best?.name ?? null
}

function checkRing(ring: unknown, index: number): Message | null {
  if (!Array.isArray(ring)) return { key: 'boundaries.badRing', params: { ring: index + 1 } }
  if (ring.length < 4) return { key: 'boundaries.shortRing', params: { ring: index + 1, positions: ring.length } }
  for (const [i, p] of ring.entries()) {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      return { key: 'boundaries.badPosition', params: { ring: index + 1, position: i + 1 } }
    }
    if (p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) {
      return { key: 'boundaries.outOfRange', params: { ring: index + 1, position: i + 1, lng: p[0], lat: p[1] } }
    }
  }
  const first = ring[0] as number[]
  const last = ring[ring.length - 1] as number[]
  if (first[0] !== last[0] || first[1] !== last[1]) return { key: 'boundaries.openRing', params: { ring: index + 1 } }
  return null
}

function checkGeometry(geometry: unknown): { ok: true; geometry: Geometry } | { ok: false; message: Message } {
  const g = geometry as { type?: unknown; coordinates?: unknown } | null
  if (!g || typeof g !== 'object') return { ok: false, message: { key: 'boundaries.noGeometry' } }
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') return { ok: false, message: { key: 'boundaries.badType', params: { type: String(g.type) } } }
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
  if (!Array.isArray(polygons) || polygons.length === 0) return { ok: false, message: { key: 'boundaries.noRings' } }
  let n = 0
  for (const polygon of polygons) {
    if (!Array.isArray(polygon) || polygon.length === 0) return { ok: false, message: { key: 'boundaries.noRings' } }
    for (const ring of polygon) {
      const problem = checkRing(ring, n++)
      if (problem) return { ok: false, message: problem }
    }
  }
  return { ok: true, geometry: { type: g.type, coordinates: g.coordinates } as Geometry }
}

/** The area-weighted centroid of the outer rings less their holes (planar in degrees: county scale). */
export function centroidOf(geometry: Geometry): { lat: number; lng: number } {
  let area = 0
  let x = 0
  let y = 0
  for (const polygon of polygonsOf(geometry)) {
    polygon.forEach((ring: Ring, i) => {
      // Outer rings count positive, holes negative, whichever way they run.
      const a = Math.abs(ringArea(ring)) * (i === 0 ? 1 : -1)
      const c = ringCentroid(ring)
      area += a
      x += c[0] * a
      y += c[1] * a
    })
  }
  if (area === 0) {
    const first = polygonsOf(geometry)[0][0]
    return { lng: first[0][0], lat: first[0][1] }
  }
  return { lng: round(x / area), lat: round(y / area) }
}

function ringCentroid(ring: Ring): [number, number] {
  let a = 0
  let cx = 0
  let cy = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1]
    a += cross
    cx += (ring[j][0] + ring[i][0]) * cross
    cy += (ring[j][1] + ring[i][1]) * cross
  }
  if (a === 0) return ring[0]
  return [cx / (3 * a), cy / (3 * a)]
}

const round = (v: number) => Math.round(v * 1e6) / 1e6

/**
 * Checks a parsed boundary file. `property` names the code's property, or null to find it
 * among CODE_PROPERTIES. Every feature is checked, so every bad one is reported at once.
 */
export function checkBoundaryFile(file: unknown, known: ReadonlySet<string>, property: string | null): BoundaryCheck {
  const f = file as { type?: unknown; features?: unknown } | null
  if (!f || typeof f !== 'object' || f.type !== 'FeatureCollection' || !Array.isArray(f.features)) {
    return { ok: false, property: null, fileError: { key: 'boundaries.notCollection' }, errors: [], good: 0 }
  }
  const features = f.features as Feature[]
  if (features.length === 0) return { ok: false, property: null, fileError: { key: 'boundaries.empty' }, errors: [], good: 0 }
  const name = property || detectProperty(features, known)
  if (!name) return { ok: false, property: null, fileError: { key: 'boundaries.noCodeProperty', params: { tried: CODE_PROPERTIES.join(', ') } }, errors: [], good: 0 }

  const good: BoundaryFeature[] = []
  const errors: FeatureError[] = []
  const seen = new Map<string, number>()
  features.forEach((feature, i) => {
    const n = i + 1
    const raw = propertiesOf(feature)[name]
    const code = normaliseCode(raw, known)
    if (!feature || typeof feature !== 'object' || feature.type !== 'Feature') return errors.push({ feature: n, code, message: { key: 'boundaries.notFeature' } })
    if (code === null) return errors.push({ feature: n, code: null, message: { key: 'boundaries.noCode', params: { property: name } } })
    if (!known.has(code)) return errors.push({ feature: n, code, message: { key: 'boundaries.unknownCode' } })
    if (seen.has(code)) return errors.push({ feature: n, code, message: { key: 'boundaries.duplicate', params: { feature: seen.get(code)! } } })
    seen.set(code, n)
    const checked = checkGeometry(feature.geometry)
    if (!checked.ok) return errors.push({ feature: n, code, message: checked.message })
    good.push({ code, geometry: checked.geometry, centre: centroidOf(checked.geometry) })
  })
  if (errors.length) return { ok: false, property: name, errors, good: good.length }
  return { ok: true, property: name, features: good }
}
