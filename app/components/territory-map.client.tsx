// The territory map (Leaflet; browser only): players from /api/v1/map, clustered on the
// server, over township boundaries and territories; and, for managers, polygon drawing
// (leaflet-geoman) for new territories and lassos. Draws with no tiles as well.
import L from 'leaflet'
import '@geoman-io/leaflet-geoman-free'
import { useEffect, useMemo, useRef } from 'react'
import { GeoJSON, MapContainer, TileLayer, Tooltip, useMap } from 'react-leaflet'
import { coverageColour } from '../domain/map-colours'
import { colourOf } from '../domain/map-colours'
import type { TileDatum, TileLayerSpec } from '../domain/map-tiles'
import { fromScreen, geometryFromDatum, geometryToDatum, toScreen } from './map-datum'

export interface MapTownship {
  code: string
  name: string
  boundary: string
}

export interface MapTerritory {
  id: number
  name: string
  officerName: string | null
  geometry: string | null
  townshipCodes: string | null
  players: number
}

export type DrawMode = 'territory' | 'lasso' | null

interface MapFeature {
  type: 'Feature'
  geometry: { type: 'Point'; coordinates: [number, number] }
  properties: { cluster: true; count: number } | { cluster: false; id: number; name: string; status: string }
}

export interface TerritoryMapProps {
  townships: MapTownship[]
  territories: MapTerritory[]
  tiles: TileLayerSpec | null
  colour: 'candidate' | 'campaign'
  /** The registry filters, as a query string for /api/v1/map. */
  query: string
  statusLabels: Record<string, string>
  labels: { open: string; cluster: string; unassigned: string }
  drawMode: DrawMode
  /** A finished drawing (GeoJSON Polygon geometry, WGS-84). */
  onDrawn: (geometry: { type: 'Polygon'; coordinates: number[][][] }) => void
  /** A point to show (where an overlap was found), as stored: [lng, lat] in WGS-84. */
  highlight: [number, number] | null
  /** Bumped to finish the polygon being drawn (the "Finish" button). */
  finishSignal: number
  /** The drawn territory whose corners are being edited, if any. */
  editingId: number | null
  /** Bumped to hand back the edited shape (the "Save shape" button). */
  saveShapeSignal: number
  /** The edited shape (GeoJSON Polygon or MultiPolygon geometry, WGS-84). */
  onShapeEdited: (geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }) => void
  /** When given, townships and territories are shaded by coverage (visited ÷ assigned). */
  coverage?: MapCoverage | null
  describeCoverage?: (c: AreaCoverage) => string
  /** A finished drawing waiting for its form (WGS-84 GeoJSON text): kept in sight until saved or cancelled. */
  pending?: { mode: 'territory' | 'lasso'; geometry: string } | null
  /** The page's language: geoman's own tips and buttons follow it. */
  lang: 'zh' | 'en'
}

export interface AreaCoverage {
  assigned: number
  visited: number
  coverage: number | null
}

export interface MapCoverage {
  townships: Record<string, AreaCoverage>
  territories: Record<string, AreaCoverage>
}

const FALLBACK_CENTRE: [number, number] = [33.78, 114.53]

