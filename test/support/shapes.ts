// Drawn territory shapes for tests: a GeoJSON square centred on a point.
export function squareAround(lng: number, lat: number, half: number) {
  return {
    type: 'Polygon',
    coordinates: [[[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half], [lng - half, lat + half], [lng - half, lat - half]]],
  }
}
