// Channel clocks running out, in China time: an officer's own (due soon and overdue), and for
// a manager (and hq, admin) the clocks escalated to managers and still not met (with their
// count), and the overdue clocks of everyone in scope.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { chinaTimeText } from '../domain/china-time'
import type { Clock } from '../domain/clocks'
import { can } from '../domain/roles'
import { requireUser, userScope } from '../http/guards.server'
import { useT } from '../i18n/use-t'
import { listOpenClocks, type OpenClock } from '../services/clocks/find-clocks.server'
import { countOpenEscalations, listOpenEscalations, type Escalation } from '../services/clocks/find-escalations.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const scope = userScope(user)
  const now = new Date()
  const dueSoon = user.role === 'officer' ? (await listOpenClocks(context.db, scope, { now, within: 'dueSoon' })).filter((c) => c.nextDueAt >= now.toISOString()) : []
  const overdue = await listOpenClocks(context.db, scope, { now, within: 'overdue' })
  const canRank = can(user.role, 'branch:view')
  const escalations = canRank ? { rows: await listOpenEscalations(context.db, scope), count: await countOpenEscalations(context.db, scope) } : null
  return { overdue, dueSoon, canRank, escalations }
}

function ClockTable({ rows, testId }: { rows: OpenClock[]; testId: string }) {
  const t = useT()
  return (
    <div className="table-wrap">
      <table className="cards" data-testid={testId}>
        <thead>
          <tr>
            <th>{t('clocks.player')}</th>
            <th>{t('clocks.channel')}</th>
            <th>{t('clocks.open')}</th>
            <th>{t('clocks.nextDue')}</th>
            <th>{t('clocks.officer')}</th>
            <th>{t('clocks.outlet')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const open = [c.acceptDueAt && !c.acceptedAt ? 'accept' : null, c.contactDueAt && !c.contactedAt ? 'contact' : null, c.decideDueAt && !c.decidedAt ? 'decide' : null].filter((x): x is 'accept' => x !== null)
            return (
              <tr key={c.playerId} data-player={c.playerId}>
                <td className="card-title">
                  <Link to={`/players/${c.playerId}`}>{c.name}</Link>
                </td>
                <td data-label={t('clocks.channel')}>{t(`channel.${c.channel as 'loan_qr'}`)}</td>
                <td data-label={t('clocks.open')}>{open.map((o) => t(`clocks.${o}`)).join(' · ')}</td>
                <td data-label={t('clocks.nextDue')}>{chinaTimeText(c.nextDueAt)}</td>
                <td data-label={t('clocks.officer')}>{c.officerName ?? '—'}</td>
                <td data-label={t('clocks.outlet')}>{c.orgUnitName}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function EscalationTable({ rows }: { rows: Escalation[] }) {
  const t = useT()
  return (
    <div className="table-wrap">
      <table className="cards" data-testid="escalations">
        <thead>
          <tr>
            <th>{t('clocks.player')}</th>
            <th>{t('clocks.escalatedClock')}</th>
            <th>{t('clocks.ranOut')}</th>
            <th>{t('clocks.officer')}</th>
            <th>{t('clocks.escalatedTo')}</th>
            <th>{t('clocks.outlet')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={`${e.playerId}-${e.clock}-${e.referralId ?? 0}`} data-player={e.playerId} data-referral={e.referralId ?? undefined}>
              <td className="card-title">
                <Link to={`/players/${e.playerId}`}>{e.name}</Link>
                <br />
                <span className="muted">{t(`channel.${e.channel as 'loan_qr'}`)}</span>
              </td>
              <td data-label={t('clocks.escalatedClock')}>{e.referralId === null ? t(`clocks.${e.clock as Clock}`) : <Link to={`/referrals/${e.referralId}`}>{t('clocks.referralAccept')}</Link>}</td>
              <td data-label={t('clocks.ranOut')}>{chinaTimeText(e.dueAt)}</td>
              <td data-label={t('clocks.officer')}>{e.officerName ?? '—'}</td>
              <td data-label={t('clocks.escalatedTo')}>{e.managerName ?? '—'}</td>
              <td data-label={t('clocks.outlet')}>{e.orgUnitName}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export default function Clocks() {
  const t = useT()
  const { overdue, dueSoon, canRank, escalations } = useLoaderData<typeof loader>()
  return (
    <div className="stack">
      <h1>{t('clocks.title')}</h1>
      {canRank ? (
        <p>
          <Link to="/clocks/ranking">{t('ranking.title')} →</Link>
        </p>
      ) : null}
      {escalations ? (
        <section className="card" aria-labelledby="escalations">
          <h2 id="escalations">
            {t('clocks.escalationsTitle')} <span data-testid="escalation-count">{escalations.count}</span>
          </h2>
          <p className="muted">{t('clocks.escalationsIntro')}</p>
          {escalations.count === 0 ? <p className="empty-state">{t('clocks.noEscalations')}</p> : <EscalationTable rows={escalations.rows} />}
        </section>
      ) : null}
      <section className="card" aria-labelledby="overdue">
        <h2 id="overdue">{t('clocks.overdueTitle')}</h2>
        <p className="muted">{t('clocks.overdueIntro')}</p>
        {overdue.length === 0 ? <p className="empty-state">{t('clocks.noneOverdue')}</p> : <ClockTable rows={overdue} testId="overdue-clocks" />}
      </section>
      {dueSoon.length > 0 ? (
        <section className="card" aria-labelledby="due-soon">
          <h2 id="due-soon">{t('clocks.dueSoonTitle')}</h2>
          <ClockTable rows={dueSoon} testId="due-soon-clocks" />
        </section>
      ) : null}
    </div>
  )
}
