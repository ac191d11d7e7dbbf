// The campaign funnel and the loans' trend, drawn on the server as SVG (services/charts.server.ts),
// the funnel's steps each with its conversion and a drill-down to its players.
import { Link, useSearchParams } from '@remix-run/react'
import type { Figures, TrendStep } from '../../domain/figures'
import type { MessageKey } from '../../i18n/index'
import { useLocale, useT } from '../../i18n/use-t'
import { formatValue, FUNNEL, withParam } from './figure-format'

export function FunnelSection({ svg, current }: { svg: string; current: Figures }) {
  const t = useT()
  const locale = useLocale()
  const [params] = useSearchParams()
  const label = (k: keyof Figures) => t(`figure.${k}` as MessageKey)
  return (
    <section className="card" aria-labelledby="funnel">
      <h2 id="funnel">{t('dashboard.funnel')}</h2>
      <div className="chart" dangerouslySetInnerHTML={{ __html: svg }} />
      <ol className="funnel-steps small">
        {FUNNEL.slice(1).map((k, i) => {
          const from = current[FUNNEL[i]] as number
          const to = current[k] as number
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
  )
}

export function TrendSection({ svg, step }: { svg: string; step: TrendStep }) {
  const t = useT()
  return (
    <section className="card" aria-labelledby="trend">
      <h2 id="trend">{t(step === 'week' ? 'dashboard.trendByWeek' : 'dashboard.trendByMonth')}</h2>
      <div className="chart" dangerouslySetInnerHTML={{ __html: svg }} />
    </section>
  )
}
