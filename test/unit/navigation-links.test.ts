import { describe, expect, it } from 'vitest'
import { wgs84ToGcj02 } from '../../app/domain/gcj02'
import { gcj02ToBd09, navigationLinks } from '../../app/domain/navigation-links'

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)'
const ANDROID = 'Mozilla/5.0 (Linux; Android 14)'

describe('navigation links, each in its app’s datum', () => {
  it('GCJ-02 to BD-09 as Baidu publishes it', () => {
    const [lng, lat] = gcj02ToBd09(116.404, 39.915)
    expect(lng).toBeCloseTo(116.41036949, 6)
    expect(lat).toBeCloseTo(39.92133699, 6)
  })

  it('Apple Maps and AMap get GCJ-02, Baidu BD-09, the geo: URI WGS-84', () => {
    const to = { lat: 33.78, lng: 114.53 }
    const [gLng, gLat] = wgs84ToGcj02(to.lng, to.lat)
    const [bLng, bLat] = gcj02ToBd09(gLng, gLat)
    // Shifted by hundreds of metres in Lankao: not the stored position.
    expect(Math.abs(gLng - to.lng) + Math.abs(gLat - to.lat)).toBeGreaterThan(0.002)
    const phone = navigationLinks(to, '面馆', IPHONE)
    expect(phone.native).toBe(`https://maps.apple.com/?daddr=${gLat.toFixed(6)},${gLng.toFixed(6)}&q=%E9%9D%A2%E9%A6%86`)
    expect(phone.amap).toBe(`https://uri.amap.com/navigation?to=${gLng.toFixed(6)},${gLat.toFixed(6)},%E9%9D%A2%E9%A6%86&mode=car&coordinate=gaode&callnative=1&src=wanqi`)
    const baidu = new URL(phone.baidu)
    expect(baidu.searchParams.get('destination')).toBe(`latlng:${bLat.toFixed(6)},${bLng.toFixed(6)}|name:面馆`)
    expect(baidu.searchParams.get('coord_type')).toBe('bd09ll')
    expect(navigationLinks(to, '面馆', ANDROID).native).toBe('geo:33.780000,114.530000?q=33.780000,114.530000(%E9%9D%A2%E9%A6%86)')
  })

  it('outside China (the rough box GCJ-02 applies in) Apple Maps gets the position unshifted', () => {
    const links = navigationLinks({ lat: 35.68, lng: 139.76 }, 'x', IPHONE)
    expect(links.native).toBe('https://maps.apple.com/?daddr=35.680000,139.760000&q=x')
  })
})
