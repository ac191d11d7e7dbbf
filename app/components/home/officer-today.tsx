// The officer's home: today's plan (follow-ups overdue and due, players never visited),
// what is done, and the way into /my, which sorts its list by the same reasons.
import { Link } from '@remix-run/react'
import { chinaClockText } from '../../domain/china-time'
import type { ListReason } from '../../domain/visit'
import { useT } from '../../i18n/use-t'
import { countText } from '../../domain/number-text'

export interface OfficerTodayData {
  today: string
  assigned: number
  overdue: number
  dueToday: number
  notVisited: number
  noOutcome: number
  visitsToday: number
  plan: { id: number; name: string; address: string | null; reason: ListReason; nextFollowUpOn: string | null }[]
  visited: { visitId: string; playerId: number; name: string; visitedAt: string }[]
}

/** /my lists the day by reason, overdue first: the plan's links open it so. */
const MY_LIST = '/my?sort=reason'

export function OfficerToday({ data }: { data: OfficerTodayData }) {
  const t = useT()
  const toDo = data.overdue + data.dueToday + data.notVisited + data.noOutcome
  const tiles = [
    { key: 'overdue', label: t('home.today.overdue'), value: data.overdue, to: MY_LIST, tone: data.overdue > 0 ? 'danger' : '' },
    { key: 'due-today', label: t('home.today.dueToday'), value: data.dueToday, to: MY_LIST, tone: data.dueToday > 0 ? 'warn' : '' },
    { key: 'not-visited', label: t('home.today.notVisited'), value: data.notVisited, to: MY_LIST, tone: '' },
    { key: 'visits-today', label: t('home.today.visitsToday'), value: data.visitsToday, to: '/visits', tone: data.visitsToday > 0 ? 'ok' : '' },
  ]
  return (
    <>
      <section className="card" aria-labelledby="today-title" data-testid="officer-today">
        <h2 id="today-title">{t('home.today.title', { day: data.today })}</h2>
        <p className="muted">{t('home.today.assigned', { count: countText(data.assigned) })}</p>
        <ul className="home-tiles">
          {tiles.map((tile) => (
            <li key={tile.key} className={tile.tone ? `tone-${tile.tone}` : undefined} data-testid={`today-${tile.key}`}>
              <Link to={tile.to}>
                <span className="home-tile-value">{countText(tile.value)}</span>
                <span className="home-tile-label">{tile.label}</span>
              </Link>
            </li>
          ))}
        </ul>
        <h3>{t('home.today.plan')}</h3>
        {data.plan.length ? (
          <ol className="home-plan" data-testid="today-plan">
            {data.plan.map((p) => (
              <li key={p.id}>
                <span className={`badge reason-${p.reason}`}>{p.reason === 'overdue' ? t('my.reason.overdue', { date: p.nextFollowUpOn ?? '' }) : t(`my.reason.${p.reason}`)}</span>{' '}
                <Link to={`/players/${p.id}`}>{p.name}</Link>
                {p.address ? <span className="muted home-plan-address">{p.address}</span> : null}
              </li>
            ))}
          </ol>
        ) : (
          <p className="empty-state">{t('home.today.planEmpty')}</p>
        )}
        <p className="home-actions">
          <Link to={MY_LIST} className="button-link primary">
            {t('home.today.planMore', { count: countText(toDo) })}
          </Link>
        </p>
      </section>

      <section className="card" aria-labelledby="done-title" data-testid="officer-done">
        <h2 id="done-title">{t('home.today.done')}</h2>
        {data.visited.length ? (
          <ul className="home-done">
            {data.visited.map((v) => (
              <li key={v.visitId}>
                <Link to={`/visits/${v.visitId}`}>{chinaClockText(v.visitedAt)}</Link> <Link to={`/players/${v.playerId}`}>{v.name}</Link>
              </li>
            ))}
          </ul>
        ) : (
          <p className="empty-state">{t('home.today.doneEmpty')}</p>
        )}
        {data.visitsToday > data.visited.length ? (
          <p>
            <Link to="/visits">{t('home.today.allVisits')}</Link>
          </p>
        ) : null}
      </section>
    </>
  )
}