export function TerritoryMap(props: TerritoryMapProps) {
  // Everything is stored in WGS-84 and drawn in the tiles' datum (GCJ-02 on AMap).
  const datum = props.tiles?.datum ?? 'wgs84'
  const townshipShapes = useMemo(() => {
    const byCode = new Map<string, GeoJSON.Geometry>()
    for (const t of props.townships) byCode.set(t.code, geometryToDatum(datum, JSON.parse(t.boundary) as GeoJSON.Polygon))
    return byCode
  }, [props.townships, datum])
  const bounds = useMemo(() => {
    const all = L.latLngBounds([])
    for (const g of townshipShapes.values()) all.extend(L.geoJSON(g as GeoJSON.GeoJsonObject).getBounds())
    for (const ter of props.territories) if (ter.geometry) all.extend(L.geoJSON(geometryToDatum(datum, JSON.parse(ter.geometry) as GeoJSON.Polygon)).getBounds())
    return all.isValid() ? all : null
  }, [townshipShapes, props.territories, datum])

  return (
    <MapContainer
      // react-leaflet prefers a centre over bounds: give the centre only when there are no bounds.
      center={bounds ? undefined : FALLBACK_CENTRE}
      zoom={bounds ? undefined : 10}
      bounds={bounds ?? undefined}
      className={`territory-map${props.tiles ? '' : ' no-tiles'}`}
      preferCanvas={false}
    >
      {props.tiles ? <TileLayer url={props.tiles.url} attribution={props.tiles.attribution} subdomains={props.tiles.subdomains} /> : null}
      {props.townships.map((t) => {
        const covered = props.coverage?.townships[t.code]
        return covered ? (
          <GeoJSON
            key={`tw-${t.code}-${covered.visited}-${covered.assigned}`}
            data={townshipShapes.get(t.code) as GeoJSON.GeoJsonObject}
            style={{ color: '#475569', weight: 1, fillColor: coverageColour(covered.coverage), fillOpacity: 0.45, className: 'coverage-shade' }}
            pmIgnore
          >
            <Tooltip sticky>
              {t.name} · {props.describeCoverage?.(covered)}
            </Tooltip>
          </GeoJSON>
        ) : (
          <GeoJSON
            key={`tw-${t.code}`}
            data={townshipShapes.get(t.code) as GeoJSON.GeoJsonObject}
            style={{ color: '#64748b', weight: 1, dashArray: '4 3', fillOpacity: 0.02 }}
            interactive={false}
          />
        )
      })}
      {props.territories.map((ter) => {
        const shapes: GeoJSON.Geometry[] = []
        if (ter.geometry) shapes.push(geometryToDatum(datum, JSON.parse(ter.geometry) as GeoJSON.Polygon))
        for (const code of ter.townshipCodes ? (JSON.parse(ter.townshipCodes) as string[]) : []) {
          const shape = townshipShapes.get(code)
          if (shape) shapes.push(shape)
        }
        const collection: GeoJSON.FeatureCollection = {
          type: 'FeatureCollection',
          features: shapes.map((geometry) => ({ type: 'Feature', geometry, properties: {} })),
        }
        const covered = props.coverage?.territories[String(ter.id)]
        return (
          // Keyed by content, so a redrawn, reassigned or newly shaded territory is drawn afresh.
          <GeoJSON
            key={`ter-${ter.id}-${ter.officerName}-${ter.players}-${covered ? `${covered.visited}/${covered.assigned}` : ''}`}
            data={collection}
            style={
              covered
                ? { color: '#b4232a', weight: 2, fillColor: coverageColour(covered.coverage), fillOpacity: 0.5, className: 'coverage-shade' }
                : { color: '#b4232a', weight: 2, fillColor: '#b4232a', fillOpacity: 0.08 }
            }
            pmIgnore
          >
            <Tooltip sticky>
              {ter.name} · {ter.officerName ?? props.labels.unassigned} · {ter.players}
              {covered ? ` · ${props.describeCoverage?.(covered)}` : ''}
            </Tooltip>
          </GeoJSON>
        )
      })}
      {props.pending ? (
        <GeoJSON
          key={`pending-${props.pending.geometry}`}
          data={geometryToDatum(datum, JSON.parse(props.pending.geometry) as GeoJSON.Polygon) as GeoJSON.GeoJsonObject}
          style={{
            color: props.pending.mode === 'lasso' ? '#2563eb' : '#b4232a',
            weight: 3,
            dashArray: '6 4',
            fillOpacity: 0.15,
            className: 'pending-shape',
          }}
          interactive={false}
          pmIgnore
        />
      ) : null}
      <GeomanLanguage lang={props.lang} />
      <PlayersLayer datum={datum} colour={props.colour} query={props.query} statusLabels={props.statusLabels} labels={props.labels} />
      <Drawing mode={props.drawMode} onDrawn={(geometry) => props.onDrawn(geometryFromDatum(datum, geometry))} finishSignal={props.finishSignal} />
      <ShapeEditor
        geometry={props.territories.find((ter) => ter.id === props.editingId)?.geometry ?? null}
        datum={datum}
        saveSignal={props.saveShapeSignal}
        onSaved={props.onShapeEdited}
      />
      <Highlight at={props.highlight ? toScreen(datum, props.highlight[0], props.highlight[1]) : null} />
    </MapContainer>
  )
}

