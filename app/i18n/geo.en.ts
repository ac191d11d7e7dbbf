// Messages for territory boundaries: GeoJSON checks and territory overlaps (domain/geometry.ts).
import type { geoZhCN } from './geo.zh-CN'

export const geoEn: Record<keyof typeof geoZhCN, string> = {
  'geo.notJson': 'The boundary is not valid GeoJSON text.',
  'geo.type': 'The shape should be a GeoJSON Polygon or MultiPolygon, not "{type}".',
  'geo.featureCount': 'The file holds {count} shapes; give exactly one.',
  'geo.structure': 'The coordinates are not laid out as GeoJSON requires: a polygon is a list of rings, each a list of [longitude, latitude] pairs.',
  'geo.empty': 'The shape is empty.',
  'geo.coordinate': 'The coordinate "{value}" is not a number.',
  'geo.lngRange': 'Longitude {value} is outside −180 to 180.',
  'geo.latRange': 'Latitude {value} is outside −90 to 90.',
  'geo.ringTooShort': 'Ring {ring} has only {count} distinct corners; a ring needs at least 3.',
  'geo.tooManyVertices': 'The shape has {count} corners, at most {max} are allowed: simplify it and try again.',
  'geo.selfIntersection': 'The boundary crosses itself near {lng}, {lat}.',
  'geo.holeOutside': 'A hole reaches outside its polygon near {lng}, {lat}.',
  'geo.partsOverlap': 'Two parts of the shape overlap near {lng}, {lat}.',
  'geo.territoryOverlap': 'This overlaps the territory "{name}" near {lng}, {lat}.',
}
