// The officer's day as a route (issue 24 item 4): from today's list the officer ticks the
// stops (up to 50), and the phone orders them into a short round from where the officer
// stands (domain/route-plan.ts), draws it numbered on the map, gives each leg's distance and
// hands the first stop to the navigation app. A reorder by hand is kept on the phone for the
// day (localStorage, by officer and China-time day). Everything after the list arrives runs
// in the browser, so with the list cached by the service worker it plans with no signal.
// `my_` keeps it out of /my's layout: /my renders no outlet.
import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import leafletStyles from 'leaflet/dist/leaflet.css'
import { Component, lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react'
import { ClientOnly } from '../components/hydrated'
import { todayInChina } from '../domain/china-time'
import { tileLayerFor } from '../domain/map-tiles'
import { navigationLinks } from '../domain/navigation-links'
import { keptOrder, MAX_ROUTE_STOPS, moveStop, planRoute, routeLegs, routeStorageKey, toggleStop } from '../domain/route-plan'
import { actorOf, requirePermission } from '../http/guards.server'
import { useT } from '../i18n/use-t'
import { findMyList } from '../services/visits/find-my-list.server'

/** An officer's page: it hydrates with the field part of the messages (i18n/message-parts.ts). */
export const handle = { messages: 'field' }

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: leafletStyles }]

// Leaflet travels only once the page works (decision 0341); fetched early so it is on the phone offline.
const loadRouteMap = () => import('../components/route-map.client')
const RouteMap = lazy(() => loadRouteMap().then((m) => ({ default: m.RouteMap })))

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'visits:log')
  const { today, items } = await findMyList(context.db, { actor: { ...actorOf(user, context), id: user.id }, pii: context.pii }, { withPhones: false })
  const agent = request.headers.get('User-Agent')
  const placed = items.filter((i) => i.lat !== null && i.lng !== null)
  return {
    today,
    officerId: user.id,
    stops: placed.map((i) => ({
      id: i.id,
      name: i.name,
      place: [i.townshipName, i.address].filter(Boolean).join(' · '),
      lat: i.lat!,
      lng: i.lng!,
      approximate: i.approximate,
      navigate: navigationLinks({ lat: i.lat!, lng: i.lng! }, i.name, agent),
    })),
    unplaced: items.length - placed.length,
    tiles: tileLayerFor(context.config.mapTiles, context.config.mapTilesKey),
  }
}

type Stop = Awaited<ReturnType<typeof loader>>['stops'][number]
type Start = { kind: 'me'; lat: number; lng: number; accuracy: number } | { kind: 'first'; id: number }
/** What the phone keeps for the day. */
interface Kept {
  chosen: number[]
  /** The planned (or hand-moved) order; null until planned. */
  order: number[] | null
  manual: boolean
  start: Start | null
}
const NOTHING_KEPT: Kept = { chosen: [], order: null, manual: false, start: null }

