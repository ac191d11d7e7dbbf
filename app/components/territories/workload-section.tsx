// The workload table per officer and the balancing suggestion. "执行" first shows which
// players a move would take (how many, from whom to whom, a few names) and asks to
// confirm; only the confirmation posts the move.
import { Form, Link } from '@remix-run/react'
import { useT } from '../../i18n/use-t'
import { countText } from '../../domain/number-text'
import { CardTable } from '../card-table'

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
      <CardTable
        rows={workload.rows}
        rowKey={(row) => row.id}
        rowProps={(row) => ({ 'data-officer': row.username })}
        className="workload"
        empty={t('workload.none')}
        emptyTestId="no-officers"
        columns={[
          {
            header: t('workload.officer'),
            title: true,
            cell: (row) => (
              <>
                {row.name} <span className="muted small">({row.username})</span>
              </>
            ),
          },
          { header: t('table.orgUnit'), cell: (row) => row.orgName },
          { header: t('workload.players'), className: 'num', cellProps: () => ({ className: 'players' }), cell: (row) => countText(row.players) },
          { header: t('workload.candidates'), className: 'num', cell: (row) => countText(row.candidates) },
          { header: t('workload.notVisited'), className: 'num', cell: (row) => countText(row.notVisited) },
          {
            header: t('workload.followUpsDue'),
            className: 'num',
            cellProps: () => ({ className: 'follow-ups' }),
            // One value for the card's grid: the overdue stays beside the count, not on a line of its own.
            cell: (row) => (
              <span>
                {countText(row.followUpsDue)}
                {row.overdue ? <span className="small overdue"> {t('workload.overdue', { count: row.overdue })}</span> : null}
              </span>
            ),
          },
        ]}
      />
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
