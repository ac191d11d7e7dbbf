// The dashboard's township map (Leaflet; browser only): each township in scope shaded by a
// ratio (coverage or first-lender ratio) in the map's five coverage colours, its name and
// value on hover or tap. Draws with no tiles as well. The boundaries come apart from the page
// (GET /api/v1/townships, kept by the browser): the page carries only codes and values.
import L from 'leaflet'
import { useEffect, useMemo, useState } from 'react'
import { GeoJSON, MapContainer, TileLayer } from 'react-leaflet'
import { coverageColour } from '../domain/map-colours'
import type { TileLayerSpec } from '../domain/map-tiles'
import { geometryToDatum } from './map-datum'

export interface ShadedTownship {
  code: string
  name: string
  value: number | null
}

type Boundaries = Map<string, GeoJSON.Geometry>

/** Fetched once per page load, whatever is shaded or narrowed to. */
let boundaries: Promise<Boundaries> | null = null
function townshipBoundaries(): Promise<Boundaries> {
  boundaries ??= fetch('/api/v1/townships', { credentials: 'same-origin' })
    .then((response) => {
      if (!response.ok) throw new Error(`township boundaries answered ${response.status}`)
      return response.json() as Promise<GeoJSON.FeatureCollection>
    })
    .then((collection) => new Map(collection.features.map((f) => [String(f.properties?.code), f.geometry])))
    .catch((error: unknown) => {
      // Asked again next time rather than failing for good.
      boundaries = null
      throw error
    })
  return boundaries
}

const FALLBACK_CENTRE: [number, number] = [33.78, 114.53]

export function TownshipFiguresMap({ townships, tiles, describe, failed }: { townships: ShadedTownship[]; tiles: TileLayerSpec | null; describe: (t: ShadedTownship) => string; failed: string }) {
  const datum = tiles?.datum ?? 'wgs84'
  const [shapes, setShapes] = useState<Boundaries | 'failed' | null>(null)
  useEffect(() => {
    let current = true
    townshipBoundaries().then(
      (found) => current && setShapes(found),
      () => current && setShapes('failed'),
    )
    return () => {
      current = false
    }
  }, [])
  const collection = useMemo<GeoJSON.FeatureCollection>(
    () => ({
      type: 'FeatureCollection',
      features:
        shapes instanceof Map
          ? townships.flatMap((t) => {
              const geometry = shapes.get(t.code)
              return geometry ? [{ type: 'Feature' as const, properties: { code: t.code }, geometry: geometryToDatum(datum, geometry as GeoJSON.Polygon) }] : []
            })
          : [],
    }),
    [townships, datum, shapes],
  )
  const byCode = useMemo(() => new Map(townships.map((t) => [t.code, t])), [townships])
  const bounds = useMemo(() => (collection.features.length ? L.geoJSON(collection).getBounds() : null), [collection])
  if (shapes === 'failed') return <p className="field-errors" role="alert">{failed}</p>
  if (shapes === null) return <div className="township-figures-map" aria-busy="true" />
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
          // As text: Leaflet would take a string for HTML.
          if (township) layer.bindTooltip(textElement(describe(township)), { sticky: true })
          ;(layer as L.Path).getElement?.()?.setAttribute('data-township-shape', feature.properties.code)
        }}
      />
    </MapContainer>
  )
}

function textElement(text: string): HTMLElement {
  const span = document.createElement('span')
  span.textContent = text
  return span
}
