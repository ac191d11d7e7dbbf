// The map: players in scope (clustered by /api/v1/map), township boundaries, territories;
// the registry's filters in the URL; for managers, drawing territories and lassos, posted
// to /territories.
import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useFetcher, useLoaderData, useSearchParams } from '@remix-run/react'
import leafletStyles from 'leaflet/dist/leaflet.css'
import geomanStyles from '@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css'
import { useEffect, useMemo, useState } from 'react'
import { ActionResult, Field, SelectField } from '../components/field'
import { ClientOnly } from '../components/hydrated'
import { RatioLegend } from '../components/ratio-legend'
import { PlayerFilterFields } from '../components/player-filter-fields'
import { TerritoryMap, type DrawMode, type MapCoverage } from '../components/territory-map.client'
import { CANDIDATE_STATUSES } from '../domain/first-lender'
import { CAMPAIGN_COLOURS, CANDIDATE_COLOURS } from '../domain/map-colours'
import { tileLayerFor } from '../domain/map-tiles'
import { CAMPAIGN_STATUSES } from '../domain/market-player'
import { can } from '../domain/roles'
import { requireUser, userScope } from '../http/guards.server'
import { useLocale, useT } from '../i18n/use-t'
import { listTownshipBoundaries } from '../services/map-layers.server'
import { listTerritories } from '../services/territories/list-territories.server'
import { listUsers } from '../services/users/list-users.server'
import type { TerritoryActionData } from './territories._index'
import type { ShapeCount } from './territories.shape-count'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: leafletStyles },
  { rel: 'stylesheet', href: geomanStyles },
]

/** The filters the map takes from the registry's (the others still apply when in the URL). */
const MAP_FILTERS = ['kind', 'candidate', 'qualification', 'loan', 'unassigned', 'officer', 'township', 'status', 'q'] as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const scope = userScope(user)
  const canManage = can(user.role, 'territories:manage')
  const territories = await listTerritories(context.db, { scope })
  const territoryTownships = territories.flatMap((t) => (t.townshipCodes ? (JSON.parse(t.townshipCodes) as string[]) : []))
  const [townships, officers] = await Promise.all([
    listTownshipBoundaries(context.db, scope, { alsoCodes: territoryTownships }),
    user.role === 'officer' ? Promise.resolve([]) : listUsers(context.db, scope, { role: 'officer', active: true }),
  ])
  return {
    townships,
    territories: territories.map((t) => ({
      id: t.id,
      name: t.name,
      officerName: t.officerName,
      geometry: t.geometry,
      townshipCodes: t.townshipCodes,
      players: t.players,
    })),
    officers: officers.map((o) => ({ id: o.id, name: o.name, username: o.username })),
    tiles: tileLayerFor(context.config.mapTiles, context.config.mapTilesKey),
    canManage,
    isOfficer: user.role === 'officer',
  }
}

