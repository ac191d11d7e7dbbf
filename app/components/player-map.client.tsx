// A small map of one player (Leaflet; browser only). Draws with no tiles as well.
import { CircleMarker, MapContainer, TileLayer, Tooltip } from 'react-leaflet'
import type { TileLayerSpec } from '../domain/map-tiles'

export function PlayerMap({
  lat,
  lng,
  label,
  approximate,
  tiles,
}: {
  lat: number
  lng: number
  label: string
  approximate: boolean
  tiles: TileLayerSpec | null
}) {
  return (
    <MapContainer center={[lat, lng]} zoom={approximate ? 12 : 15} scrollWheelZoom={false} className="player-map">
      {tiles ? <TileLayer url={tiles.url} attribution={tiles.attribution} /> : null}
      <CircleMarker
        center={[lat, lng]}
        radius={approximate ? 18 : 9}
        pathOptions={{ color: '#b4232a', fillOpacity: approximate ? 0.15 : 0.8, dashArray: approximate ? '4 4' : undefined }}
      >
        <Tooltip permanent direction="top" offset={[0, -8]}>
          {label}
        </Tooltip>
      </CircleMarker>
    </MapContainer>
  )
}
