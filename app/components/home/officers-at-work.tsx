// The manager's home: their officers, each with their workload and today's visits, as a
// table on a desk and a card per officer on a phone (tokens.css `table.cards`), each with
// the way to their visits, their players and their figures.
import { Link } from '@remix-run/react'
import { useT } from '../../i18n/use-t'
import type { OfficerAtWork } from '../../services/home/find-officers-at-work.server'
import { countText } from '../../domain/number-text'
import { CardTable, type CardColumn } from '../card-table'

export interface OfficersAtWorkData {
  today: string
  officers: OfficerAtWork[]
  totals: { players: number; notVisited: number; dueToday: number; overdue: number; visitsToday: number }
}

const COLUMNS = ['players', 'notVisited', 'dueToday', 'overdue', 'visitsToday'] as const

export function OfficersAtWork({ data }: { data: OfficersAtWorkData }) {
  const t = useT()
  const label = { players: t('home.officers.players'), notVisited: t('home.officers.notVisited'), dueToday: t('home.officers.dueToday'), overdue: t('home.officers.overdue'), visitsToday: t('home.officers.visitsToday') }
  return (
    <section className="card" aria-labelledby="officers-title" data-testid="officers-at-work">
      <h2 id="officers-title">{t('home.officers.title', { day: data.today })}</h2>
      <dl className="counts" data-testid="officers-totals">
        {COLUMNS.map((key) => (
          <div key={key} className={key === 'overdue' && data.totals.overdue > 0 ? 'tone-danger' : undefined}>
            <dt>{label[key]}</dt>
            <dd>{countText(data.totals[key])}</dd>
          </div>
        ))}
      </dl>
      <CardTable
        rows={data.officers}
        rowKey={(o) => o.id}
        rowProps={() => ({ 'data-testid': 'officer-row' })}
        className="home-officers"
        empty={t('home.officers.empty')}
        columns={[
          {
            header: t('users.name'),
            title: true,
            cell: (o) => (
              <>
                <strong>{o.name}</strong> <span className="muted">{o.orgName}</span>
              </>
            ),
          },
          ...COLUMNS.map(
            (key): CardColumn<OfficerAtWork> => ({
              header: label[key],
              className: 'num',
              cell: (o) => countText(o[key]),
              cellProps: (o) => (key === 'overdue' && o.overdue > 0 ? { className: 'tone-danger' } : {}),
            }),
          ),
          {
            header: t('home.officers.work'),
            className: 'home-officer-links',
            cell: (o) => (
              <span>
                <Link to={`/visits?officer=${o.id}`}>{t('home.officers.visits')}</Link> · <Link to={`/players?officer=${o.id}`}>{t('home.officers.players.link')}</Link> ·{' '}
                <Link to={`/dashboard?officer=${o.id}`}>{t('home.officers.figures')}</Link>
              </span>
            ),
          },
        ]}
      />
    </section>
  )
}