export default function MapPage() {
  const { townships, territories, officers, tiles, canManage, isOfficer } = useLoaderData<typeof loader>()
  const t = useT()
  const [params] = useSearchParams()
  // Shading by coverage colours the players by campaign status too.
  const shading = params.get('colour') === 'coverage'
  const colour = params.get('colour') === 'campaign' || shading ? 'campaign' : 'candidate'
  const [coverage, setCoverage] = useState<MapCoverage | null>(null)
  useEffect(() => {
    if (!shading) return setCoverage(null)
    let live = true
    void fetch('/api/v1/coverage', { headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? (r.json() as Promise<MapCoverage>) : null))
      .then((c) => live && setCoverage(c))
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [shading])
  const query = useMemo(() => {
    const q = new URLSearchParams()
    for (const key of MAP_FILTERS) {
      const value = params.get(key)
      if (value) q.set(key, value)
    }
    return q.toString()
  }, [params])
  const statusLabels = useMemo(
    () =>
      Object.fromEntries([
        ...CANDIDATE_STATUSES.map((s) => [s, t(`candidateStatus.${s}`)]),
        ...CAMPAIGN_STATUSES.map((s) => [s, t(`campaignStatus.${s}`)]),
      ]) as Record<string, string>,
    [t],
  )
  const labels = useMemo(() => ({ open: t('map.open'), cluster: t('map.cluster'), unassigned: t('territory.unassignedOfficer') }), [t])

  const [drawMode, setDrawMode] = useState<DrawMode>(null)
  const [drawn, setDrawn] = useState<{ mode: 'territory' | 'lasso'; geometry: string } | null>(null)
  const [finishSignal, setFinishSignal] = useState(0)
  const [editing, setEditing] = useState<number | null>(null)
  const [saveShapeSignal, setSaveShapeSignal] = useState(0)
  const drawnTerritories = territories.filter((ter) => ter.geometry)
  const fetcher = useFetcher<TerritoryActionData>()
  // How many players the drawn shape holds, asked of the server as soon as it is closed.
  const counter = useFetcher<ShapeCount>()
  const counted = drawn && counter.state === 'idle' && counter.data && 'inside' in counter.data ? counter.data : null
  const locale = useLocale()
  const result = fetcher.state === 'idle' ? fetcher.data : undefined
  const overlapAt = useMemo<[number, number] | null>(() => {
    const p = result?.formError?.params
    return p && p.lng !== undefined && p.lat !== undefined && p.lng !== '' ? [Number(p.lng), Number(p.lat)] : null
  }, [result])
  // A saved drawing closes its form; a saved shape ends its editing.
  useEffect(() => {
    if (result?.done) {
      setDrawn(null)
      if (result.intent === 'redraw') setEditing(null)
    }
  }, [result])

  const filtered = [...MAP_FILTERS, 'colour'].filter((key) => params.get(key)).length
  const legend = colour === 'campaign' ? CAMPAIGN_STATUSES.map((s) => [s, CAMPAIGN_COLOURS[s]] as const) : CANDIDATE_STATUSES.map((s) => [s, CANDIDATE_COLOURS[s]] as const)
  const officerOptions = [{ value: '', label: t('territory.chooseOfficer') }, ...officers.map((o) => ({ value: o.id, label: `${o.name} (${o.username})` }))]

  return (
    <div className="stack map-page">
      <div className="title-row">
        <h1>{t('map.title')}</h1>
        {isOfficer ? null : (
          <Link to="/territories" className="button-link">
            {t('nav.territories')}
          </Link>
        )}
      </div>
      {/* Folded, so the map comes first on a phone and a laptop alike; the summary counts what is
          chosen. Keyed by the filters so it folds again once they are applied. */}
      <details className="card filters map-filters" key={`${query}|${params.get('colour') ?? ''}`}>
        <summary>{filtered ? t('map.filtersChosen', { count: filtered }) : t('map.filters')}</summary>
        <Form method="get">
          <div className="form-grid">
            <SelectField
              label={t('map.colour')}
              name="colour"
              defaultValue={shading ? 'coverage' : colour}
              options={[
                { value: 'candidate', label: t('map.colour.candidate') },
                { value: 'campaign', label: t('map.colour.campaign') },
                { value: 'coverage', label: t('map.colour.coverage') },
              ]}
            />
            <PlayerFilterFields only={isOfficer ? ['kind', 'candidate', 'qualification', 'loan'] : ['kind', 'candidate', 'qualification', 'loan', 'officer', 'unassigned']} officers={officers} />
          </div>
          <button type="submit" className="primary">
            {t('map.apply')}
          </button>
        </Form>
      </details>

      {canManage ? (
        <div className="map-tools" role="toolbar" aria-label={t('map.draw')}>
          {drawMode ? (
            <>
              <span className="muted small">{t('map.drawHint')}</span>
              <button type="button" onClick={() => setFinishSignal((n) => n + 1)}>
                {t('map.finish')}
              </button>
              <button type="button" onClick={() => setDrawMode(null)}>
                {t('map.cancel')}
              </button>
            </>
          ) : editing !== null ? (
            <>
              <span className="muted small">{t('map.editHint')}</span>
              <button type="button" className="primary" disabled={fetcher.state !== 'idle'} onClick={() => setSaveShapeSignal((n) => n + 1)}>
                {t('map.saveShape')}
              </button>
              <button type="button" onClick={() => setEditing(null)}>
                {t('map.cancel')}
              </button>
            </>
          ) : (
            <>
              <button type="button" onClick={() => (setDrawn(null), setDrawMode('territory'))}>
                {t('map.draw')}
              </button>
              <button type="button" onClick={() => (setDrawn(null), setDrawMode('lasso'))}>
                {t('map.lasso')}
              </button>
              {drawnTerritories.length > 0 ? (
                <label className="inline-field">
                  <span>{t('map.edit')}</span>
                  <select aria-label={t('map.editWhich')} value="" onChange={(e) => e.target.value && (setDrawn(null), setEditing(Number(e.target.value)))}>
                    <option value="">{t('map.editWhich')}</option>
                    {drawnTerritories.map((ter) => (
                      <option key={ter.id} value={ter.id}>
                        {ter.name}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
            </>
          )}
        </div>
      ) : null}

      <ActionResult done={result?.done} formError={result?.formError} />

      {drawn ? (
        <fetcher.Form method="post" action="/territories" className="card stack drawn-form">
          <h2>{drawn.mode === 'territory' ? t('map.newTerritory') : t('map.lassoTitle')}</h2>
          <input type="hidden" name="intent" value={drawn.mode === 'territory' ? 'create' : 'lasso'} />
          <input type="hidden" name="geometry" value={drawn.geometry} />
          <p className="muted" role="status" data-testid="shape-count">
            {counted
              ? counted.mode === 'territory'
                ? t('map.insideTerritory', { inside: counted.inside, follow: counted.follow ?? 0, keepOwn: counted.keepOwn ?? 0 })
                : t('map.insideLasso', { inside: counted.inside })
              : counter.state !== 'idle'
                ? t('map.counting')
                : null}
          </p>
          <div className="form-grid">
            {drawn.mode === 'territory' ? <Field label={t('territory.name')} name="name" required maxLength={60} errors={result?.errors?.name} /> : null}
            <SelectField label={t('territory.officer')} name="officerId" required options={officerOptions} errors={result?.errors?.officerId} />
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={fetcher.state !== 'idle'}>
              {drawn.mode === 'territory' ? t('territory.create') : t('assign.submit')}
            </button>
            <button type="button" onClick={() => setDrawn(null)}>
              {t('map.cancel')}
            </button>
          </div>
        </fetcher.Form>
      ) : null}

      <ClientOnly fallback={<div className="territory-map" aria-busy="true" />}>
        {() => (
          <TerritoryMap
            townships={townships}
            territories={territories}
            tiles={tiles}
            colour={colour}
            query={query}
            statusLabels={statusLabels}
            labels={labels}
            drawMode={drawMode}
            finishSignal={finishSignal}
            editingId={editing}
            saveShapeSignal={saveShapeSignal}
            onShapeEdited={(geometry) => {
              if (editing === null) return
              fetcher.submit({ intent: 'redraw', territoryId: String(editing), geometry: JSON.stringify(geometry) }, { method: 'post', action: '/territories' })
            }}
            highlight={overlapAt}
            coverage={coverage}
            describeCoverage={(c) => (c.coverage === null ? t('map.coverageNone') : t('map.coverageOf', { percent: Math.round(c.coverage * 100), visited: c.visited, assigned: c.assigned }))}
            pending={drawn}
            lang={locale === 'en' ? 'en' : 'zh'}
            onDrawn={(geometry) => {
              const mode = drawMode ?? 'territory'
              setDrawn({ mode, geometry: JSON.stringify(geometry) })
              counter.submit({ mode, geometry: JSON.stringify(geometry) }, { method: 'post', action: '/territories/shape-count' })
              setDrawMode(null)
            }}
          />
        )}
      </ClientOnly>
      {townships.some((b) => b.generated) ? (
        <p className="muted small" data-testid="schematic-note">
          {t('map.schematic')}
        </p>
      ) : null}
      {tiles ? null : <p className="muted small">{t('map.noTiles')}</p>}
      {shading ? (
        <RatioLegend title={t('map.coverageLegend')} testId="coverage-legend" />
      ) : null}
      <div className="legend" aria-label={t('map.legend')}>
        {legend.map(([status, fill]) => (
          <span key={status} className="legend-item">
            <span className="legend-dot" style={{ background: fill }} /> {statusLabels[status]}
          </span>
        ))}
      </div>
    </div>
  )
}
