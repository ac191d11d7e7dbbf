// "My list": the officer's day on a phone. Follow-ups due and overdue, players never
// visited, visits left without an outcome; sorted by distance from where the officer
// stands, by township or by candidate flag; one tap to call, to navigate, to log a visit.
// Each card shows the player's nearest channel clock; the list sorts by it and filters to
// the overdue ones. The service worker keeps this page (and its players) for when there is no signal,
// with the consent text in force, so the owner signs the credit report consent offline too.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData, useRevalidator, useSearchParams } from '@remix-run/react'
import { lazy, startTransition, Suspense, useEffect, useMemo, useRef, useState } from 'react'
import { ConsentSheet } from '../components/consent-sheet'
import { ClientOnly } from '../components/hydrated'
import { MyListLegend } from '../components/my-list-legend'
import { keepLoadedFiles } from '../components/offline-support'
import { OutboxPanel, useOutbox } from '../components/outbox'
import { VisitForm, formatDistance, loadVisitChecks } from '../components/visit-form'
import { tileLayerFor } from '../domain/map-tiles'
import { can } from '../domain/roles'
import { distanceMetres, LIST_REASON_ORDER, telLink, type ListReason } from '../domain/visit'
import { navigationLinks } from '../domain/navigation-links'
import { actorOf, requirePermission, userScope } from '../http/guards.server'
import { useT } from '../i18n/use-t'
import { discardQueued, newVisitId, type QueuedVisit } from '../offline/outbox'
import { findCurrentConsentText } from '../services/consents/find-consent-text.server'
import { findNearestClocks } from '../services/clocks/my-clocks.server'
import { findMyList, type MyListItem } from '../services/visits/find-my-list.server'
import type { NearestClock } from '../domain/nearest-clock'

/** The officer's page: it hydrates with the field part of the messages (i18n/message-parts.ts). */
export const handle = { messages: 'field' }

// Leaflet, its stylesheet and the map code travel only when the officer opens the map.
const MyListMap = lazy(() => import('../components/my-list-map.client').then(async (m) => ({ default: (await m.loadMapStyles(), m.MyListMap) })))

export const SORTS = ['reason', 'distance', 'township', 'candidate', 'clock'] as const
/** Shown at first: an officer works the top of the list; the rest is a tap away (and all of it is on the phone). */
const FIRST_SHOWN = 100
/** Drawn by the server: a few screens of cards, so the list shows (and its links work) before the
 * scripts arrive on a weak signal; the page draws up to FIRST_SHOWN once it runs. */
export const FIRST_SCREEN = 12
type Sort = (typeof SORTS)[number]
const SORT_KEY = 'wanqi.my.sort'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'visits:log')
  const dial = can(user.role, 'personal-data:dial')
  const { today, items } = await findMyList(context.db, { actor: { ...actorOf(user, context), id: user.id }, pii: context.pii }, { withPhones: dial })
  const [clocks, consentText] = await Promise.all([findNearestClocks(context.db, { scope: userScope(user) }, { playerIds: items.map((i) => i.id) }), findCurrentConsentText(context.db)])
  const agent = request.headers.get('User-Agent')
  // Only what the cards show: the navigation links are made in the page from the position
  // (three long URLs a card, once the bulk of the data), the phone's kind from its User-Agent.
  return {
    today,
    agent,
    items: items.map(({ phone, kind: _kind, townshipCode: _code, lastVisitedAt: _at, lastOutcome: _outcome, ...item }) => ({
      ...item,
      clock: clocks.get(item.id) ?? null,
      call: phone ? telLink(phone) : null,
    })),
    radiusMetres: context.config.checkInRadiusMetres,
    // Kept with the list on the phone: the owner reads it and signs with no signal (decision 0541).
    consentText: consentText && { version: consentText.version, body: consentText.body, validDays: consentText.valid_days },
    tiles: tileLayerFor(context.config.mapTiles, context.config.mapTilesKey),
  }
}

