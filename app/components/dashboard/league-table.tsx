// The units (or, at an outlet, the officers) right below the one in view, ranked by any
// figure; each row narrows the view to itself.
import { Link, useSearchParams } from '@remix-run/react'
import { LEAGUE_FIGURES, type Figures } from '../../domain/figures'
import type { MessageKey } from '../../i18n/index'
import { useLocale, useT } from '../../i18n/use-t'
import type { LeagueRow } from '../../services/dashboard.server'
import { formatValue, kindOf, withParam } from './figure-format'

export interface LeagueTableRow {
  name: string
  narrow: LeagueRow['narrow']
  figures: Partial<Figures>
}

export function LeagueTable({ rows, ofOfficers, sortKey, direction }: { rows: LeagueTableRow[]; ofOfficers: boolean; sortKey: keyof Figures; direction: 'asc' | 'desc' }) {
  const t = useT()
  const locale = useLocale()
  const [params] = useSearchParams()
  const label = (k: keyof Figures) => t(`figure.${k}` as MessageKey)
  return (
    <section className="card" aria-labelledby="league">
      <h2 id="league">{ofOfficers ? t('dashboard.leagueOfficers') : t('dashboard.league')}</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('table.name')}</th>
              {LEAGUE_FIGURES.map((k) => {
                const sorted = sortKey === k
                const next = sorted && direction === 'desc' ? 'asc' : 'desc'
                return (
                  <th key={k} className="num" aria-sort={sorted ? (direction === 'asc' ? 'ascending' : 'descending') : undefined}>
                    <Link to={`?${withParam(withParam(params, 'sort', k), 'dir', next)}`} preventScrollReset>
                      {label(k)}
                      {sorted ? (direction === 'asc' ? ' ▲' : ' ▼') : ''}
                    </Link>
                  </th>
                )
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name} data-league-row={row.name}>
                <td>
                  <Link to={`?${'scope' in row.narrow ? withParam(params, 'scope', row.narrow.scope) : withParam(params, 'officer', row.narrow.officer)}`}>{row.name}</Link>
                </td>
                {LEAGUE_FIGURES.map((k) => (
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
  )
}
