// The workload table per officer and the balancing suggestion. "执行" first shows which
// players a move would take (how many, from whom to whom, a few names) and asks to
// confirm; only the confirmation posts the move.
import { Form, Link } from '@remix-run/react'
import { useT } from '../../i18n/use-t'
import { countText } from '../../domain/number-text'

export interface WorkloadRow {
  id: number
  name: string
  username: string
  orgName: string
  players: number
  candidates: number
  notVisited: number
  followUpsDue: number
  overdue: number
}

interface Spread {
  min: number
  max: number
  stdev: number
}

export interface Workload {
  rows: WorkloadRow[]
  unassigned: number
  balance: { spread: Spread; spreadAfter: Spread; moves: { fromOfficerId: number; toOfficerId: number; players: number }[] }
}

export interface MovePreview {
  fromOfficerId: number
  toOfficerId: number
  players: number
  count: number
  from: string
  to: string
  names: string[]
}

export function WorkloadSection({ workload, preview, busy, nameOf }: { workload: Workload; preview: MovePreview | null; busy: boolean; nameOf: (id: number) => string }) {
  const t = useT()
  return (
    <section className="card" aria-labelledby="workload">
      <h2 id="workload">{t('workload.title')}</h2>
      {workload.rows.length === 0 ? (
        <p className="empty-state" data-testid="no-officers">
          {t('workload.none')}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="cards workload">
            <thead>
              <tr>
                <th>{t('workload.officer')}</th>
                <th>{t('table.orgUnit')}</th>
                <th className="num">{t('workload.players')}</th>
                <th className="num">{t('workload.candidates')}</th>
                <th className="num">{t('workload.notVisited')}</th>
                <th className="num">{t('workload.followUpsDue')}</th>
              </tr>
            </thead>
            <tbody>
              {workload.rows.map((row) => (
                <tr key={row.id} data-officer={row.username}>
                  <td className="card-title">
                    {row.name} <span className="muted small">({row.username})</span>
                  </td>
                  <td data-label={t('table.orgUnit')}>{row.orgName}</td>
                  <td data-label={t('workload.players')} className="num players">{countText(row.players)}</td>
                  <td data-label={t('workload.candidates')} className="num">{countText(row.candidates)}</td>
                  <td data-label={t('workload.notVisited')} className="num">{countText(row.notVisited)}</td>
                  <td data-label={t('workload.followUpsDue')} className="num follow-ups">
                    {/* One value for the card's grid: the overdue stays beside the count, not on a line of its own. */}
                    <span>
                      {countText(row.followUpsDue)}
                      {row.overdue ? <span className="small overdue"> {t('workload.overdue', { count: row.overdue })}</span> : null}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">{t('workload.followUpsHint')}</p>
      <p className="muted" data-testid="unassigned">
        {t('workload.unassigned', { count: workload.unassigned })}
      </p>
      <p data-testid="spread">
        {t('workload.spread', { min: workload.balance.spread.min, max: workload.balance.spread.max, stdev: workload.balance.spread.stdev.toFixed(1) })}
      </p>
      <h3>{t('workload.suggestion')}</h3>
      {workload.balance.moves.length === 0 ? (
        <p className="muted">{t('workload.balanced')}</p>
      ) : (
        <>
          <p className="muted small">
            {t('workload.spreadAfter', {
              min: workload.balance.spreadAfter.min,
              max: workload.balance.spreadAfter.max,
              stdev: workload.balance.spreadAfter.stdev.toFixed(1),
            })}
          </p>
          <ul className="moves">
            {workload.balance.moves.map((m) => {
              const shown = preview && preview.fromOfficerId === m.fromOfficerId && preview.toOfficerId === m.toOfficerId ? preview : null
              return (
                <li key={`${m.fromOfficerId}-${m.toOfficerId}`}>
                  {shown ? (
                    <MoveConfirm preview={shown} busy={busy} />
                  ) : (
                    <Form method="get" className="inline-form" preventScrollReset>
                      <input type="hidden" name="fromOfficerId" value={m.fromOfficerId} />
                      <input type="hidden" name="toOfficerId" value={m.toOfficerId} />
                      <input type="hidden" name="players" value={m.players} />
                      <span>{t('workload.move', { from: nameOf(m.fromOfficerId), to: nameOf(m.toOfficerId), players: m.players })}</span>{' '}
                      <button type="submit" disabled={busy}>
                        {t('workload.apply')}
                      </button>
                    </Form>
                  )}
                </li>
              )
            })}
          </ul>
        </>
      )}
    </section>
  )
}

/** What the move would do, and the one button that does it. */
function MoveConfirm({ preview, busy }: { preview: MovePreview; busy: boolean }) {
  const t = useT()
  return (
    <div className="move-preview stack" role="group" aria-labelledby="move-preview-title" data-testid="move-preview">
      <p id="move-preview-title">
        <strong>{t('workload.previewTitle', { count: preview.count, from: preview.from, to: preview.to })}</strong>
      </p>
      {preview.names.length ? (
        <p className="small">
          {t('workload.previewNames', { names: preview.names.join('、'), more: Math.max(0, preview.count - preview.names.length) })}
        </p>
      ) : null}
      <Form method="post" action="/territories" className="actions" preventScrollReset>
        <input type="hidden" name="intent" value="balance" />
        <input type="hidden" name="fromOfficerId" value={preview.fromOfficerId} />
        <input type="hidden" name="toOfficerId" value={preview.toOfficerId} />
        <input type="hidden" name="players" value={preview.players} />
        <button type="submit" className="primary" disabled={busy || preview.count === 0}>
          {t('workload.confirm')}
        </button>
        <Link to="/territories" preventScrollReset className="button-link">
          {t('map.cancel')}
        </Link>
      </Form>
    </div>
  )
}
