// The officer's list on a small map, with where the officer stands (Leaflet; browser only).
// Draws without tiles too: the markers are what matter in a village with no signal.
import leafletStyles from 'leaflet/dist/leaflet.css'
import { Circle, CircleMarker, MapContainer, TileLayer, Tooltip } from 'react-leaflet'
import type { TileLayerSpec } from '../domain/map-tiles'
import { FitTo } from './fit-to-points.client'
import { toScreen } from './map-datum'
import { ME_COLOUR, REASON_COLOURS } from './my-list-legend'

export interface MapItem {
  id: number
  name: string
  lat: number
  lng: number
  approximate: boolean
  reason: string
}


/** Leaflet's stylesheet, added to the page when the map is first opened (not a cost of the list). */
export function loadMapStyles(): Promise<void> {
  if (document.querySelector(`link[rel="stylesheet"][href="${leafletStyles}"]`)) return Promise.resolve()
  return new Promise((resolve) => {
    const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: leafletStyles })
    // Drawn either way: a map without its stylesheet beats no map when the file cannot come.
    link.onload = link.onerror = () => resolve()
    document.head.append(link)
  })
}

export function MyListMap({
  items,
  me,
  tiles,
  onPick,
}: {
  items: MapItem[]
  me: { lat: number; lng: number; accuracy: number } | null
  tiles: TileLayerSpec | null
  onPick: (id: number) => void
}) {
  const datum = tiles?.datum ?? 'wgs84'
  const points = items.map((i) => toScreen(datum, i.lng, i.lat))
  const mine = me ? toScreen(datum, me.lng, me.lat) : null
  const all = mine ? [...points, mine] : points
  return (
    <MapContainer center={all[0] ?? [33.78, 114.53]} zoom={13} scrollWheelZoom={false} className="my-list-map" attributionControl={Boolean(tiles)}>
      {tiles ? <TileLayer url={tiles.url} attribution={tiles.attribution} subdomains={tiles.subdomains} /> : null}
      <FitTo points={all} padding={16} />
      {items.map((item, i) => (
        <CircleMarker
          key={item.id}
          center={points[i]}
          radius={item.approximate ? 9 : 7}
          pathOptions={{ color: REASON_COLOURS[item.reason as keyof typeof REASON_COLOURS] ?? '#374151', fillOpacity: item.approximate ? 0.2 : 0.8, dashArray: item.approximate ? '3 3' : undefined }}
          eventHandlers={{ click: () => onPick(item.id) }}
        >
          <Tooltip>{item.name}</Tooltip>
        </CircleMarker>
      ))}
      {mine && me ? (
        <>
          <Circle center={mine} radius={me.accuracy} pathOptions={{ color: ME_COLOUR, weight: 1, fillOpacity: 0.1 }} />
          <CircleMarker center={mine} radius={6} pathOptions={{ color: '#fff', weight: 2, fillColor: ME_COLOUR, fillOpacity: 1 }} />
        </>
      ) : null}
    </MapContainer>
  )
}
