// The dashboard (issue 7): the figures of PRODUCT.md for a scope and a period, kept in the
// URL so a view can be shared: the headline figures with the change from the period before,
// progress against the targets, the campaign funnel and the trend drawn, a league table of
// the units (or officers) below, and the townships on a map shaded by coverage or
// first-lender ratio.
import { data as respond, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import leafletStyles from 'leaflet/dist/leaflet.css'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { useMemo } from 'react'
import { ActionResult, ErrorList, SelectField } from '../components/field'
import { ClientOnly } from '../components/hydrated'
import { RatioLegend } from '../components/ratio-legend'
import { TownshipFiguresMap, type ShadedTownship } from '../components/township-figures-map.client'
import { todayInChina } from '../domain/china-time'
import { tileLayerFor } from '../domain/map-tiles'
import { LEAGUE_FIGURES, PLAYER_FIGURES, rankBy, REACHING_FIGURES, type Figures } from '../domain/figures'
import { can } from '../domain/roles'
import { isRatioTarget, parseTarget, progressOf, TARGET_FIGURES } from '../domain/targets'
import { actorOf, notFound, getLocale, getTranslate, requirePermission } from '../http/guards.server'
import type { Message, MessageKey } from '../i18n/index'
import { useLocale, useT } from '../i18n/use-t'
import { funnelSvg, trendSvg } from '../services/charts.server'
import { nameOfQuery, readFigureQuery } from '../services/figure-query.server'
import { loadDashboard, narrowingChoices } from '../services/dashboard.server'
import { neverBorrowedBySource } from '../services/never-borrowed.server'
import { setTarget } from '../services/targets.server'

export const meta: MetaFunction = () => [{ title: '万企通 · 看板' }]

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: leafletStyles }]

/** The headline figures, in the order PRODUCT.md lists them, and how each reads. */
const HEADLINE: { key: keyof Figures; kind: 'count' | 'ratio' | 'days' }[] = [
  { key: 'listed', kind: 'count' },
  { key: 'coverage', kind: 'ratio' },
  { key: 'needRate', kind: 'ratio' },
  { key: 'candidates', kind: 'count' },
  { key: 'referred', kind: 'count' },
  { key: 'disbursed', kind: 'count' },
  { key: 'newLoanCustomers', kind: 'count' },
  { key: 'firstLenderConversions', kind: 'count' },
  { key: 'firstLenderEstimated', kind: 'count' },
  { key: 'firstLenderEnterprises', kind: 'count' },
  { key: 'firstLenderRatio', kind: 'ratio' },
  { key: 'creditLoanShareByCount', kind: 'ratio' },
  { key: 'creditLoanShareByAmount', kind: 'ratio' },
  { key: 'acceptedOnTime', kind: 'ratio' },
  { key: 'leadTimeVisitToDisbursementDays', kind: 'days' },
  { key: 'leadTimeReferralToDisbursementDays', kind: 'days' },
]

/** The two figures the regulator scores a bank by, shown first and large (issue 23). */
const REGULATOR: { key: keyof Figures; also?: keyof Figures }[] = [{ key: 'firstLenderRatio' }, { key: 'creditLoanShareByCount', also: 'creditLoanShareByAmount' }]
const REGULATOR_KEYS: (keyof Figures)[] = REGULATOR.flatMap((r) => (r.also ? [r.key, r.also] : [r.key]))

const FUNNEL: (keyof Figures)[] = ['listed', 'assigned', 'visited', 'withNeed', 'qualified', 'referred', 'accepted', 'approved', 'disbursed']

/** The counts that drill down to the players behind them (dashboard_.players.tsx). */
const DRILLABLE: (keyof Figures)[] = [...PLAYER_FIGURES, ...REACHING_FIGURES, 'newLoanCustomers']

/** Every figure's key, the order the figures come in. */
const FIGURE_KEYS = HEADLINE.map((h) => h.key).concat(['assigned', 'visited', 'withNeed', 'qualified', 'accepted', 'approved'])

