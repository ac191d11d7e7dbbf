// The dashboard (issue 7): the figures of PRODUCT.md for a scope and a period, kept in the
// URL so a view can be shared: the headline figures with the change from the period before,
// progress against the targets, the campaign funnel and the trend drawn, a league table of
// the units (or officers) below, and the townships on a map shaded by coverage or
// first-lender ratio. The page's sections live in components/dashboard/.
import { data as respond, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import leafletStyles from 'leaflet/dist/leaflet.css'
import { useActionData, useLoaderData } from '@remix-run/react'
import { FunnelSection, TrendSection } from '../components/dashboard/chart-sections'
import { ExportLinks } from '../components/dashboard/export-links'
import { formatValue, FUNNEL, leagueOrderOf } from '../components/dashboard/figure-format'
import { HeadlineFigures, RegulatorSection } from '../components/dashboard/headline-figures'
import { LeagueTable } from '../components/dashboard/league-table'
import { NeverBorrowedTable } from '../components/dashboard/never-borrowed-table'
import { DashboardQueryForm, PeriodErrors } from '../components/dashboard/query-form'
import { TargetsSection, type TargetActionData } from '../components/dashboard/targets-section'
import { TownshipMapSection } from '../components/dashboard/township-map-section'
import { todayInChina } from '../domain/china-time'
import { tileLayerFor } from '../domain/map-tiles'
import { LEAGUE_FIGURES, rankBy, type Figures } from '../domain/figures'
import { can } from '../domain/roles'
import { parseTarget, progressOf } from '../domain/targets'
import { actorOf, notFound, getLocale, getTranslate, requirePermission } from '../http/guards.server'
import type { MessageKey } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { funnelSvg, trendSvg } from '../services/charts.server'
import { readDashboardPage } from '../services/dashboard-page.server'
import { nameOfQuery, readFigureQuery } from '../services/figure-query.server'
import { setTarget } from '../services/targets.server'

export const meta: MetaFunction = () => [{ title: '万企通 · 看板' }]

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: leafletStyles }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  // Ranked by any figure (`sort`, `dir`), first-lender conversions first by default.
  const { sortKey, direction } = leagueOrderOf(params)
  const page = await readDashboardPage(context.db, user, { params, rankedBy: sortKey })
  if (!page) throw notFound()
  const { problems, chosen, choices, neverBorrowed } = page
  const { before, step, current, previous, units, trend, league, leagueOfOfficers, top, townships, targets } = page.view
  const t = await getTranslate(request)
  const locale = await getLocale(request)
  const shade = params.get('shade') === 'firstLenderRatio' ? ('firstLenderRatio' as const) : ('coverage' as const)

  // A bad period shows this month, says why, and answers 400.
  return respond({
    errors: problems ? Object.entries(problems).map(([field, problem]) => ({ field, problem })) : null,
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
    funnel: await funnelSvg(
      FUNNEL.map((k) => ({ label: t(`figure.${k}` as MessageKey), value: current[k] as number, shown: formatValue(current[k], 'count', locale) })),
      t('dashboard.funnel'),
    ),
    trend: await trendSvg(
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
    league: rankBy(league, sortKey, direction).map((row) => ({ name: row.name, narrow: row.narrow, figures: Object.fromEntries([...LEAGUE_FIGURES, sortKey].map((k) => [k, row.figures[k]])) as Partial<Figures> })),
    sortKey,
    direction,
    leagueOfOfficers,
    canUnmask: can(user.role, 'personal-data:unmask'),
  }, { status: problems ? 400 : 200 })
}

/** Sets a target for the unit and period in view (hq or an admin). */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'targets:set')
  const params = new URL(request.url).searchParams
  const query = await readFigureQuery(context.db, user, params)
  if (!query.ok && query.status === 404) throw notFound()
  if (!query.ok) return respond<TargetActionData>({ formError: { key: 'dashboard.badPeriod' } }, { status: 400 })
  if (query.officer || query.territory || query.township) return respond<TargetActionData>({ formError: { key: 'target.onlyUnit' } }, { status: 400 })
  const form = await request.formData()
  const parsed = parseTarget({ figure: form.get('figure'), value: form.get('value') })
  if (!parsed.ok) return respond<TargetActionData>({ errors: parsed.errors }, { status: 400 })
  // No unit in the URL: the signed-in user's own, as the session already names it.
  const unit = query.unit ?? { id: user.orgUnitId, name: user.orgName }
  await setTarget(context.db, actorOf(user, context), { orgUnitId: unit.id, period: query.period, figure: parsed.figure, value: parsed.value })
  const t = await getTranslate(request)
  return { done: { key: parsed.value === null ? 'target.removed' : 'target.saved', params: { unit: unit.name, figure: t(`figure.${parsed.figure}`) } } } satisfies TargetActionData
}

export default function Dashboard() {
  const t = useT()
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as TargetActionData | undefined
  return (
    <div className="stack">
      <h1>{`${t('dashboard.title')} · ${data.title}`}</h1>
      <DashboardQueryForm data={data} />
      <PeriodErrors errors={data.errors} />
      <ExportLinks canUnmask={data.canUnmask} />
      <p className="muted" data-testid="period">
        {t('dashboard.periodLine', { from: data.period.from, to: data.through, beforeFrom: data.previous.from, beforeTo: data.previous.to })}
      </p>
      <RegulatorSection current={data.current} before={data.before} />
      <HeadlineFigures current={data.current} before={data.before} />
      {data.targetsApply ? <TargetsSection unitName={data.top.name} period={data.period} targets={data.targets} canSet={data.canSetTargets} result={result} /> : null}
      <FunnelSection svg={data.funnel} current={data.current} />
      <TrendSection svg={data.trend} step={data.trendStep} />
      <TownshipMapSection data={data} />
      <NeverBorrowedTable rows={data.neverBorrowed} />
      <LeagueTable rows={data.league} ofOfficers={data.leagueOfOfficers} sortKey={data.sortKey} direction={data.direction} />
    </div>
  )
}