type Item = Omit<MyListItem, 'phone' | 'kind' | 'townshipCode' | 'lastVisitedAt' | 'lastOutcome'> & { navigate: { native: string; amap: string; baidu: string } | null; call: string | null; clock: NearestClock | null }

function sortItems(items: Item[], sort: Sort, me: { lat: number; lng: number } | null): Item[] {
  const byReason = (a: Item, b: Item) => LIST_REASON_ORDER.indexOf(a.reason) - LIST_REASON_ORDER.indexOf(b.reason) || (a.nextFollowUpOn ?? '').localeCompare(b.nextFollowUpOn ?? '') || a.id - b.id
  const sorted = [...items]
  if (sort === 'distance' && me) {
    const d = (i: Item) => (i.lat === null || i.lng === null ? Infinity : distanceMetres(me, { lat: i.lat, lng: i.lng }))
    return sorted.sort((a, b) => d(a) - d(b) || a.id - b.id)
  }
  if (sort === 'township') return sorted.sort((a, b) => (a.townshipName ?? '\uffff').localeCompare(b.townshipName ?? '\uffff', 'zh-CN') || byReason(a, b))
  if (sort === 'candidate') {
    const rank = (i: Item) => ['candidate', 'to_verify', 'not_candidate'].indexOf(i.candidateStatus)
    return sorted.sort((a, b) => rank(a) - rank(b) || byReason(a, b))
  }
  if (sort === 'clock') return sorted.sort((a, b) => (a.clock?.dueAt ?? '\uffff').localeCompare(b.clock?.dueAt ?? '\uffff') || byReason(a, b))
  return sorted.sort(byReason)
}

function ClockBadge({ clock }: { clock: NearestClock }) {
  const t = useT()
  const name = t(`clocks.${clock.clock}`)
  const text = clock.overdue
    ? clock.workingDays === 0
      ? t('my.clock.overdueToday', { clock: name })
      : t('my.clock.overdue', { clock: name, count: clock.workingDays })
    : clock.workingDays === 0
      ? t('my.clock.dueToday', { clock: name })
      : t('my.clock.due', { clock: name, count: clock.workingDays })
  return (
    <span className={`badge clock-${clock.overdue ? 'overdue' : clock.workingDays === 0 ? 'due_soon' : 'open'}`} data-testid="my-clock">
      {text}
    </span>
  )
}

