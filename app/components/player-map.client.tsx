// A small map of one player (Leaflet; browser only). Draws with no tiles as well.
import { CircleMarker, MapContainer, TileLayer, Tooltip } from 'react-leaflet'
import type { TileLayerSpec } from '../domain/map-tiles'
import { toScreen } from './map-datum'

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
  // Stored in WGS-84; drawn in the tiles' datum (GCJ-02 on AMap).
  const at = toScreen(tiles?.datum ?? 'wgs84', lng, lat)
  return (
    <MapContainer center={at} zoom={approximate ? 12 : 15} scrollWheelZoom={false} className="player-map">
      {tiles ? <TileLayer url={tiles.url} attribution={tiles.attribution} subdomains={tiles.subdomains} /> : null}
      <CircleMarker
        center={at}
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
