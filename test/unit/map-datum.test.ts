import { describe, expect, it } from 'vitest'
import { fromScreen, geometryFromDatum, geometryToDatum, toScreen } from '../../app/components/map-datum'
import { wgs84ToGcj02 } from '../../app/domain/gcj02'
import { tileLayerFor } from '../../app/domain/map-tiles'
import { loadConfig } from '../../app/server/config.server'

describe('drawing on the base map', () => {
  it('puts a stored position on AMap tiles shifted to GCJ-02, and brings a placed point back', () => {
    const [lat, lng] = toScreen('gcj02', 116.397428, 39.90923)
    expect([lng, lat]).toEqual(wgs84ToGcj02(116.397428, 39.90923))
    const [backLng, backLat] = fromScreen('gcj02', lat, lng)
    expect(backLng).toBeCloseTo(116.397428, 7)
    expect(backLat).toBeCloseTo(39.90923, 7)
  })

  it('leaves positions alone on WGS-84 tiles (OpenStreetMap, Tianditu)', () => {
    expect(toScreen('wgs84', 114.5, 33.8)).toEqual([33.8, 114.5])
    expect(fromScreen('wgs84', 33.8, 114.5)).toEqual([114.5, 33.8])
  })

  it('shifts a drawn polygon back to WGS-84 vertex by vertex', () => {
    const stored = { type: 'Polygon', coordinates: [[[114.5, 33.8], [114.6, 33.8], [114.6, 33.9], [114.5, 33.8]]] }
    const onTiles = geometryToDatum('gcj02', stored)
    expect(onTiles.coordinates[0][0]).not.toEqual([114.5, 33.8])
    const back = geometryFromDatum('gcj02', onTiles)
    back.coordinates[0].forEach(([lng, lat], i) => {
      expect(lng).toBeCloseTo(stored.coordinates[0][i][0], 7)
      expect(lat).toBeCloseTo(stored.coordinates[0][i][1], 7)
    })
  })

  it('knows which tiles need which datum and key', () => {
    expect(tileLayerFor('amap')?.datum).toBe('gcj02')
    expect(tileLayerFor('osm')?.datum).toBe('wgs84')
    expect(tileLayerFor('tianditu', 'k')?.url).toContain('tk=k')
    expect(tileLayerFor('none')).toBeNull()
    expect(() => loadConfig({ MAP_TILES: 'tianditu', SESSION_SECRET: 's', DATA_KEY: Buffer.alloc(32).toString('base64url') }, '/tmp')).toThrow(/MAP_TILES_KEY/)
    expect(() => loadConfig({ MAP_TILES: 'google', SESSION_SECRET: 's', DATA_KEY: 'x' }, '/tmp')).toThrow(/MAP_TILES must be one of osm, tianditu, amap, none/)
  })
})
