import { describe, expect, it } from 'vitest'
import { gcj02ToWgs84, outOfChina, wgs84ToGcj02 } from '../../app/domain/gcj02'

// Published pairs, as [WGS-84 lng, lat] → [GCJ-02 lng, lat]:
// coordtransform's README (wandergis/coordtransform) and eviltransform's test suite
// (googollee/eviltransform: Shanghai, Shenzhen, Beijing).
const PUBLISHED: [string, [number, number], [number, number]][] = [
  ['coordtransform, Beijing', [116.404, 39.915], [116.41024449916938, 39.91640428150164]],
  ['eviltransform, Shanghai', [121.5272106, 31.1774276], [121.531541859215, 31.17530398364597]],
  ['eviltransform, Shenzhen', [113.912316, 22.543847], [113.9171764808363, 22.540796131694766]],
  ['eviltransform, Beijing', [116.377817, 39.911954], [116.38404722455657, 39.91334545536069]],
]

describe('WGS-84 → GCJ-02', () => {
  it.each(PUBLISHED)('matches the published value (%s)', (_, wgs, gcj) => {
    const [lng, lat] = wgs84ToGcj02(wgs[0], wgs[1])
    expect(lng).toBeCloseTo(gcj[0], 9)
    expect(lat).toBeCloseTo(gcj[1], 9)
  })

  it('shifts Tiananmen by the familiar offset of about 500 m', () => {
    const [lng, lat] = wgs84ToGcj02(116.397428, 39.90923)
    expect(lng - 116.397428).toBeGreaterThan(0.0055)
    expect(lng - 116.397428).toBeLessThan(0.0070)
    expect(lat - 39.90923).toBeGreaterThan(0.0008)
    expect(lat - 39.90923).toBeLessThan(0.0018)
    const metres = Math.hypot((lng - 116.397428) * 111_320 * Math.cos((39.91 * Math.PI) / 180), (lat - 39.90923) * 110_574)
    expect(metres).toBeGreaterThan(450)
    expect(metres).toBeLessThan(650)
  })

  it('leaves positions outside China alone', () => {
    expect(outOfChina(139.6917, 35.6895)).toBe(true) // Tokyo
    expect(wgs84ToGcj02(139.6917, 35.6895)).toEqual([139.6917, 35.6895])
    expect(wgs84ToGcj02(-0.1276, 51.5072)).toEqual([-0.1276, 51.5072]) // London
    expect(gcj02ToWgs84(151.2093, -33.8688)).toEqual([151.2093, -33.8688]) // Sydney
    expect(outOfChina(116.397428, 39.90923)).toBe(false)
  })
})

describe('GCJ-02 → WGS-84', () => {
  it.each(PUBLISHED)('inverts the published value to within 1e-7° (%s)', (_, wgs, gcj) => {
    const [lng, lat] = gcj02ToWgs84(gcj[0], gcj[1])
    expect(Math.abs(lng - wgs[0])).toBeLessThan(1e-7)
    expect(Math.abs(lat - wgs[1])).toBeLessThan(1e-7)
  })

  it('does better than the one-step approximation (8 cm off here, up to 7 m elsewhere)', () => {
    const wgs = [116.397428, 39.90923]
    const gcj = wgs84ToGcj02(wgs[0], wgs[1])
    const oneStep = (() => {
      const [sLng, sLat] = wgs84ToGcj02(gcj[0], gcj[1])
      return [gcj[0] * 2 - sLng, gcj[1] * 2 - sLat]
    })()
    const exact = gcj02ToWgs84(gcj[0], gcj[1])
    expect(Math.hypot(oneStep[0] - wgs[0], oneStep[1] - wgs[1])).toBeGreaterThan(1e-7)
    expect(Math.hypot(exact[0] - wgs[0], exact[1] - wgs[1])).toBeLessThan(1e-9)
  })

  it('round-trips positions across China to within 1e-6°', () => {
    for (let lng = 74; lng <= 134; lng += 3.7) {
      for (let lat = 18; lat <= 53; lat += 2.9) {
        const [gLng, gLat] = wgs84ToGcj02(lng, lat)
        const [wLng, wLat] = gcj02ToWgs84(gLng, gLat)
        expect(Math.abs(wLng - lng)).toBeLessThan(1e-6)
        expect(Math.abs(wLat - lat)).toBeLessThan(1e-6)
      }
    }
  })
})
