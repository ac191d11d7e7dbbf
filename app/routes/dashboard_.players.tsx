// The players behind a figure on the dashboard (issue 7: every number drills down to the
// rows behind it): those whose referral reached the stage in the period, within the scope
// and the caller's own, one row per player as the figure counts them.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { productLabel } from '../components/product-label'
import { notFound, requirePermission } from '../guards.server'
import type { MessageKey } from '../i18n/index'
import { useLocale, useT } from '../i18n/use-t'
import { readFigureQuery } from '../services/figure-query.server'
import { REACHING_FIGURES, type ReachingFigure } from '../domain/figures'
import { playersReaching } from '../services/figures.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  const figure = params.get('figure') as ReachingFigure
  if (!REACHING_FIGURES.includes(figure)) throw notFound()
  const query = await readFigureQuery(context.db, user, params)
  if (!query.ok) throw notFound()
  const found = await playersReaching(context.db, query.scope, query.period, figure)
  return { figure, unit: query.unit, period: query.period, ...found }
}

export default function FigurePlayers() {
  const t = useT()
  const locale = useLocale()
  const { figure, unit, period, total, rows } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  const back = new URLSearchParams(params)
  back.delete('figure')
  return (
    <div className="stack">
      <p>
        <Link to={`/dashboard?${back.toString()}`}>← {t('dashboard.title')}</Link>
      </p>
      <h1>{`${t(`figure.${figure}` as MessageKey)} · ${unit?.name ?? t('dashboard.allOfMine')}`}</h1>
      <p className="muted" data-testid="drill-count">
        {t('dashboard.drillLine', { count: total.toLocaleString(locale), from: period.from, to: period.to })}
      </p>
      <div className="table-wrap card">
        <table>
          <thead>
            <tr>
              <th>{t('visits.player')}</th>
              <th>{t('referral.product')}</th>
              <th className="num">{t('referral.amountYuan')}</th>
              <th>{t('referral.stage')}</th>
              <th>{t('referral.referredAt')}</th>
              <th>{t('visits.officer')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.playerId} data-player={r.playerId}>
                <td>
                  <Link to={`/players/${r.playerId}`}>{r.name}</Link> {r.firstLender ? <span className="badge candidate-candidate">{t('referral.firstLender')}</span> : null}
                </td>
                <td>
                  <Link to={`/referrals/${r.referralId}`}>{productLabel(t, r.productCode, r.productCode)}</Link>
                </td>
                <td className="num">{r.amountYuan.toLocaleString(locale)}</td>
                <td>{t(`stage.${r.stage as 'referred'}`)}</td>
                <td>{r.referredAt.slice(0, 10)}</td>
                <td>{r.officerName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {total > rows.length ? <p className="muted">{t('dashboard.drillFirst', { shown: rows.length.toLocaleString(locale) })}</p> : null}
    </div>
  )
}