/** geoman's tooltips and buttons in the page's language (it ships Chinese and English). */
function GeomanLanguage({ lang }: { lang: 'zh' | 'en' }) {
  const map = useMap()
  useEffect(() => {
    map.pm.setLang(lang)
  }, [map, lang])
  return null
}

/** Players in view: fetched on every move, clusters as counted circles, players as dots. */
function PlayersLayer({
  datum,
  colour,
  query,
  statusLabels,
  labels,
}: Pick<TerritoryMapProps, 'colour' | 'query' | 'statusLabels' | 'labels'> & { datum: TileDatum }) {
  const map = useMap()
  const layer = useRef<L.LayerGroup | null>(null)
  useEffect(() => {
    const group = L.layerGroup().addTo(map)
    layer.current = group
    let controller: AbortController | null = null
    const load = async () => {
      controller?.abort()
      controller = new AbortController()
      const b = map.getBounds()
      const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
      // The view's corners back in stored positions, for the query.
      const [west, south] = fromScreen(datum, b.getSouth(), b.getWest())
      const [east, north] = fromScreen(datum, b.getNorth(), b.getEast())
      const bbox = [clamp(west, -180, 180), clamp(south, -90, 90), clamp(east, -180, 180), clamp(north, -90, 90)]
      const params = new URLSearchParams(query)
      params.set('bbox', bbox.map((v) => v.toFixed(6)).join(','))
      params.set('zoom', String(Math.round(map.getZoom())))
      params.set('colour', colour)
      try {
        const response = await fetch(`/api/v1/map?${params}`, { signal: controller.signal, headers: { Accept: 'application/json' } })
        if (!response.ok) return
        const collection = (await response.json()) as { features: MapFeature[] }
        group.clearLayers()
        for (const f of collection.features) {
          const [lat, lng] = toScreen(datum, f.geometry.coordinates[0], f.geometry.coordinates[1])
          const p = f.properties
          if (p.cluster) {
            const size = p.count >= 1000 ? 48 : p.count >= 100 ? 40 : p.count >= 10 ? 32 : 26
            const marker = L.marker([lat, lng], {
              icon: L.divIcon({ className: 'cluster-icon', html: `<span>${p.count}</span>`, iconSize: [size, size] }),
              title: labels.cluster.replace('{count}', String(p.count)),
              keyboard: true,
            })
            marker.on('click', () => map.setView([lat, lng], Math.min(map.getZoom() + 2, map.getMaxZoom() || 18)))
            group.addLayer(marker)
          } else {
            const marker = L.circleMarker([lat, lng], {
              radius: 7,
              color: '#fff',
              weight: 1.5,
              fillColor: colourOf(colour, p.status),
              fillOpacity: 0.95,
              className: 'player-dot',
            })
            marker.bindPopup(() => popupCard(p, statusLabels, labels.open))
            group.addLayer(marker)
          }
        }
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error
      }
    }
    map.on('moveend', load)
    void load()
    return () => {
      controller?.abort()
      map.off('moveend', load)
      group.remove()
    }
  }, [map, datum, colour, query, statusLabels, labels])
  return null
}

/** The card a player's dot opens: built from DOM nodes, so a name is never read as HTML. */
function popupCard(p: { id: number; name: string; status: string }, statusLabels: Record<string, string>, open: string): HTMLElement {
  const card = document.createElement('div')
  card.className = 'map-card'
  const name = document.createElement('strong')
  name.textContent = p.name
  const status = document.createElement('div')
  status.textContent = statusLabels[p.status] ?? p.status
  const link = document.createElement('a')
  link.href = `/players/${p.id}`
  link.textContent = open
  card.append(name, status, link)
  return card
}

