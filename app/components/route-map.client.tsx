// The day's route on a small map: the start, each stop numbered in the order to visit it, and
// the round as one line back to the start (Leaflet; browser only, loaded when a route shows).
// Draws without tiles too: in a village with no signal the numbers and the line are the map.
import L from 'leaflet'
import { CircleMarker, MapContainer, Marker, Polyline, TileLayer, Tooltip } from 'react-leaflet'
import type { TileLayerSpec } from '../domain/map-tiles'
import { FitTo } from './fit-to-points.client'
import { toScreen } from './map-datum'
import { ME_COLOUR } from './my-list-legend'

export interface RouteMapStop {
  id: number
  name: string
  lat: number
  lng: number
}

const numberIcon = (n: number) => L.divIcon({ className: 'route-stop-icon', html: `<span>${n}</span>`, iconSize: [26, 26] })

export function RouteMap({ start, stops, tiles }: { start: { lat: number; lng: number }; stops: RouteMapStop[]; tiles: TileLayerSpec | null }) {
  const datum = tiles?.datum ?? 'wgs84'
  const from = toScreen(datum, start.lng, start.lat)
  const points = stops.map((s) => toScreen(datum, s.lng, s.lat))
  const round = [from, ...points, from]
  return (
    <MapContainer center={from} zoom={13} scrollWheelZoom={false} className="my-list-map route-map" attributionControl={Boolean(tiles)}>
      {tiles ? <TileLayer url={tiles.url} attribution={tiles.attribution} subdomains={tiles.subdomains} /> : null}
      <FitTo points={round} padding={20} />
      <Polyline positions={round} pathOptions={{ color: '#b4232a', weight: 3, opacity: 0.8 }} />
      <CircleMarker center={from} radius={7} pathOptions={{ color: '#fff', weight: 2, fillColor: ME_COLOUR, fillOpacity: 1 }} />
      {stops.map((stop, i) => (
        <Marker key={stop.id} position={points[i]} icon={numberIcon(i + 1)} title={`${i + 1}. ${stop.name}`}>
          <Tooltip>{`${i + 1}. ${stop.name}`}</Tooltip>
        </Marker>
      ))}
    </MapContainer>
  )
}
