// The dashboard's township map (Leaflet; browser only): each township in scope shaded by a
// ratio (coverage or first-lender ratio) in the map's five coverage colours, its name and
// value on hover or tap. Draws with no tiles as well.
import L from 'leaflet'
import { useMemo } from 'react'
import { GeoJSON, MapContainer, TileLayer } from 'react-leaflet'
import { coverageColour } from '../domain/map-colours'
import type { TileLayerSpec } from '../domain/map-tiles'
import { geometryToDatum } from './map-datum'

export interface ShadedTownship {
  code: string
  name: string
  boundary: string
  value: number | null
}

const FALLBACK_CENTRE: [number, number] = [33.78, 114.53]

export function TownshipFiguresMap({ townships, tiles, describe }: { townships: ShadedTownship[]; tiles: TileLayerSpec | null; describe: (t: ShadedTownship) => string }) {
  const datum = tiles?.datum ?? 'wgs84'
  const collection = useMemo<GeoJSON.FeatureCollection>(
    () => ({
      type: 'FeatureCollection',
      features: townships.map((t) => ({ type: 'Feature', properties: { code: t.code }, geometry: geometryToDatum(datum, JSON.parse(t.boundary) as GeoJSON.Polygon) })),
    }),
    [townships, datum],
  )
  const byCode = useMemo(() => new Map(townships.map((t) => [t.code, t])), [townships])
  const bounds = useMemo(() => (collection.features.length ? L.geoJSON(collection).getBounds() : null), [collection])
  return (
    <MapContainer className="township-figures-map" center={bounds ? undefined : FALLBACK_CENTRE} zoom={bounds ? undefined : 9} bounds={bounds ?? undefined} scrollWheelZoom={false}>
      {tiles ? <TileLayer url={tiles.url} attribution={tiles.attribution} subdomains={tiles.subdomains} /> : null}
      <GeoJSON
        // One layer for every township: a bank's 1,300 draw as one.
        key={townships.map((t) => `${t.code}:${t.value}`).join(',')}
        data={collection}
        style={(feature) => ({ color: '#ffffff', weight: 1, fillColor: coverageColour(byCode.get(feature?.properties.code)?.value ?? null), fillOpacity: 0.75 })}
        onEachFeature={(feature, layer) => {
          const township = byCode.get(feature.properties.code)
          if (township) layer.bindTooltip(describe(township), { sticky: true })
          ;(layer as L.Path).getElement?.()?.setAttribute('data-township-shape', feature.properties.code)
        }}
      />
    </MapContainer>
  )
}
