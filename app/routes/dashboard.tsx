// The dashboard (issue 7): the figures of PRODUCT.md for a scope and a period, kept in the
// URL so a view can be shared: the headline figures with the change from the period before,
// the campaign funnel drawn, and a league table of the units (or officers) below.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { rankBy, REACHING_FIGURES, type Figures } from '../domain/figures'
import { can } from '../domain/roles'
import { notFound, getTranslate, requirePermission } from '../guards.server'
import type { MessageKey } from '../i18n/index'
import { useLocale, useT } from '../i18n/use-t'
import { funnelSvg, trendSvg } from '../services/charts.server'
import { readFigureQuery } from '../services/figure-query.server'
import { loadDashboard } from '../services/dashboard.server'

export const meta: MetaFunction = () => [{ title: '万企通 · 看板' }]

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
  { key: 'firstLenderRatio', kind: 'ratio' },
  { key: 'creditLoanShareByCount', kind: 'ratio' },
  { key: 'creditLoanShareByAmount', kind: 'ratio' },
  { key: 'acceptedOnTime', kind: 'ratio' },
  { key: 'leadTimeVisitToDisbursementDays', kind: 'days' },
  { key: 'leadTimeReferralToDisbursementDays', kind: 'days' },
]

const FUNNEL: (keyof Figures)[] = ['listed', 'assigned', 'visited', 'withNeed', 'qualified', 'referred', 'accepted', 'approved', 'disbursed']

const LEAGUE: (keyof Figures)[] = ['listed', 'coverage', 'referred', 'newLoanCustomers', 'firstLenderConversions', 'firstLenderRatio', 'creditLoanShareByCount']

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  const query = await readFigureQuery(context.db, user, params)
  if (!query.ok && query.status === 404) throw notFound()
  // A bad period shows this month, saying so.
  const chosen = query.ok ? query : await readFigureQuery(context.db, user, new URLSearchParams())
  if (!chosen.ok) throw new Error('the default figures query cannot fail')
  const t = await getTranslate(request)
  const { before, step, current, previous, units, trend, league, leagueOfOfficers } = await loadDashboard(context.db, user, chosen)
  const asked = params.get('sort') as keyof Figures | null
  const sortKey: keyof Figures = asked && asked in current ? asked : 'firstLenderConversions'
  const direction = params.get('dir') === 'asc' ? 'asc' : 'desc'

  return {
    errors: query.ok ? null : query.fields,
    unit: chosen.unit,
    period: chosen.period,
    kind: chosen.kind,
    previous: before,
    current,
    before: previous,
    units: units.map((u) => ({ code: u.code, name: u.name, depth: u.depth })),
    funnel: funnelSvg(
      FUNNEL.map((k) => ({ label: t(`figure.${k}` as MessageKey), value: current[k] as number })),
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
    // Ranked by any figure (`sort`, `dir`), first-lender conversions first by default.
    league: rankBy(league, sortKey, direction),
    sortKey,
    direction,
    leagueOfOfficers,
    canUnmask: can(user.role, 'personal-data:unmask'),
  }
}

function formatValue(value: unknown, kind: 'count' | 'ratio' | 'days', locale: string): string {
  if (value === null || value === undefined) return '—'
  if (kind === 'days') {
    const d = value as { median: number | null; p90: number | null }
    return d.median === null ? '—' : `${d.median.toLocaleString(locale)} / ${d.p90!.toLocaleString(locale)}`
  }
  if (kind === 'ratio') return `${((value as number) * 100).toLocaleString(locale, { maximumFractionDigits: 1 })}%`
  return (value as number).toLocaleString(locale)
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
  const [params] = useSearchParams()
  const label = (k: keyof Figures) => t(`figure.${k}` as MessageKey)
  const kindOf = (k: keyof Figures) => HEADLINE.find((h) => h.key === k)?.kind ?? (k === 'coverage' || k.endsWith('Ratio') || k.startsWith('creditLoanShare') ? 'ratio' : 'count')
  return (
    <div className="stack">
      <h1>{`${t('dashboard.title')} · ${data.unit?.name ?? t('dashboard.allOfMine')}`}</h1>
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
        <label>
          {t('dashboard.from')} <input type="date" name="from" defaultValue={data.kind === 'range' ? data.period.from : ''} />
        </label>
        <label>
          {t('dashboard.to')} <input type="date" name="to" defaultValue={data.kind === 'range' ? data.period.to : ''} />
        </label>
        <button type="submit">{t('common.apply')}</button>
      </Form>
      {data.errors ? (
        <p className="field-errors" role="alert">
          {t('dashboard.badPeriod')}
        </p>
      ) : null}
      <p className="toolbar" aria-label={t('dashboard.export')}>
        <a href={`/dashboard/export?${withParam(params, 'format', 'xlsx')}`} download>
          {t('dashboard.exportXlsx')}
        </a>
        <a href={`/dashboard/export?${withParam(params, 'format', 'csv')}`} download>
          {t('dashboard.exportCsv')}
        </a>
        {data.canUnmask ? (
          <a href={`/dashboard/export?${withParam(withParam(params, 'format', 'xlsx'), 'unmask', '1')}`} download>
            {t('dashboard.exportUnmasked')}
          </a>
        ) : null}
      </p>
      <p className="muted" data-testid="period">
        {t('dashboard.periodLine', { from: data.period.from, to: data.period.to, beforeFrom: data.previous.from, beforeTo: data.previous.to })}
      </p>
      <ul className="figure-grid" aria-label={t('dashboard.headline')}>
        {HEADLINE.map(({ key, kind }) => {
          const delta = change(key, data.current[key], data.before[key], kind)
          return (
            <li key={key} className={`card figure${key === 'firstLenderRatio' || key.startsWith('creditLoanShare') ? ' key-figure' : ''}`} data-figure={key}>
              <span className="figure-label">{label(key)}</span>
              {(REACHING_FIGURES as readonly string[]).includes(key) ? (
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
      <section className="card" aria-labelledby="funnel">
        <h2 id="funnel">{t('dashboard.funnel')}</h2>
        <div className="chart" dangerouslySetInnerHTML={{ __html: data.funnel }} />
        <ol className="funnel-steps small">
          {FUNNEL.slice(1).map((k, i) => {
            const from = data.current[FUNNEL[i]] as number
            const to = data.current[k] as number
            return (
              <li key={k}>
                {label(FUNNEL[i])} → {label(k)}: {from ? `${((to / from) * 100).toLocaleString(locale, { maximumFractionDigits: 1 })}%` : '—'}
              </li>
            )
          })}
        </ol>
      </section>
      <section className="card" aria-labelledby="trend">
        <h2 id="trend">{t(data.trendStep === 'week' ? 'dashboard.trendByWeek' : 'dashboard.trendByMonth')}</h2>
        <div className="chart" dangerouslySetInnerHTML={{ __html: data.trend }} />
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
                  <td>{row.code ? <Link to={`?${withParam(params, 'scope', row.code)}`}>{row.name}</Link> : row.name}</td>
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

function withParam(params: URLSearchParams | string, name: string, value: string): string {
  const next = new URLSearchParams(params)
  next.set(name, value)
  return next.toString()
}

