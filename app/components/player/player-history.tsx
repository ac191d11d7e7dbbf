// What has happened to the player: its consent's standing, its latest visits, and the
// timeline of assignments and of what each list said.
import { Link } from '@remix-run/react'
import { chinaTimeText } from '../../domain/china-time'
import { moneyText } from '../../domain/money-text'
import { isMessageKey } from '../../i18n/index'
import { useLocale, useT } from '../../i18n/use-t'
import type { findPlayerVisits } from '../../services/visits/find-player-visits.server'
import { formatDistance } from '../visit-form'

export function ConsentStanding({ playerId, consent, canSign }: { playerId: number; consent: { standing: 'valid' | 'expired' | 'withdrawn'; expiresAt: string } | null; canSign: boolean }) {
  const t = useT()
  return (
    <section className="card" aria-labelledby="player-consent">
      <h2 id="player-consent">{t('consent.title')}</h2>
      <p data-testid="consent-standing">
        {consent ? (
          <>
            <span className={`badge${consent.standing === 'valid' ? ' candidate-candidate' : ''}`}>{t(`consent.standing.${consent.standing}`)}</span>{' '}
            {consent.standing === 'valid' ? t('consent.expiresAt', { at: chinaTimeText(consent.expiresAt) }) : null}
          </>
        ) : (
          t('consent.none')
        )}
      </p>
      <Link to={`/players/${playerId}/consent`} className={canSign ? 'button-link' : undefined}>
        {canSign ? t('consent.signNow') : t('consent.title')}
      </Link>
    </section>
  )
}

export function PlayerVisits({ visits }: { visits: Awaited<ReturnType<typeof findPlayerVisits>> }) {
  const t = useT()
  const locale = useLocale()
  return (
    <section className="card" aria-labelledby="player-visits">
      <h2 id="player-visits">{t('nav.visits')}</h2>
      {visits.length ? (
        <ul className="audit">
          {visits.map((v) => (
            <li key={v.id}>
              <Link to={`/visits/${v.id}`}>
                <time dateTime={v.visitedAt}>{chinaTimeText(v.visitedAt)}</time>
              </Link>{' '}
              · {v.officerName} · {t(`visit.channel.${v.channel}`)}
              {v.outcome ? ` · ${t(`visit.outcome.${v.outcome as 'refer'}`)}` : ''}
              {v.need.has ? ` · ${t('visit.hasNeed')}${v.need.amountYuan !== null ? ` ${t('visits.needAmount', { amount: moneyText(v.need.amountYuan, locale) })}` : ''}` : ''}
              {v.checkIn.distanceMetres !== null ? ` · ${formatDistance(v.checkIn.distanceMetres)}` : ''}
              {v.checkIn.flag ? <span className="badge flag"> {t(`visit.flag.${v.checkIn.flag as 'far'}`)}</span> : null}
              {v.conflict ? <span className="badge flag"> {t('visit.flag.conflict')}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('campaignStatus.not_visited')}</p>
      )}
    </section>
  )
}

export interface TimelineEntries {
  assignments: { at: string; officerName: string | null; byName: string | null; reason: string | null }[]
  sources: { at: string; source: string; importJobId: number | null; row: number | null; said: string }[]
}

export function PlayerTimeline({ assignments, sources }: TimelineEntries) {
  const t = useT()
  return (
    <section className="card" aria-labelledby="timeline">
      <h2 id="timeline">{t('player.timeline')}</h2>
      <ul className="audit">
        {[
          ...assignments.map((a) => ({
            at: a.at,
            text: `${t('player.assignedTo', { officer: a.officerName ?? t('player.unassigned') })}${a.byName ? ` · ${a.byName}` : ''}${
              a.reason ? ` · ${isMessageKey(a.reason) ? t(a.reason) : a.reason}` : ''
            }`,
          })),
          ...sources.map((s) => ({
            at: s.at,
            text: `${t(`source.${s.source as 'tax'}`)}${s.importJobId ? ` #${s.importJobId}${s.row ? ` ${t('player.row', { row: s.row })}` : ''}` : ''}: ${Object.keys(JSON.parse(s.said) as object)
              .map((k) => t(`column.${k === 'revenueYuan' ? 'revenue' : k === 'assetsYuan' ? 'assets' : k === 'industryCode' ? 'industry' : k}` as 'column.uscc'))
              .join('、')}`,
          })),
        ]
          .sort((a, b) => b.at.localeCompare(a.at))
          .map((e, i) => (
            <li key={i}>
              <time dateTime={e.at}>{chinaTimeText(e.at)}</time> · {e.text}
            </li>
          ))}
      </ul>
    </section>
  )
}