export default function MyList() {
  const t = useT()
  const { today, agent, items: listed, radiusMetres, tiles, consentText } = useLoaderData<typeof loader>()
  const items: Item[] = useMemo(
    () => listed.map((i) => ({ ...i, navigate: i.lat !== null && i.lng !== null ? navigationLinks({ lat: i.lat, lng: i.lng }, i.name, agent) : null })),
    [listed, agent],
  )
  const [params, setParams] = useSearchParams()
  const requested = params.get('sort')
  const [sort, setSort] = useState<Sort>((SORTS as readonly string[]).includes(requested ?? '') ? (requested as Sort) : 'reason')
  const [me, setMe] = useState<{ lat: number; lng: number; accuracy: number } | null>(null)
  const [locating, setLocating] = useState(false)
  const [logging, setLogging] = useState<{ item: Item; visitId: string; values?: Record<string, string> } | null>(null)
  const [justLogged, setJustLogged] = useState<Set<number>>(new Set())
  const [consenting, setConsenting] = useState<{ item: Item; consentId: string; replaces?: string } | null>(null)
  const [consentSaved, setConsentSaved] = useState<string | null>(null)
  const [showMap, setShowMap] = useState(false)
  const [showAll, setShowAll] = useState(params.get('all') === '1')
  // The server's first screens until the page runs, then the rest of the first hundred (rendered at low priority).
  const [running, setRunning] = useState(false)
  useEffect(() => startTransition(() => setRunning(true)), [])
  const limit = showAll ? Infinity : running ? FIRST_SHOWN : FIRST_SCREEN
  const [overdueOnly, setOverdueOnly] = useState(params.get('overdue') === '1')
  const formRef = useRef<HTMLDivElement>(null)
  const [saved, setSaved] = useState<{ name: string; visitId: string } | null>(null)
  const savedRef = useRef<HTMLDivElement>(null)
  const { queued, sent, ready } = useOutbox()
  const revalidator = useRevalidator()
  // Once the outbox has sent a visit, the list and its counts come again from the server.
  const lastSentAt = sent.reduce((latest, s) => Math.max(latest, s.sentAt), 0)
  const seenSentAt = useRef<number | null>(null)
  useEffect(() => {
    if (!ready) return
    if (seenSentAt.current !== null && lastSentAt > seenSentAt.current) revalidator.revalidate()
    seenSentAt.current = lastSentAt
    // The revalidator changes identity with its state; only a new send asks again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, lastSentAt])

  const locate = () => {
    if (!('geolocation' in navigator)) return
    setLocating(true)
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setMe({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: Math.round(p.coords.accuracy) })
        setLocating(false)
      },
      () => setLocating(false),
      { enableHighAccuracy: true, maximumAge: 60_000, timeout: 20_000 },
    )
  }
  // The sort chosen last is kept on this phone (localStorage): a reload, or the next morning, keeps it.
  useEffect(() => {
    const kept = window.localStorage.getItem(SORT_KEY)
    if (!requested && kept && (SORTS as readonly string[]).includes(kept)) setSort(kept as Sort)
    // Once, on arrival: a sort in the URL wins over the kept one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  // The visit form's checks, fetched once the list works, so the form works with no signal.
  useEffect(() => void loadVisitChecks().catch(() => undefined), [])
  // The signature pad's script too, kept by the service worker, so a consent is signed with no signal.
  useEffect(() => void import('signature_pad').then(keepLoadedFiles, () => undefined), [])
  const chooseSort = (next: Sort) => {
    setSort(next)
    window.localStorage.setItem(SORT_KEY, next)
  }
  useEffect(() => {
    if (sort === 'distance' && !me) locate()
    // Only when the sort changes: a fix that arrives (or fails) must not ask again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sort])
  useEffect(() => {
    if (logging || consenting) formRef.current?.scrollIntoView({ block: 'start' })
  }, [logging, consenting])
  // The confirmation appears where the form was, on screen (and is read out: aria-live).
  useEffect(() => {
    if (saved) savedRef.current?.scrollIntoView({ block: 'nearest' })
  }, [saved])

  const waiting = useMemo(() => new Set(queued.filter((q) => q.kind !== 'consent').map((q) => Number(q.values.playerId))), [queued])
  const consentWaiting = useMemo(() => new Set(queued.filter((q) => q.kind === 'consent').map((q) => Number(q.values.playerId))), [queued])
  const shown = useMemo(() => sortItems(items.filter((i) => !overdueOnly || i.clock?.overdue), sort, me), [items, sort, me, overdueOnly])
  const overdueClocks = items.filter((i) => i.clock?.overdue).length
  const counts = LIST_REASON_ORDER.map((r) => [r, items.filter((i) => i.reason === r).length] as const).filter(([, n]) => n > 0)

  const open = (item: Item) => {
    setConsenting(null)
    setLogging({ item, visitId: newVisitId() })
  }
  const openConsent = (item: Item, replaces?: string) => {
    setLogging(null)
    setConsentSaved(null)
    setConsenting({ item, consentId: newVisitId(), replaces })
  }
  const correct = (q: QueuedVisit) => {
    const item = items.find((i) => i.id === Number(q.values.playerId))
    if (!item) return
    // A refused consent is signed again (the text or the signature was the problem), never edited;
    // with a signal, on the text in force now (the list and its text are loaded again).
    if (q.kind === 'consent') {
      if (navigator.onLine) revalidator.revalidate()
      return openConsent(item, q.id)
    }
    const values = Object.fromEntries(Object.entries(q.values).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v ?? '')]))
    setLogging({ item, visitId: q.id, values })
  }

  return (
    <div className="stack my-list">
      <div className="title-row">
        <h1>{t('my.title')}</h1>
        <span className="muted">{today}</span>
      </div>
      <p className="muted" data-testid="my-counts">
        {counts.length ? counts.map(([r, n]) => t(`my.count.${r}`, { count: n })).join(' · ') : t('my.empty')}
        {overdueClocks > 0 ? <strong className="clock-overdue"> · {t('my.overdueClocks', { count: overdueClocks })}</strong> : null}
      </p>
      {params.get('queued') ? (
        <p className="notice" role="status">
          {t('my.queued')}
        </p>
      ) : null}

      <div ref={savedRef} role="status" aria-live="polite" data-testid="my-saved">
        {saved && !logging ? <p className="notice">{t('my.saved', { name: saved.name })}</p> : null}
      </div>

      <div role="status" aria-live="polite" data-testid="my-consent-saved">
        {consentSaved && !consenting ? <p className="notice">{t('my.consent.queued', { name: consentSaved })}</p> : null}
      </div>

      {consenting ? (
        <section className="card visit-sheet" ref={formRef} aria-labelledby="consent-sheet-title">
          <div className="title-row">
            <h2 id="consent-sheet-title">{t('my.consent.title', { name: consenting.item.name })}</h2>
            <button type="button" className="link-button" onClick={() => setConsenting(null)}>
              {t('common.cancel')}
            </button>
          </div>
          <ConsentSheet
            key={consenting.consentId}
            player={{ id: consenting.item.id, name: consenting.item.name }}
            text={consentText}
            consentId={consenting.consentId}
            onQueued={() => {
              if (consenting.replaces) void discardQueued(consenting.replaces)
              setConsentSaved(consenting.item.name)
              setConsenting(null)
            }}
          />
        </section>
      ) : null}

      {logging ? (
        <section className="card visit-sheet" ref={formRef} aria-labelledby="visit-sheet-title">
          <div className="title-row">
            <h2 id="visit-sheet-title">{t('visit.formTitle', { name: logging.item.name })}</h2>
            <button type="button" className="link-button" onClick={() => setLogging(null)}>
              {t('common.cancel')}
            </button>
          </div>
          <VisitForm
            key={logging.visitId}
            player={{ id: logging.item.id, name: logging.item.name, lat: logging.item.lat, lng: logging.item.lng, approximate: logging.item.approximate }}
            visitId={logging.visitId}
            radiusMetres={radiusMetres}
            values={logging.values}
            onQueued={(visitId) => {
              setJustLogged((s) => new Set(s).add(logging.item.id))
              setSaved({ name: logging.item.name, visitId })
              setLogging(null)
              if (params.get('queued')) setParams({}, { replace: true })
            }}
          />
        </section>
      ) : null}

      <form className="toolbar" method="get" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('my.sortBy')}{' '}
          <select name="sort" value={sort} onChange={(e) => chooseSort(e.target.value as Sort)} aria-label={t('my.sortBy')}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`my.sort.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" name="overdue" value="1" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.target.checked)} /> {t('my.overdueOnly')}
        </label>
        {/* Before the page runs (or without JavaScript) the choice is applied by the server. */}
        {running ? null : <button type="submit">{t('common.apply')}</button>}
        <ClientOnly>
          {() => (
            <>
              <button type="button" onClick={locate} disabled={locating}>
                {locating ? t('my.locating') : me ? t('my.relocate') : t('my.locate')}
              </button>
              <button type="button" onClick={() => setShowMap((v) => !v)} aria-pressed={showMap}>
                {t('my.map')}
              </button>
            </>
          )}
        </ClientOnly>
        <Link to="/my/route" className="button-link">
          {t('my.route.link')}
        </Link>
      </form>
      {me ? <p className="muted small" data-testid="my-position">{t('my.position', { accuracy: me.accuracy })}</p> : null}

      {showMap ? <MyListLegend reasons={[...new Set(shown.map((i) => i.reason))]} showsMe={me !== null} /> : null}
      {showMap ? (
        <ClientOnly fallback={<div className="my-list-map" />}>
          {() => (
            <Suspense fallback={<div className="my-list-map" />}>
              <MyListMap
                items={shown.filter((i) => i.lat !== null && i.lng !== null).slice(0, 300).map((i) => ({ id: i.id, name: i.name, lat: i.lat!, lng: i.lng!, approximate: i.approximate, reason: i.reason }))}
                me={me}
                tiles={tiles}
                onPick={(id) => document.getElementById(`player-${id}`)?.scrollIntoView({ block: 'center' })}
              />
            </Suspense>
          )}
        </ClientOnly>
      ) : null}

      <ol className="my-items" aria-label={t('my.title')}>
        {shown.slice(0, limit).map((item) => (
          <li key={item.id} id={`player-${item.id}`} className={`card my-item reason-${item.reason}`} data-player-id={item.id}>
            <div className="my-item-head">
              <Link to={`/players/${item.id}`} className="my-item-name">
                {item.name}
              </Link>
              <span className={`badge reason-${item.reason}`}>{t(`my.reason.${item.reason as ListReason}`, { date: item.nextFollowUpOn ?? '' })}</span>
              {item.candidateStatus === 'candidate' ? <span className="badge candidate-candidate">{t('candidateStatus.candidate')}</span> : null}
              {item.clock ? <ClockBadge clock={item.clock} /> : null}
              {item.lastVisitValid === false ? <span className="badge flag" data-testid="last-visit-invalid">{t('visitValidity.myBadge')}</span> : null}
            </div>
            <p className="muted small">
              {[item.townshipName, item.address].filter(Boolean).join(' · ')}
              {me && item.lat !== null && item.lng !== null ? <> · <span className="distance">{formatDistance(Math.round(distanceMetres(me, { lat: item.lat, lng: item.lng })))}</span></> : null}
              {item.approximate ? ` · ${t('player.approximate')}` : ''}
            </p>
            {justLogged.has(item.id) || waiting.has(item.id) ? (
              <p className="notice small">{waiting.has(item.id) ? t('my.waitingToSend') : t('my.logged')}</p>
            ) : null}
            {consentWaiting.has(item.id) ? (
              <p className="notice small" data-testid="consent-waiting">
                {t('my.consent.waiting')}
              </p>
            ) : null}
            <div className="my-actions">
              {item.call ? (
                <a className="button-link" href={item.call}>
                  {t('my.call')} <span className="muted small">{item.phoneMasked}</span>
                </a>
              ) : null}
              {item.navigate ? (
                <>
                  <a className="button-link" href={item.navigate.native}>
                    {t('my.navigate')}
                  </a>
                  <a className="small" href={item.navigate.amap} data-app="amap">
                    {t('my.navigateAmap')}
                  </a>
                  <a className="small" href={item.navigate.baidu} data-app="baidu">
                    {t('my.navigateBaidu')}
                  </a>
                </>
              ) : null}
              <Link
                className="button-link primary"
                to={`/players/${item.id}/visit`}
                onClick={(e) => {
                  e.preventDefault()
                  open(item)
                }}
              >
                {t('my.logVisit')}
              </Link>
              <Link
                className="button-link"
                to={`/players/${item.id}/consent`}
                onClick={(e) => {
                  e.preventDefault()
                  openConsent(item)
                }}
              >
                {t('consent.signNow')}
              </Link>
            </div>
          </li>
        ))}
      </ol>
      {shown.length > limit ? (
        <Link
          to={`?${new URLSearchParams({ ...Object.fromEntries(params), all: '1' })}`}
          className="button-link"
          onClick={(e) => {
            e.preventDefault()
            setShowAll(true)
          }}
        >
          {t('my.showAll', { count: shown.length - limit })}
        </Link>
      ) : null}

      <OutboxPanel onCorrect={correct} />
    </div>
  )
}