const LEAGUE = LEAGUE_FIGURES

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  const query = await readFigureQuery(context.db, user, params)
  if (!query.ok && query.status === 404) throw notFound()
  // A bad period shows this month, saying so.
  const chosen = query.ok ? query : await readFigureQuery(context.db, user, new URLSearchParams())
  if (!chosen.ok) throw new Error('the default figures query cannot fail')
  const t = await getTranslate(request)
  const locale = await getLocale(request)
  const asked = params.get('sort') as keyof Figures | null
  // Ranked by any figure (`sort`, `dir`), first-lender conversions first by default.
  const sortKey: keyof Figures = asked && (FIGURE_KEYS as readonly string[]).includes(asked) ? asked : 'firstLenderConversions'
  const { before, step, current, previous, units, hasUnitsBelow, trend, league, leagueOfOfficers, officers, top, townships, targets } = await loadDashboard(context.db, user, chosen, { rankedBy: sortKey })
  const [choices, neverBorrowed] = await Promise.all([narrowingChoices(context.db, user, top, { hasUnitsBelow, officers }), neverBorrowedBySource(context.db, chosen.scope, chosen.period)])
  const shade = params.get('shade') === 'firstLenderRatio' ? 'firstLenderRatio' : 'coverage'
  const direction = params.get('dir') === 'asc' ? 'asc' : 'desc'

  // A bad period shows this month, says why, and answers 400.
  return respond({
    errors: query.ok ? null : Object.entries(query.problems).map(([field, problem]) => ({ field, problem })),
    title: nameOfQuery(chosen, t('dashboard.allOfMine')),
    unit: chosen.unit,
    officer: chosen.officer,
    territory: chosen.territory,
    township: chosen.township,
    choices,
    top: { id: top.id, name: top.name },
    // Targets belong to org units: shown and set for the unit in view, not a narrower part.
    targetsApply: !chosen.officer && !chosen.territory && !chosen.township,
    targets: targets.map((target) => ({ ...target, ...progressOf(current, target.figure, target.value) })),
    canSetTargets: can(user.role, 'targets:set'),
    shade,
    // Null: not drawn for this period; empty: no township with a boundary in scope. The
    // boundaries come apart (GET /api/v1/townships, kept by the browser). One string, parsed
    // in the browser: a bank's 1,300 townships as values cost the serialisation more.
    map: townships === null ? null : JSON.stringify(townships.map((tw) => ({ code: tw.code, name: tw.name, value: tw[shade] }))),
    mapCount: townships?.length ?? 0,
    tiles: tileLayerFor(context.config.mapTiles, context.config.mapTilesKey),
    lowest: (townships ?? [])
      .filter((tw) => tw[shade] !== null)
      .sort((a, b) => a[shade]! - b[shade]! || a.code.localeCompare(b.code))
      .slice(0, 10)
      .map((tw) => ({ code: tw.code, name: tw.name, value: tw[shade], listed: tw.listed })),
    neverBorrowed,
    period: chosen.period,
    // A running period is shown up to today, as the one before is compared (comparablePeriod).
    through: chosen.period.to < todayInChina() ? chosen.period.to : todayInChina(),
    kind: chosen.kind,
    previous: before,
    current,
    before: previous,
    units: units.map((u) => ({ code: u.code, name: u.name, depth: u.depth })),
    funnel: funnelSvg(
      FUNNEL.map((k) => ({ label: t(`figure.${k}` as MessageKey), value: current[k] as number, shown: formatValue(current[k], 'count', locale) })),
      t('dashboard.funnel'),
    ),
    trend: trendSvg(
      trend.map((b) => (step === 'month' ? b.key : b.from.slice(5))),
      { label: t('figure.disbursed'), values: trend.map((b) => b.loans) },
      [
        { label: t('figure.firstLenderRatio'), values: trend.map((b) => b.firstLenderRatio) },
        { label: t('figure.creditLoanShareByCount'), values: trend.map((b) => b.creditLoanShareByCount) },
      ],
      t('dashboard.trend'),
    ),
    trendStep: step,
    // Each row with the columns shown and the figure it is ranked by.
    league: rankBy(league, sortKey, direction).map((row) => ({ name: row.name, narrow: row.narrow, figures: Object.fromEntries([...LEAGUE, sortKey].map((k) => [k, row.figures[k]])) as Partial<Figures> })),
    sortKey,
    direction,
    leagueOfOfficers,
    canUnmask: can(user.role, 'personal-data:unmask'),
  }, { status: query.ok ? 200 : 400 })
}

type ActionData = { done?: Message; errors?: Record<string, Message[]>; formError?: Message }

