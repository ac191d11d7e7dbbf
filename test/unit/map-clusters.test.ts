import { describe, expect, it } from 'vitest'
import {
  CELL_PIXELS,
  MAX_MAP_CELLS,
  boundedZoom,
  MAX_ZOOM,
  cellIndex,
  cellKey,
  clampZoom,
  clusterFeatures,
  expandBBox,
  gridCellSize,
} from '../../app/domain/map-clusters'

describe('grid cells', () => {
  it('makes a cell about 60 px wide at each Web Mercator zoom', () => {
    for (const zoom of [0, 5, 10, 13, 18]) {
      const pixelsPerDegree = (256 * 2 ** zoom) / 360
      expect(gridCellSize(zoom) * pixelsPerDegree).toBeCloseTo(CELL_PIXELS, 9)
    }
    expect(gridCellSize(0)).toBe(84.375)
    expect(gridCellSize(12)).toBe(84.375 / 4096)
  })

  it('halves the cell at each zoom, so cells nest', () => {
    for (let zoom = 0; zoom < MAX_ZOOM; zoom++) expect(gridCellSize(zoom + 1) * 2).toBe(gridCellSize(zoom))
    const coarse = cellIndex(116.397428, 39.90923, gridCellSize(12))
    const fine = cellIndex(116.397428, 39.90923, gridCellSize(13))
    expect(Math.floor(fine.x / 2)).toBe(coarse.x)
    expect(Math.floor(fine.y / 2)).toBe(coarse.y)
  })

  it('clamps zoom to whole levels in range, rounding down', () => {
    expect(clampZoom(12.7)).toBe(12)
    expect(clampZoom(-3)).toBe(0)
    expect(clampZoom(30)).toBe(MAX_ZOOM)
    expect(clampZoom(Number.NaN)).toBe(0)
    expect(gridCellSize(12.7)).toBe(gridCellSize(12))
  })

  it('keys a position by its cell, cells being half-open', () => {
    const size = 0.5
    expect(cellKey(116.2, 39.9, size)).toBe('232:79')
    expect(cellKey(116.0, 39.5, size)).toBe('232:79')
    expect(cellKey(116.5, 39.9, size)).toBe('233:79')
    expect(cellKey(-0.1, -0.1, size)).toBe('-1:-1')
  })
})

describe('expandBBox', () => {
  it('grows the viewport outward to whole cells', () => {
    expect(expandBBox({ west: 116.2, south: 39.6, east: 116.7, north: 39.95 }, 0.5)).toEqual({
      west: 116,
      south: 39.5,
      east: 117,
      north: 40,
    })
  })

  it('covers the whole cell of a position on the east or north edge', () => {
    // A point at lng 117 belongs to the cell [117, 117.5), which the query must include whole.
    expect(expandBBox({ west: 116.2, south: 39.5, east: 117, north: 40 }, 0.5)).toEqual({
      west: 116,
      south: 39.5,
      east: 117.5,
      north: 40.5,
    })
  })

  it('gives the same cells for a slightly panned viewport', () => {
    const size = gridCellSize(11)
    // Edges a third of the way into their cells, then panned a fifth of a cell.
    const at = (degrees: number) => (Math.floor(degrees / size) + 1 / 3) * size
    const viewport = { west: at(116.3), south: at(39.8), east: at(116.5), north: at(39.95) }
    const pan = size / 5
    const a = expandBBox(viewport, size)
    const b = expandBBox(
      { west: viewport.west + pan, south: viewport.south - pan, east: viewport.east + pan, north: viewport.north - pan },
      size,
    )
    expect(b).toEqual(a)
    expect((a.east - a.west) / size).toBe(Math.floor(116.5 / size) - Math.floor(116.3 / size) + 1)
  })

  it('stays within the world', () => {
    expect(expandBBox({ west: -200, south: -95, east: 200, north: 95 }, gridCellSize(0))).toEqual({
      west: -180,
      south: -90,
      east: 180,
      north: 90,
    })
  })
})

describe('clusterFeatures', () => {
  it('shows a lone player as itself and several as a cluster at their mean position', () => {
    const result = clusterFeatures([
      { lng: 116.3974281234, lat: 39.9092301234, count: 1, sampleId: 42, sampleName: '河南福满纺织有限公司', sampleStatus: 'visited' },
      { lng: 116.41, lat: 39.92, count: 37, sampleId: 7, sampleName: 'x', sampleStatus: 'not_visited' },
    ])
    expect(result).toEqual({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [116.397428, 39.90923] },
          properties: { cluster: false, id: 42, name: '河南福满纺织有限公司', status: 'visited' },
        },
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [116.41, 39.92] },
          properties: { cluster: true, count: 37 },
        },
      ],
    })
  })

  it('fills missing sample fields with null, and clusters a lone player it cannot name', () => {
    const [named, unnamed] = clusterFeatures([
      { lng: 1, lat: 2, count: 1, sampleId: 5 },
      { lng: 3, lat: 4, count: 1 },
    ]).features
    expect(named.properties).toEqual({ cluster: false, id: 5, name: null, status: null })
    expect(unnamed.properties).toEqual({ cluster: true, count: 1 })
  })

  it('leaves out empty cells and cells without a position', () => {
    expect(
      clusterFeatures([
        { lng: 1, lat: 2, count: 0 },
        { lng: Number.NaN, lat: 2, count: 3 },
      ]).features,
    ).toEqual([])
  })
})

describe('the bound on one answer', () => {
  it('draws the grid further out until the view holds MAX_MAP_CELLS cells at most, whatever zoom is asked', () => {
    const world = { west: -180, south: -90, east: 180, north: 90 }
    for (const asked of [22, 20, 12, 8, 5]) {
      const z = boundedZoom(world, asked)
      const size = gridCellSize(z)
      expect(((world.east - world.west) / size) * ((world.north - world.south) / size), `zoom ${asked}`).toBeLessThanOrEqual(MAX_MAP_CELLS)
    }
    // A screen of a county close in keeps the zoom asked.
    expect(boundedZoom({ west: 114.5, south: 33.7, east: 114.52, north: 33.71 }, 18)).toBe(18)
  })
})
