// What waits on this device to be sent (visits and consents signed offline), for the badge in
// the bar and the panel on the list.
import { Link } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { useT } from '../i18n/use-t'
import { OUTBOX_EVENT, discardQueued, flushOutbox, queuedVisits, sentVisits, startOutbox, type QueuedVisit, type SentVisit } from '../offline/outbox'
import { chinaTimeText } from '../domain/china-time'

export interface OutboxState {
  ready: boolean
  queued: QueuedVisit[]
  sent: SentVisit[]
  online: boolean
}

export function useOutbox(): OutboxState {
  const [state, setState] = useState<OutboxState>({ ready: false, queued: [], sent: [], online: true })
  useEffect(() => {
    if (typeof indexedDB === 'undefined') return
    startOutbox()
    let live = true
    const refresh = () =>
      void Promise.all([queuedVisits(), sentVisits()]).then(([queued, sent]) => {
        if (live) setState({ ready: true, queued, sent, online: navigator.onLine })
      })
    refresh()
    window.addEventListener(OUTBOX_EVENT, refresh)
    window.addEventListener('online', refresh)
    window.addEventListener('offline', refresh)
    return () => {
      live = false
      window.removeEventListener(OUTBOX_EVENT, refresh)
      window.removeEventListener('online', refresh)
      window.removeEventListener('offline', refresh)
    }
  }, [])
  return state
}

/** "3 to send" in the bar, while anything waits. */
export function OutboxBadge() {
  const t = useT()
  const { queued, online } = useOutbox()
  if (!queued.length && online) return null
  return (
    <Link to="/my#outbox" className={`outbox-badge${queued.length ? ' waiting' : ''}`} data-testid="outbox-badge">
      {!online ? <span className="offline-dot">{t('outbox.offline')}</span> : null}
      {queued.length ? t('outbox.waiting', { count: queued.length }) : null}
    </Link>
  )
}

/** The list of what waits, what the server refused, and what became of the last ones sent. A refused consent is signed again, not corrected. */
export function OutboxPanel({ onCorrect }: { onCorrect?: (item: QueuedVisit) => void }) {
  const t = useT()
  const { ready, queued, sent, online } = useOutbox()
  if (!ready || (!queued.length && !sent.length)) return null
  return (
    <section className="card" id="outbox" aria-labelledby="outbox-title">
      <h2 id="outbox-title">{t('outbox.title')}</h2>
      {queued.length ? (
        <>
          <p className="muted">{online ? t('outbox.sending') : t('outbox.offlineNote')}</p>
          <ul className="outbox-list">
            {queued.map((q) => (
              <li key={q.id} className={`outbox-${q.state}`} data-kind={q.kind ?? 'visit'}>
                {q.kind === 'consent' ? `${t('outbox.kind.consent')} · ` : null}
                <strong>{q.playerName}</strong> · {q.kind === 'consent' ? t('outbox.consent.signedAt', { at: chinaTimeText(String(q.values.signedAt)) }) : chinaTimeText(q.queuedAt)} · {t(`outbox.state.${q.state}`)}
                {q.attempts ? ` · ${t('outbox.attempts', { count: q.attempts })}` : ''}
                {q.photos?.length ? <span data-testid="outbox-photos"> · {t('outbox.photos', { count: q.photos.length })}</span> : null}
                {q.message ? <div className="field-errors">{q.message}</div> : null}
                {q.fieldErrors ? (
                  <ul className="field-errors">
                    {Object.entries(q.fieldErrors).map(([field, messages]) => (
                      <li key={field}>
                        {field}: {messages.join(' ')}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {q.state === 'rejected' ? (
                  <div className="row-actions">
                    {onCorrect ? (
                      <button type="button" onClick={() => onCorrect(q)}>
                        {t(q.kind === 'consent' ? 'my.consent.signAgain' : 'outbox.correct')}
                      </button>
                    ) : null}
                    <button type="button" className="link-button" onClick={() => confirm(t('outbox.discardConfirm')) && void discardQueued(q.id)}>
                      {t('outbox.discard')}
                    </button>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
          {online ? (
            <button type="button" onClick={() => void flushOutbox({ force: true })}>
              {t('outbox.sendNow')}
            </button>
          ) : null}
        </>
      ) : null}
      {sent.length ? (
        <>
          <h3>{t('outbox.sent')}</h3>
          <ul className="outbox-list" data-testid="sent-visits">
            {sent.slice(0, 10).map((s) => (
              <li key={s.id} data-kind={s.kind ?? 'visit'}>
                {s.kind === 'consent' ? (
                  <>
                    {t('outbox.kind.consent')} · <Link to={`/players/${s.playerId}/consent`}>{s.playerName}</Link>
                  </>
                ) : (
                  <Link to={`/visits/${s.id}`}>{s.playerName}</Link>
                )}{' '}
                · {chinaTimeText(s.sentAt)} · {t(s.status === 201 ? 'outbox.stored' : 'outbox.storedBefore')}
                {s.flag ? <span className="badge flag"> {t(`visit.flag.${s.flag as 'far'}`)}</span> : null}
                {s.conflict ? <div className="notice warning">{t('visit.conflict.reassigned', { officer: s.conflict.officerName ?? t('player.unassigned') })}</div> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  )
}