/** Sets a target for the unit and period in view (hq or an admin). */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'targets:set')
  const params = new URL(request.url).searchParams
  const query = await readFigureQuery(context.db, user, params)
  if (!query.ok && query.status === 404) throw notFound()
  if (!query.ok) return respond<ActionData>({ formError: { key: 'dashboard.badPeriod' } }, { status: 400 })
  if (query.officer || query.territory || query.township) return respond<ActionData>({ formError: { key: 'target.onlyUnit' } }, { status: 400 })
  const form = await request.formData()
  const parsed = parseTarget({ figure: form.get('figure'), value: form.get('value') })
  if (!parsed.ok) return respond<ActionData>({ errors: parsed.errors }, { status: 400 })
  // No unit in the URL: the signed-in user's own, as the session already names it.
  const unit = query.unit ?? { id: user.orgUnitId, name: user.orgName }
  await setTarget(context.db, actorOf(user, context), { orgUnitId: unit.id, period: query.period, figure: parsed.figure, value: parsed.value })
  const t = await getTranslate(request)
  return { done: { key: parsed.value === null ? 'target.removed' : 'target.saved', params: { unit: unit.name, figure: t(`figure.${parsed.figure}`) } } } satisfies ActionData
}

/** Number formats made once per locale (each toLocaleString makes one anew: slow by the hundred). */
const formats = new Map<string, { count: Intl.NumberFormat; percent: Intl.NumberFormat }>()
function formatsOf(locale: string) {
  let f = formats.get(locale)
  if (!f) formats.set(locale, (f = { count: new Intl.NumberFormat(locale), percent: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }) }))
  return f
}

function formatValue(value: unknown, kind: 'count' | 'ratio' | 'days', locale: string): string {
  if (value === null || value === undefined) return '—'
  const f = formatsOf(locale)
  if (kind === 'days') {
    const d = value as { median: number | null; p90: number | null }
    return d.median === null ? '—' : `${f.count.format(d.median)} / ${f.count.format(d.p90!)}`
  }
  if (kind === 'ratio') return `${f.percent.format((value as number) * 100)}%`
  return f.count.format(value as number)
}

/** Figures that stand as of now, not for a period: no change to show. */
const STANDING: (keyof Figures)[] = ['listed', 'assigned', 'candidates']

function change(key: keyof Figures, now: unknown, before: unknown, kind: 'count' | 'ratio' | 'days'): { text: string; up: boolean } | null {
  if (kind === 'days' || STANDING.includes(key) || typeof now !== 'number' || typeof before !== 'number') return null
  const delta = now - before
  if (delta === 0) return { text: '±0', up: true }
  const text = kind === 'ratio' ? `${(Math.abs(delta) * 100).toFixed(1)} pt` : Math.abs(delta).toLocaleString()
  return { text: `${delta > 0 ? '▲' : '▼'} ${text}`, up: delta > 0 }
}