/** Polygon drawing with leaflet-geoman: one polygon at a time, handed back as GeoJSON. */
function Drawing({ mode, onDrawn, finishSignal }: { mode: DrawMode; onDrawn: TerritoryMapProps['onDrawn']; finishSignal: number }) {
  const map = useMap()
  const onDrawnRef = useRef(onDrawn)
  onDrawnRef.current = onDrawn
  useEffect(() => {
    if (!mode) return
    // While drawing, a click on a marker places a corner instead of opening or zooming.
    map.getContainer().classList.add('drawing')
    const colour = mode === 'lasso' ? '#2563eb' : '#b4232a'
    map.pm.enableDraw('Polygon', { snappable: false, templineStyle: { color: colour }, hintlineStyle: { color: colour, dashArray: [5, 5] }, pathOptions: { color: colour } })
    const created = (e: { layer: L.Layer }) => {
      const geometry = (e.layer as L.Polygon).toGeoJSON().geometry as { type: 'Polygon'; coordinates: number[][][] }
      e.layer.remove()
      onDrawnRef.current(geometry)
    }
    map.on('pm:create', created as L.LeafletEventHandlerFn)
    return () => {
      map.off('pm:create', created as L.LeafletEventHandlerFn)
      map.pm.disableDraw()
      map.getContainer().classList.remove('drawing')
    }
  }, [map, mode])
  useEffect(() => {
    if (!finishSignal || !mode) return
    // geoman's polygon tool has no public "finish"; its handler is what a click on the first vertex calls.
    const polygon = (map.pm.Draw as unknown as { Polygon?: { _finishShape?: () => void } }).Polygon
    polygon?._finishShape?.()
  }, [map, finishSignal, mode])
  return null
}

/**
 * A saved territory's corners, editable with leaflet-geoman: drag a corner, drag a
 * midpoint to add one, right-click a corner to remove it. The shape goes back on "Save".
 */
function ShapeEditor({
  geometry,
  datum,
  saveSignal,
  onSaved,
}: {
  geometry: string | null
  datum: TileDatum
  saveSignal: number
  onSaved: TerritoryMapProps['onShapeEdited']
}) {
  const map = useMap()
  const layer = useRef<L.GeoJSON | null>(null)
  const onSavedRef = useRef(onSaved)
  onSavedRef.current = onSaved
  useEffect(() => {
    if (!geometry) return
    const shape = L.geoJSON(geometryToDatum(datum, JSON.parse(geometry) as GeoJSON.Polygon) as GeoJSON.GeoJsonObject, {
      style: { color: '#7c3aed', weight: 3, fillColor: '#7c3aed', fillOpacity: 0.12 },
    }).addTo(map)
    shape.eachLayer((part) => (part as L.Polygon).pm.enable({ allowSelfIntersection: false, snappable: false }))
    layer.current = shape
    map.getContainer().classList.add('drawing')
    map.fitBounds(shape.getBounds(), { padding: [40, 40] })
    return () => {
      shape.eachLayer((part) => (part as L.Polygon).pm.disable())
      shape.remove()
      layer.current = null
      map.getContainer().classList.remove('drawing')
    }
  }, [map, geometry, datum])
  useEffect(() => {
    const shape = layer.current
    if (!saveSignal || !shape) return
    const parts = shape.getLayers().map((part) => (part as L.Polygon).toGeoJSON().geometry as GeoJSON.Polygon | GeoJSON.MultiPolygon)
    const polygons = parts.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates))
    const edited = polygons.length === 1 ? { type: 'Polygon' as const, coordinates: polygons[0] } : { type: 'MultiPolygon' as const, coordinates: polygons }
    onSavedRef.current(geometryFromDatum(datum, edited))
  }, [saveSignal, datum])
  return null
}

/** `at` is [lat, lng] on the tiles. */
function Highlight({ at }: { at: [number, number] | null }) {
  const map = useMap()
  useEffect(() => {
    if (!at) return
    const [lat, lng] = at
    const marker = L.circleMarker([lat, lng], { radius: 12, color: '#dc2626', weight: 3, fillOpacity: 0.2, className: 'overlap-point' }).addTo(map)
    map.panTo([lat, lng])
    return () => {
      marker.remove()
    }
  }, [map, at])
  return null
}
