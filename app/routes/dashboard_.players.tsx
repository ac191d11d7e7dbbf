// The players behind a figure on the dashboard (issue 7: every number drills down to the
// rows behind it), within the scope and the caller's own, one row per player as the figure
// counts them: those whose referral reached a stage in the period (with that referral), or
// those listed, assigned, candidates, visited, with a need or qualifying.
import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { productLabel } from '../components/product-label'
import { getTranslate, notFound, requirePermission } from '../http/guards.server'
import type { MessageKey } from '../i18n/index'
import { useLocale, useT } from '../i18n/use-t'
import { nameOfQuery, readFigureQuery } from '../services/figure-query.server'
import { PLAYER_FIGURES, REACHING_FIGURES, type PlayerFigure, type ReachingFigure } from '../domain/figures'
import { playersCounted, playersReaching } from '../services/figures.server'
import { isLoanFigure } from '../domain/reconciliation'
import { chinaDay } from '../domain/china-time'
import { countText } from '../domain/number-text'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  // New loan customers are the players disbursed to.
  const asked = params.get('figure') === 'newLoanCustomers' ? 'disbursed' : params.get('figure')
  const query = await readFigureQuery(context.db, user, params)
  if (!query.ok && query.status === 400) throw data({ messageKey: `period.${Object.values(query.problems)[0]}` }, { status: 400 })
  if (!query.ok) throw notFound()
  const title = nameOfQuery(query, await getTranslate(request).then((t) => t('dashboard.allOfMine')))
  if ((PLAYER_FIGURES as readonly (string | null)[]).includes(asked)) {
    const found = await playersCounted(context.db, query.scope, query.period, asked as PlayerFigure)
    return { kind: 'players' as const, figure: asked as PlayerFigure, title, period: query.period, total: found.total, players: found.rows, referrals: [] }
  }
  if (!(REACHING_FIGURES as readonly (string | null)[]).includes(asked)) throw notFound()
  const found = await playersReaching(context.db, query.scope, query.period, asked as ReachingFigure)
  return { kind: 'referrals' as const, figure: asked as ReachingFigure, title, period: query.period, total: found.total, players: [], referrals: found.rows }
}

export default function FigurePlayers() {
  const t = useT()
  const locale = useLocale()
  const { kind, figure, title, period, total, players, referrals } = useLoaderData<typeof loader>()
  const shown = kind === 'players' ? players.length : referrals.length
  const [params] = useSearchParams()
  const back = new URLSearchParams(params)
  back.delete('figure')
  return (
    <div className="stack">
      <p>
        <Link to={`/dashboard?${back.toString()}`}>← {t('dashboard.title')}</Link>
      </p>
      <h1>{`${t(`figure.${figure}` as MessageKey)} · ${title}`}</h1>
      <p className="muted" data-testid="drill-count">
        {t('dashboard.drillLine', { count: countText(total), from: period.from, to: period.to })}
      </p>
      {isLoanFigure(params.get('figure')) ? (
        <p>
          <Link to={`/dashboard/loans?${params.toString()}`} data-testid="loans-link">
            {t('reconciliation.link')} →
          </Link>
        </p>
      ) : null}
      {kind === 'players' ? (
        <div className="table-wrap card">
          <table className="cards">
            <thead>
              <tr>
                <th>{t('visits.player')}</th>
                <th>{t('export.column.township')}</th>
                <th>{t('visits.officer')}</th>
                <th>{t('drill.candidate')}</th>
                <th>{t('player.qualification')}</th>
                <th>{t('export.column.lastVisit')}</th>
              </tr>
            </thead>
            <tbody>
              {players.map((p) => (
                <tr key={p.playerId} data-player={p.playerId}>
                  <td className="card-title">
                    <Link to={`/players/${p.playerId}`}>{p.name}</Link>
                  </td>
                  <td data-label={t('export.column.township')}>{p.township ?? '—'}</td>
                  <td data-label={t('visits.officer')}>{p.officerName ?? '—'}</td>
                  <td data-label={t('drill.candidate')}>{t(`candidateStatus.${p.candidateStatus as 'candidate'}`)}</td>
                  <td data-label={t('player.qualification')}>{t(`qualification.${p.qualification as 'qualifies'}`)}</td>
                  <td data-label={t('export.column.lastVisit')}>{p.lastVisitedAt ? chinaDay(p.lastVisitedAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {kind === 'referrals' ? (
      <div className="table-wrap card">
        <table className="cards">
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
            {referrals.map((r) => (
              <tr key={r.playerId} data-player={r.playerId}>
                <td className="card-title">
                  <Link to={`/players/${r.playerId}`}>{r.name}</Link> {r.firstLender ? <span className="badge candidate-candidate">{t('referral.firstLender')}</span> : null}
                </td>
                <td data-label={t('referral.product')}>
                  <Link to={`/referrals/${r.referralId}`}>{productLabel(t, r.productCode, r.productCode)}</Link>
                </td>
                <td className="num" data-label={t('referral.amountYuan')}>{r.amountYuan.toLocaleString(locale)}</td>
                <td data-label={t('referral.stage')}>{t(`stage.${r.stage as 'referred'}`)}</td>
                <td data-label={t('referral.referredAt')}>{chinaDay(r.referredAt)}</td>
                <td data-label={t('visits.officer')}>{r.officerName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      ) : null}
      {total > shown ? <p className="muted">{t('dashboard.drillFirst', { shown: countText(shown) })}</p> : null}
    </div>
  )
}