export default function Dashboard() {
  const t = useT()
  const locale = useLocale()
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const [params] = useSearchParams()
  const mapTownships = useMemo(() => (data.map ? (JSON.parse(data.map) as ShadedTownship[]) : []), [data.map])
  const label = (k: keyof Figures) => t(`figure.${k}` as MessageKey)
  const kindOf = (k: keyof Figures) => HEADLINE.find((h) => h.key === k)?.kind ?? (k === 'coverage' || k.endsWith('Ratio') || k.startsWith('creditLoanShare') ? 'ratio' : 'count')
  return (
    <div className="stack">
      <h1>{`${t('dashboard.title')} · ${data.title}`}</h1>
      <Form method="get" className="toolbar dashboard-query">
        <label>
          {t('dashboard.scope')}{' '}
          <select name="scope" defaultValue={data.unit?.code ?? ''}>
            <option value="">{t('dashboard.allOfMine')}</option>
            {data.units.map((u) => (
              <option key={u.code} value={u.code}>
                {'\u00a0'.repeat(u.depth * 2)}
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <Narrowing label={t('dashboard.officer')} all={t('dashboard.allOfficers')} name="officer" chosen={data.officer?.id} choices={data.choices.officers.map((o) => ({ value: o.id, name: o.name }))} />
        <Narrowing label={t('dashboard.territory')} all={t('dashboard.allTerritories')} name="territory" chosen={data.territory?.id} choices={data.choices.territories.map((o) => ({ value: o.id, name: o.name }))} />
        <Narrowing label={t('dashboard.township')} all={t('dashboard.allTownships')} name="township" chosen={data.township?.code} choices={data.choices.townships.map((o) => ({ value: o.code, name: o.name }))} />
        <label>
          {t('dashboard.period')}{' '}
          <select name="period" defaultValue={data.kind}>
            {(['month', 'quarter', 'year', 'range'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`dashboard.period.${k}`)}
              </option>
            ))}
          </select>
        </label>
        {/* Text, not type=date: Chromium writes a date input in the browser's locale (mm/dd/yyyy), not the page's. */}
        <label>
          {t('dashboard.from')} <input name="from" inputMode="numeric" pattern="\d{4}-\d{2}-\d{2}" placeholder="yyyy-mm-dd" size={10} defaultValue={data.kind === 'range' ? data.period.from : ''} />
        </label>
        <label>
          {t('dashboard.to')} <input name="to" inputMode="numeric" pattern="\d{4}-\d{2}-\d{2}" placeholder="yyyy-mm-dd" size={10} defaultValue={data.kind === 'range' ? data.period.to : ''} />
        </label>
        <button type="submit">{t('common.apply')}</button>
      </Form>
      {data.errors ? (
        <div className="field-errors" role="alert">
          <p>{t('dashboard.badPeriod')}</p>
          <ul>
            {data.errors.map(({ field, problem }) => (
              <li key={field}>
                {t(field === 'from' ? 'dashboard.from' : field === 'to' ? 'dashboard.to' : 'dashboard.period')}: {t(`period.${problem}`)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {/* A div, not a p: a p cannot hold the unmasking form, and the browser would split it. */}
      <div className="toolbar" aria-label={t('dashboard.export')}>
        <a href={`/dashboard/export?${withParam(params, 'format', 'xlsx')}`} download>
          {t('dashboard.exportXlsx')}
        </a>
        <a href={`/dashboard/export?${withParam(params, 'format', 'csv')}`} download>
          {t('dashboard.exportCsv')}
        </a>
        {data.canUnmask ? (
          // A post, not a link: unmasking is an act, and another site cannot make it.
          <Form reloadDocument method="post" action={`/dashboard/export?${withParam(params, 'format', 'xlsx')}`} className="inline-form">
            <input type="hidden" name="unmask" value="1" />
            <button type="submit" className="link-button">
              {t('dashboard.exportUnmasked')}
            </button>
          </Form>
        ) : null}
      </div>
      <p className="muted" data-testid="period">
        {t('dashboard.periodLine', { from: data.period.from, to: data.through, beforeFrom: data.previous.from, beforeTo: data.previous.to })}
      </p>
      <section className="card regulator-figures" aria-labelledby="regulator">
        <h2 id="regulator">{t('dashboard.regulator')}</h2>
        <p className="muted small">{t('dashboard.regulatorHint')}</p>
        <ul>
          {REGULATOR.map(({ key, also }) => {
            const delta = change(key, data.current[key], data.before[key], 'ratio')
            return (
              <li key={key} className="figure regulator-figure" data-figure={key}>
                <span className="figure-label">{label(key)}</span>
                <span className="figure-value">{formatValue(data.current[key], 'ratio', locale)}</span>
                <span className="small">
                  {delta ? <span className={`figure-change ${delta.up ? 'up' : 'down'}`}>{delta.text}</span> : null}{' '}
                  <span className="muted">{t('dashboard.before', { value: formatValue(data.before[key], 'ratio', locale) })}</span>
                </span>
                {also ? <span className="small muted" data-figure={also}>{`${label(also)} ${formatValue(data.current[also], 'ratio', locale)}`}</span> : null}
              </li>
            )
          })}
        </ul>
      </section>
      <ul className="figure-grid" aria-label={t('dashboard.headline')}>
        {HEADLINE.filter(({ key }) => !REGULATOR_KEYS.includes(key)).map(({ key, kind }) => {
          const delta = change(key, data.current[key], data.before[key], kind)
          return (
            <li key={key} className="card figure" data-figure={key}>
              <span className="figure-label">{label(key)}</span>
              {DRILLABLE.includes(key) ? (
                <Link className="figure-value" to={`/dashboard/players?${withParam(params, 'figure', key)}`} aria-label={`${label(key)}: ${t('dashboard.drill')}`}>
                  {formatValue(data.current[key], kind, locale)}
                </Link>
              ) : (
                <span className="figure-value">{formatValue(data.current[key], kind, locale)}</span>
              )}
              {delta ? <span className={`figure-change ${delta.up ? 'up' : 'down'}`}>{delta.text}</span> : null}
            </li>
          )
        })}
      </ul>
      {data.targetsApply ? (
        <section className="card" aria-labelledby="targets">
          <h2 id="targets">{t('target.title')}</h2>
          <p className="muted small">{t('target.forPeriod', { unit: data.top.name, from: data.period.from, to: data.period.to })}</p>
          {data.targets.length === 0 ? <p className="muted">{t('target.none')}</p> : null}
          <ul className="target-list">
            {data.targets.map((target) => {
              const kind = isRatioTarget(target.figure) ? 'ratio' : 'count'
              return (
                <li key={target.figure} data-target={target.figure}>
                  <span className="figure-label">{label(target.figure)}</span>{' '}
                  <span>{`${t('target.actual')} ${formatValue(target.actual, kind, locale)} / ${formatValue(target.value, kind, locale)}`}</span>
                  <progress max={1} value={Math.min(1, target.share)} aria-label={`${label(target.figure)} ${t('target.progress')}`} />
                  <span className="small" data-progress>{`${Math.round(target.share * 100)}%`}</span>
                </li>
              )
            })}
          </ul>
          {data.canSetTargets ? (
            <Form method="post" className="toolbar" preventScrollReset>
              <ActionResult done={result?.done} formError={result?.formError} />
              <SelectField label={t('target.figure')} name="figure" errors={result?.errors?.figure} options={TARGET_FIGURES.map((f) => ({ value: f, label: label(f) }))} />
              <div className="field">
                <label htmlFor="target-value">{t('target.value')}</label>
                <input id="target-value" name="value" inputMode="decimal" aria-invalid={result?.errors?.value ? true : undefined} />
                <ErrorList errors={result?.errors?.value} />
              </div>
              <button type="submit">{t('target.save')}</button>
            </Form>
          ) : null}
        </section>
      ) : null}
      <section className="card" aria-labelledby="funnel">
        <h2 id="funnel">{t('dashboard.funnel')}</h2>
        <div className="chart" dangerouslySetInnerHTML={{ __html: data.funnel }} />
        <ol className="funnel-steps small">
          {FUNNEL.slice(1).map((k, i) => {
            const from = data.current[FUNNEL[i]] as number
            const to = data.current[k] as number
            return (
              <li key={k}>
                {`${label(FUNNEL[i])} → `}
                <Link to={`/dashboard/players?${withParam(params, 'figure', k)}`}>{`${label(k)} ${formatValue(to, 'count', locale)}`}</Link>
                {`: ${from ? formatValue(to / from, 'ratio', locale) : '—'}`}
              </li>
            )
          })}
        </ol>
      </section>
      <section className="card" aria-labelledby="trend">
        <h2 id="trend">{t(data.trendStep === 'week' ? 'dashboard.trendByWeek' : 'dashboard.trendByMonth')}</h2>
        <div className="chart" dangerouslySetInnerHTML={{ __html: data.trend }} />
      </section>
      <section className="card" aria-labelledby="map">
        <h2 id="map">{t('dashboard.map')}</h2>
        <p className="toolbar small" aria-label={t('dashboard.mapBy')}>
          {t('dashboard.mapBy')}:{' '}
          {(['coverage', 'firstLenderRatio'] as const).map((k) => (
            <Link key={k} to={`?${withParam(params, 'shade', k)}`} preventScrollReset aria-current={data.shade === k ? 'true' : undefined}>
              {label(k)}
            </Link>
          ))}
        </p>
        {data.map === null ? (
          <p className="muted">{t('dashboard.mapCalendarOnly')}</p>
        ) : data.mapCount === 0 ? (
          <p className="muted">{t('dashboard.mapNoTownships')}</p>
        ) : (
          <>
            <div data-testid="township-map" data-townships={data.mapCount}>
              <ClientOnly fallback={<div className="township-figures-map" aria-busy="true" />}>
                {() => <TownshipFiguresMap townships={mapTownships} tiles={data.tiles} failed={t('dashboard.mapFailed')} describe={(tw) => `${tw.name} · ${label(data.shade as keyof Figures)} ${formatValue(tw.value, 'ratio', locale)}`} />}
              </ClientOnly>
            </div>
            <RatioLegend title={label(data.shade as keyof Figures)} noValue={t('dashboard.mapNoValue')} />
          </>
        )}
        {data.lowest.length ? (
          <>
            <h3 className="small">{t('dashboard.mapLowest', { figure: label(data.shade as keyof Figures) })}</h3>
            <ol className="small">
              {data.lowest.map((tw) => (
                <li key={tw.code} data-township={tw.code}>
                  <Link to={`?${withParam(params, 'township', tw.code)}`}>{tw.name}</Link> {`${formatValue(tw.value, 'ratio', locale)} · ${formatValue(tw.listed, 'count', locale)}`}
                </li>
              ))}
            </ol>
          </>
        ) : null}
      </section>
      <section className="card" aria-labelledby="never-borrowed" data-testid="never-borrowed">
        <h2 id="never-borrowed">{t('dashboard.neverBorrowed')}</h2>
        <p className="muted small">{t('dashboard.neverBorrowedHint')}</p>
        {data.neverBorrowed.length === 0 ? (
          <p className="muted">{t('dashboard.neverBorrowedNone')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('dashboard.neverBorrowedSource')}</th>
                  <th scope="col">{t('reconciliation.column.channel')}</th>
                  <th scope="col">{t('dashboard.neverBorrowedPlayers')}</th>
                  <th scope="col">{t('dashboard.neverBorrowedFlagged')}</th>
                  <th scope="col">{t('dashboard.neverBorrowedNotFlagged')}</th>
                  <th scope="col">{t('dashboard.neverBorrowedUnflagged')}</th>
                  <th scope="col">{t('dashboard.neverBorrowedRight')}</th>
                </tr>
              </thead>
              <tbody>
                {data.neverBorrowed.map((row) => (
                  <tr key={`${row.source}:${row.channel}`} data-source={row.source} data-channel={row.channel}>
                    <th scope="row">{row.source}</th>
                    <td>{t(`reconciliation.channel.${row.channel}`)}</td>
                    <td>{row.players}</td>
                    <td>{row.flagged}</td>
                    <td>{row.notFlagged}</td>
                    <td>{row.unflagged}</td>
                    <td data-right>{formatValue(row.right, 'ratio', locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="league">
        <h2 id="league">{data.leagueOfOfficers ? t('dashboard.leagueOfficers') : t('dashboard.league')}</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('table.name')}</th>
                {LEAGUE.map((k) => {
                  const sorted = data.sortKey === k
                  const next = sorted && data.direction === 'desc' ? 'asc' : 'desc'
                  return (
                    <th key={k} className="num" aria-sort={sorted ? (data.direction === 'asc' ? 'ascending' : 'descending') : undefined}>
                      <Link to={`?${withParam(withParam(params, 'sort', k), 'dir', next)}`} preventScrollReset>
                        {label(k)}
                        {sorted ? (data.direction === 'asc' ? ' ▲' : ' ▼') : ''}
                      </Link>
                    </th>
                  )
                })}
              </tr>
            </thead>
            <tbody>
              {data.league.map((row) => (
                <tr key={row.name} data-league-row={row.name}>
                  <td>
                    <Link to={`?${'scope' in row.narrow ? withParam(params, 'scope', row.narrow.scope) : withParam(params, 'officer', row.narrow.officer)}`}>{row.name}</Link>
                  </td>
                  {LEAGUE.map((k) => (
                    <td key={k} className="num">
                      {formatValue(row.figures[k], kindOf(k), locale)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  )
}

/** A pick-list narrowing the scope (an officer, a territory, a township); none when there is nothing to pick. */
function Narrowing({ label, all, name, chosen, choices }: { label: string; all: string; name: string; chosen: string | number | undefined; choices: { value: string | number; name: string }[] }) {
  if (choices.length === 0) return null
  return (
    <label>
      {label}{' '}
      <select name={name} defaultValue={chosen ?? ''}>
        <option value="">{all}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  )
}

function withParam(params: URLSearchParams | string, name: string, value: string): string {
  const next = new URLSearchParams(params)
  next.set(name, value)
  return next.toString()
}

