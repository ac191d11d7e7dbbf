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
import { CardTable } from '../components/card-table'

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
        <CardTable
          rows={players}
          rowKey={(p) => p.playerId}
          rowProps={(p) => ({ 'data-player': p.playerId })}
          wrapClassName="table-wrap card"
          columns={[
            { header: t('visits.player'), title: true, cell: (p) => <Link to={`/players/${p.playerId}`}>{p.name}</Link> },
            { header: t('export.column.township'), cell: (p) => p.township ?? '—' },
            { header: t('visits.officer'), cell: (p) => p.officerName ?? '—' },
            { header: t('drill.candidate'), cell: (p) => t(`candidateStatus.${p.candidateStatus as 'candidate'}`) },
            { header: t('player.qualification'), cell: (p) => t(`qualification.${p.qualification as 'qualifies'}`) },
            { header: t('export.column.lastVisit'), cell: (p) => (p.lastVisitedAt ? chinaDay(p.lastVisitedAt) : '—') },
          ]}
        />
      ) : null}
      {kind === 'referrals' ? (
        <CardTable
          rows={referrals}
          rowKey={(r) => r.playerId}
          rowProps={(r) => ({ 'data-player': r.playerId })}
          wrapClassName="table-wrap card"
          columns={[
            {
              header: t('visits.player'),
              title: true,
              cell: (r) => (
                <>
                  <Link to={`/players/${r.playerId}`}>{r.name}</Link> {r.firstLender ? <span className="badge candidate-candidate">{t('referral.firstLender')}</span> : null}
                </>
              ),
            },
            { header: t('referral.product'), cell: (r) => <Link to={`/referrals/${r.referralId}`}>{productLabel(t, r.productCode, r.productCode)}</Link> },
            { header: t('referral.amountYuan'), className: 'num', cell: (r) => r.amountYuan.toLocaleString(locale) },
            { header: t('referral.stage'), cell: (r) => t(`stage.${r.stage as 'referred'}`) },
            { header: t('referral.referredAt'), cell: (r) => chinaDay(r.referredAt) },
            { header: t('visits.officer'), cell: (r) => r.officerName },
          ]}
        />
      ) : null}
      {total > shown ? <p className="muted">{t('dashboard.drillFirst', { shown: countText(shown) })}</p> : null}
    </div>
  )
}
