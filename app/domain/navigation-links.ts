// Links that open a map app at a player's position, each in the datum that app reads. Positions
// are stored in WGS-84; in mainland China Apple Maps and AMap (高德) read GCJ-02 and Baidu
// Maps reads BD-09, so handing them WGS-84 lands the officer 300–600 m off. The `geo:` URI is
// WGS-84 by its RFC (5870), and Android map apps shift it themselves.
import { wgs84ToGcj02 } from './gcj02'
import type { LatLng } from './visit'

const X_PI = (Math.PI * 3000) / 180

/** GCJ-02 to Baidu's BD-09 (Baidu's published offset; the same outside China, where GCJ-02 is WGS-84). */
export function gcj02ToBd09(lng: number, lat: number): [number, number] {
  const z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * X_PI)
  const theta = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * X_PI)
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006]
}

export interface NavigationLinks {
  /** The phone's own: Apple Maps on an iPhone or iPad (GCJ-02), else the `geo:` URI (WGS-84). */
  native: string
  /** AMap's web URI (opens the app when installed), in GCJ-02 (`coordinate=gaode`). */
  amap: string
  /** Baidu Maps' web URI (opens the app when installed), in BD-09 (`coord_type=bd09ll`). */
  baidu: string
}

const fixed = (n: number) => n.toFixed(6)

export function navigationLinks(to: LatLng, label: string, userAgent: string | null): NavigationLinks {
  const name = encodeURIComponent(label)
  const [gLng, gLat] = wgs84ToGcj02(to.lng, to.lat)
  const [bLng, bLat] = gcj02ToBd09(gLng, gLat)
  const wgs = `${fixed(to.lat)},${fixed(to.lng)}`
  const native =
    userAgent && /iPhone|iPad|iPod/.test(userAgent)
      ? `https://maps.apple.com/?daddr=${fixed(gLat)},${fixed(gLng)}&q=${name}`
      : `geo:${wgs}?q=${wgs}(${name})`
  return {
    native,
    amap: `https://uri.amap.com/navigation?to=${fixed(gLng)},${fixed(gLat)},${name}&mode=car&coordinate=gaode&callnative=1&src=wanqi`,
    baidu: `https://api.map.baidu.com/direction?destination=${encodeURIComponent(`latlng:${fixed(bLat)},${fixed(bLng)}|name:${label}`)}&coord_type=bd09ll&mode=driving&output=html&src=wanqi`,
  }
}
