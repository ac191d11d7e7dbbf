// GCJ-02, the offset coordinate system that AMap/Gaode (and other Chinese) tiles are drawn in
// (PRODUCT.md "Maps"). Positions are stored in WGS-84; to draw on GCJ-02 tiles the map
// shifts each position forward, and a click on those tiles is shifted back.
//
// This is the widely published approximation of the official transform (the one in
// coordtransform, eviltransform and most map SDK samples): Krasovsky ellipsoid constants
// and a fixed trigonometric series. It matches the tiles to within a metre or two.

const A = 6378245.0
const EE = 0.006693421622965943

/** The rough box inside which the offset applies; elsewhere GCJ-02 equals WGS-84. */
export function outOfChina(lng: number, lat: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function offsetLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  return r
}

function offsetLng(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  return r
}

/** WGS-84 → GCJ-02, as [lng, lat]. Identity outside China. */
export function wgs84ToGcj02(lng: number, lat: number): [number, number] {
  if (outOfChina(lng, lat)) return [lng, lat]
  let dLat = offsetLat(lng - 105.0, lat - 35.0)
  let dLng = offsetLng(lng - 105.0, lat - 35.0)
  const radLat = (lat / 180.0) * Math.PI
  const sinLat = Math.sin(radLat)
  const magic = 1 - EE * sinLat * sinLat
  const sqrtMagic = Math.sqrt(magic)
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return [lng + dLng, lat + dLat]
}

/** How close (degrees, about 0.01 mm) the inverse gets before it stops. */
const INVERSE_PRECISION = 1e-10
const INVERSE_MAX_STEPS = 30

/**
 * GCJ-02 → WGS-84, as [lng, lat]. The forward transform has no closed-form inverse; the
 * common one-step version (subtract the offset found at the GCJ-02 point) is off by up to
 * about 7 m, so this repeats the correction until the forward transform of the answer lands
 * on the input (each step shrinks the error at least a hundredfold, so three or four steps
 * do). Identity outside China.
 */
export function gcj02ToWgs84(lng: number, lat: number): [number, number] {
  if (outOfChina(lng, lat)) return [lng, lat]
  let wLng = lng
  let wLat = lat
  for (let step = 0; step < INVERSE_MAX_STEPS; step++) {
    const [gLng, gLat] = wgs84ToGcj02(wLng, wLat)
    const eLng = gLng - lng
    const eLat = gLat - lat
    if (Math.abs(eLng) < INVERSE_PRECISION && Math.abs(eLat) < INVERSE_PRECISION) break
    wLng -= eLng
    wLat -= eLat
  }
  return [wLng, wLat]
}
