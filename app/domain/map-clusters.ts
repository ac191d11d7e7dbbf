// Server-side clustering for the player map (PRODUCT.md "Maps", "Scale"): at a million
// players the browser cannot take every marker, so the server counts players per grid cell
// of the viewport and sends one feature per cell. This module holds the grid arithmetic
// and the shaping of the answer; the query itself groups by the cell indices, for example
// `floor(lng / :size), floor(lat / :size)` with `count(*)`, `avg(lng)`, `avg(lat)` and one
// sample player (`min(id)`).
import type { BBox } from './geometry'

export const MIN_ZOOM = 0
export const MAX_ZOOM = 20
/** The width on screen, in pixels, that one cell should cover. */
export const CELL_PIXELS = 60
const TILE_PIXELS = 256

/** A whole zoom level within MIN_ZOOM…MAX_ZOOM; fractional zooms round down (bigger cells). */
export function clampZoom(zoom: number): number {
  if (!Number.isFinite(zoom)) return MIN_ZOOM
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.floor(zoom)))
}

/**
 * Degrees per cell side so that a cell is CELL_PIXELS wide at this Web Mercator zoom (the
 * world is 256 · 2^zoom pixels across 360°). The same figure is used for latitude, so cells
 * are square in degrees and somewhat taller on screen away from the equator (about 75 px at
 * 37°N). In exchange the grid nests: each cell is exactly four cells of the next zoom, and
 * the size is an exact binary fraction, so cell indices never suffer rounding.
 */
export function gridCellSize(zoom: number): number {
  return (CELL_PIXELS * 360) / (TILE_PIXELS * 2 ** clampZoom(zoom))
}

/** The cell a position falls in: cells are half-open, [k·size, (k+1)·size) on each axis. */
export function cellIndex(lng: number, lat: number, size: number): { x: number; y: number } {
  return { x: Math.floor(lng / size), y: Math.floor(lat / size) }
}

export function cellKey(lng: number, lat: number, size: number): string {
  const { x, y } = cellIndex(lng, lat, size)
  return `${x}:${y}`
}

/**
 * The viewport grown outward to whole cells, so a cell is either wholly in the query or not
 * at all and panning a little does not change any cell's count. Query it half-open:
 * `lng >= west and lng < east and lat >= south and lat < north`. Clamped to the world.
 */
export function expandBBox(bbox: BBox, cellSize: number): BBox {
  return {
    west: Math.max(-180, Math.floor(bbox.west / cellSize) * cellSize),
    south: Math.max(-90, Math.floor(bbox.south / cellSize) * cellSize),
    east: Math.min(180, (Math.floor(bbox.east / cellSize) + 1) * cellSize),
    north: Math.min(90, (Math.floor(bbox.north / cellSize) + 1) * cellSize),
  }
}

/**
 * The most cells (so the most markers) one map answer may hold, whatever the view: a
 * screen of 60-pixel cells holds about 600, and a view of the whole world at zoom 22 would
 * otherwise send every player as a point (170 MB for a province).
 */
export const MAX_MAP_CELLS = 5_000

/**
 * The zoom the grid is drawn at for this view: the one asked for, or the nearest further out
 * whose cells over the view number MAX_MAP_CELLS at most, so the players cluster instead.
 */
export function boundedZoom(bbox: BBox, zoom: number, maxCells = MAX_MAP_CELLS): number {
  let z = clampZoom(zoom)
  for (; z > MIN_ZOOM; z--) {
    const size = gridCellSize(z)
    const box = expandBBox(bbox, size)
    if (Math.round((box.east - box.west) / size) * Math.round((box.north - box.south) / size) <= maxCells) break
  }
  return z
}

/**
 * Zoom levels up to this one are answered from pre-counted cells (map_cells) when those
 * are fresh: a view that far out can hold a province. Beyond it a view holds a county at
 * most, and is counted live.
 */
export const PRECOUNTED_MAX_ZOOM = 10

/**
 * A pre-counted cell's indices: the same cell sizes as gridCellSize, numbered from the
 * world's south-west corner so that they are never negative. A cell of zoom z is then
 * the four cells of zoom z + 1 whose indices halve (rounding down) to its own.
 */
export function worldCellIndex(lng: number, lat: number, size: number): { x: number; y: number } {
  return { x: Math.floor((lng + 180) / size), y: Math.floor((lat + 90) / size) }
}

/** The pre-counted cells a viewport touches, inclusive on both ends. */
export function worldCellRange(bbox: BBox, size: number): { x0: number; x1: number; y0: number; y1: number } {
  const low = worldCellIndex(bbox.west, bbox.south, size)
  const high = worldCellIndex(bbox.east, bbox.north, size)
  return { x0: low.x, x1: high.x, y0: low.y, y1: high.y }
}

/** One grid cell as the query returns it. */
export interface GridCell {
  /** The mean position of the players in the cell (for one player, its position). */
  lng: number
  lat: number
  count: number
  /** One player of the cell, shown as itself when it is the only one. */
  sampleId?: number | null
  sampleName?: string | null
  sampleStatus?: string | null
}

type Point = { type: 'Point'; coordinates: [number, number] }

export interface PlayerFeature {
  type: 'Feature'
  geometry: Point
  properties: { cluster: false; id: number; name: string | null; status: string | null }
}

export interface ClusterFeature {
  type: 'Feature'
  geometry: Point
  properties: { cluster: true; count: number }
}

export interface MapFeatureCollection {
  type: 'FeatureCollection'
  features: (PlayerFeature | ClusterFeature)[]
}

/** Six decimals is about 0.1 m: plenty for a marker, and keeps the answer small. */
const round6 = (n: number) => Math.round(n * 1e6) / 1e6

/**
 * GeoJSON for the map: a cell holding one player becomes that player's marker (properties
 * id, name, status); a cell holding more becomes a cluster marker with its count at the
 * cell's mean position. `properties.cluster` tells the two apart. Empty cells, and cells
 * without a usable position, are left out.
 */
export function clusterFeatures(cells: GridCell[]): MapFeatureCollection {
  const features: (PlayerFeature | ClusterFeature)[] = []
  for (const cell of cells) {
    if (!(cell.count > 0) || !Number.isFinite(cell.lng) || !Number.isFinite(cell.lat)) continue
    const geometry: Point = { type: 'Point', coordinates: [round6(cell.lng), round6(cell.lat)] }
    if (cell.count === 1 && cell.sampleId != null) {
      features.push({
        type: 'Feature',
        geometry,
        properties: { cluster: false, id: cell.sampleId, name: cell.sampleName ?? null, status: cell.sampleStatus ?? null },
      })
    } else {
      features.push({ type: 'Feature', geometry, properties: { cluster: true, count: cell.count } })
    }
  }
  return { type: 'FeatureCollection', features }
}