const formatMetres = (metres: number) => (metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${Math.round(metres)} m`)

function readKept(key: string): Kept {
  try {
    const raw = window.localStorage.getItem(key)
    const kept = raw ? (JSON.parse(raw) as Partial<Kept>) : null
    if (!kept || !Array.isArray(kept.chosen)) return NOTHING_KEPT
    return { chosen: kept.chosen.filter(Number.isInteger), order: Array.isArray(kept.order) ? kept.order.filter(Number.isInteger) : null, manual: kept.manual === true, start: kept.start ?? null }
  } catch {
    return NOTHING_KEPT // a damaged entry starts the day afresh
  }
}

/** The map loads as a chunk of its own; with no signal and not yet on the phone, the list still works. */
class MapOrNotice extends Component<{ notice: ReactNode; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false }
  static getDerivedStateFromError() {
    return { failed: true }
  }
  override render() {
    return this.state.failed ? this.props.notice : this.props.children
  }
}

export default function MyRoute() {
  const t = useT()
  const { officerId, stops, unplaced, tiles } = useLoaderData<typeof loader>()
  const byId = useMemo(() => new Map(stops.map((s) => [s.id, s])), [stops])
  const [key, setKey] = useState<string | null>(null)
  const [kept, setKept] = useState<Kept>(NOTHING_KEPT)
  const [refused, setRefused] = useState(false)
  const [locating, setLocating] = useState(false)

  // The day's route as this phone left it; a new China-time day starts empty.
  useEffect(() => {
    const k = routeStorageKey(officerId, todayInChina())
    setKept(readKept(k))
    setKey(k)
    void loadRouteMap().catch(() => undefined)
  }, [officerId])
  const keep = (next: Kept) => {
    setKept(next)
    if (key) window.localStorage.setItem(key, JSON.stringify(next))
  }

  // Stops that have left today's list since (visited, reassigned) drop out.
  const chosen = kept.chosen.filter((id) => byId.has(id))
  const order = kept.order ? keptOrder(kept.order, chosen) : null
  const startStop = kept.start?.kind === 'first' ? byId.get(kept.start.id) : undefined
  const start = kept.start?.kind === 'me' ? kept.start : startStop ?? null
  // Every stop unticked after planning leaves no route to show.
  const route = order && order.length > 0 && start ? order.map((id) => byId.get(id)!) : null
  const legs = route && start ? routeLegs(start, route, route.map((_, i) => i)) : []
  const total = legs.reduce((a, b) => a + b, 0)

  const choose = (id: number) => {
    const next = toggleStop(chosen, id)
    setRefused(next.refused)
    if (!next.refused) keep({ ...kept, chosen: next.chosen })
  }

  const planFrom = (from: Start) => {
    if (from.kind === 'me') {
      const picked = chosen.map((id) => byId.get(id)!)
      return planRoute(from, picked).order.map((i) => picked[i].id)
    }
    // No position: the first stop ticked is where the round starts and ends.
    const [first, ...rest] = chosen.map((id) => byId.get(id)!)
    return [first.id, ...planRoute(first, rest).order.map((i) => rest[i].id)]
  }
  const plan = () => {
    if (chosen.length === 0) return
    const done = (from: Start) => {
      setLocating(false)
      keep({ ...kept, chosen, order: planFrom(from), manual: false, start: from })
    }
    const fallback = () => done({ kind: 'first', id: chosen[0] })
    if (!('geolocation' in navigator)) return fallback()
    setLocating(true)
    navigator.geolocation.getCurrentPosition(
      (p) => done({ kind: 'me', lat: p.coords.latitude, lng: p.coords.longitude, accuracy: Math.round(p.coords.accuracy) }),
      fallback,
      { enableHighAccuracy: true, maximumAge: 60_000, timeout: 20_000 },
    )
  }
  const move = (index: number, by: -1 | 1) => order && keep({ ...kept, order: moveStop(order, index, by), manual: true })

  return (
    <div className="stack my-route">
      <div className="title-row">
        <h1>{t('my.route.title')}</h1>
        <Link to="/my">{t('my.route.backToList')}</Link>
      </div>
      <p className="muted">{t('my.route.intro', { max: MAX_ROUTE_STOPS })}</p>
      <noscript>
        <p className="notice">{t('my.route.needsScript')}</p>
      </noscript>

      {stops.length === 0 ? <p className="muted">{t('my.route.none')}</p> : null}
      {stops.length > 0 ? (
        <details className="card" open={!route}>
          <summary data-testid="route-chosen">{t('my.route.choose', { count: chosen.length, max: MAX_ROUTE_STOPS })}</summary>
          {refused ? (
            <p className="error" role="alert" data-testid="route-refused">
              {t('my.route.tooMany', { max: MAX_ROUTE_STOPS })}
            </p>
          ) : null}
          <ul className="route-choices">
            {stops.map((s) => (
              <li key={s.id}>
                <label>
                  <input type="checkbox" name="stop" value={s.id} checked={chosen.includes(s.id)} onChange={() => choose(s.id)} data-stop-id={s.id} />
                  <span>
                    {s.name}
                    {s.approximate ? <span className="muted small"> · {t('player.approximate')}</span> : null}
                  </span>
                </label>
              </li>
            ))}
          </ul>
          {unplaced > 0 ? <p className="muted small">{t('my.route.unplaced', { count: unplaced })}</p> : null}
        </details>
      ) : null}

      <ClientOnly>
        {() => (
          <div className="row-actions">
            <button type="button" className="primary" onClick={plan} disabled={chosen.length === 0 || locating}>
              {locating ? t('my.route.locating') : route ? t('my.route.replan') : t('my.route.plan')}
            </button>
          </div>
        )}
      </ClientOnly>

      {route && start && kept.start ? (
        <section className="stack" aria-label={t('my.route.order')}>
          <p className="muted" data-testid="route-start">
            {kept.start.kind === 'me' ? t('my.route.fromMe', { accuracy: kept.start.accuracy }) : t('my.route.fromFirst', { name: startStop?.name ?? '' })}
          </p>
          <p data-testid="route-total">
            <strong>{t('my.route.total', { distance: formatMetres(total), count: route.length })}</strong>
          </p>
          {kept.manual ? <p className="muted small">{t('my.route.manual')}</p> : null}
          <div className="row-actions">
            <a className="button-link" href={route[0].navigate.native} data-testid="route-navigate">
              {t('my.route.navigateFirst')}
            </a>
            <a className="small" href={route[0].navigate.amap} data-app="amap">
              {t('my.navigateAmap')}
            </a>
            <a className="small" href={route[0].navigate.baidu} data-app="baidu">
              {t('my.navigateBaidu')}
            </a>
          </div>
          <ClientOnly fallback={<div className="my-list-map" />}>
            {() => (
              <MapOrNotice notice={<p className="muted small">{t('my.route.mapUnavailable')}</p>}>
                <Suspense fallback={<div className="my-list-map" />}>
                  <RouteMap start={start} stops={route} tiles={tiles} />
                </Suspense>
              </MapOrNotice>
            )}
          </ClientOnly>
          <ol className="route-stops">
            {route.map((s: Stop, i) => (
              <li key={s.id} className="card route-stop" data-route-stop={s.id}>
                <span className="number" aria-hidden="true">
                  {i + 1}
                </span>
                <div>
                  <strong>{s.name}</strong>
                  <p className="muted small">
                    {s.place ? `${s.place} · ` : ''}
                    <span data-testid="route-leg">{t(i === 0 ? 'my.route.fromStart' : 'my.route.fromPrevious', { distance: formatMetres(legs[i]) })}</span>
                  </p>
                </div>
                <div className="moves">
                  <button type="button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={t('my.route.up', { name: s.name })}>
                    ↑
                  </button>
                  <button type="button" onClick={() => move(i, 1)} disabled={i === route.length - 1} aria-label={t('my.route.down', { name: s.name })}>
                    ↓
                  </button>
                </div>
              </li>
            ))}
          </ol>
          <p className="muted small" data-testid="route-back">
            {t('my.route.back', { distance: formatMetres(legs[legs.length - 1]) })}
          </p>
        </section>
      ) : null}
    </div>
  )
}
