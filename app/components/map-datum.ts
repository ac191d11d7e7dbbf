// Between stored positions (WGS-84) and the tiles' datum: identity for WGS-84 tiles,
// the GCJ-02 shift for AMap. Used by every map component, both ways.
import { gcj02ToWgs84, wgs84ToGcj02 } from '../domain/gcj02'
import type { TileDatum } from '../domain/map-tiles'

type Coordinates = number[] | Coordinates[]

/** A stored [lng, lat] as Leaflet's [lat, lng] on the tiles. */
export function toScreen(datum: TileDatum, lng: number, lat: number): [number, number] {
  const [x, y] = datum === 'gcj02' ? wgs84ToGcj02(lng, lat) : [lng, lat]
  return [y, x]
}

/** A point on the tiles back to a stored [lng, lat]. */
export function fromScreen(datum: TileDatum, lat: number, lng: number): [number, number] {
  return datum === 'gcj02' ? gcj02ToWgs84(lng, lat) : [lng, lat]
}

function mapCoordinates(c: Coordinates, f: (lng: number, lat: number) => [number, number]): Coordinates {
  return typeof c[0] === 'number' ? f(c[0], c[1] as number) : (c as Coordinates[]).map((x) => mapCoordinates(x, f))
}

/** A GeoJSON geometry from stored positions to the tiles' datum (still [lng, lat] order). */
export function geometryToDatum<G extends { coordinates: unknown }>(datum: TileDatum, geometry: G): G {
  if (datum === 'wgs84') return geometry
  return { ...geometry, coordinates: mapCoordinates(geometry.coordinates as Coordinates, (lng, lat) => wgs84ToGcj02(lng, lat)) }
}

/** A GeoJSON geometry drawn on the tiles back to stored (WGS-84) positions. */
export function geometryFromDatum<G extends { coordinates: unknown }>(datum: TileDatum, geometry: G): G {
  if (datum === 'wgs84') return geometry
  return { ...geometry, coordinates: mapCoordinates(geometry.coordinates as Coordinates, (lng, lat) => gcj02ToWgs84(lng, lat)) }
}
