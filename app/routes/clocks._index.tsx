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
import { CardTable } from '../components/card-table'
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

/** The clocks still open on a player, in the order they run out. */
function openClocks(c: OpenClock): ('accept' | 'contact' | 'decide')[] {
  const open = [c.acceptDueAt && !c.acceptedAt ? 'accept' : null, c.contactDueAt && !c.contactedAt ? 'contact' : null, c.decideDueAt && !c.decidedAt ? 'decide' : null] as const
  return open.filter((x) => x !== null)
}

function ClockTable({ rows, testId }: { rows: OpenClock[]; testId: string }) {
  const t = useT()
  return (
    <CardTable
      rows={rows}
      rowKey={(c) => c.playerId}
      rowProps={(c) => ({ 'data-player': c.playerId })}
      testId={testId}
      columns={[
        { header: t('clocks.player'), title: true, cell: (c) => <Link to={`/players/${c.playerId}`}>{c.name}</Link> },
        { header: t('clocks.channel'), cell: (c) => t(`channel.${c.channel as 'loan_qr'}`) },
        { header: t('clocks.open'), cell: (c) => openClocks(c).map((o) => t(`clocks.${o}`)).join(' · ') },
        { header: t('clocks.nextDue'), cell: (c) => chinaTimeText(c.nextDueAt) },
        { header: t('clocks.officer'), cell: (c) => c.officerName ?? '—' },
        { header: t('clocks.outlet'), cell: (c) => c.orgUnitName },
      ]}
    />
  )
}

function EscalationTable({ rows }: { rows: Escalation[] }) {
  const t = useT()
  return (
    <CardTable
      rows={rows}
      rowKey={(e) => `${e.playerId}-${e.clock}-${e.referralId ?? 0}`}
      rowProps={(e) => ({ 'data-player': e.playerId, 'data-referral': e.referralId ?? undefined })}
      testId="escalations"
      columns={[
        {
          header: t('clocks.player'),
          title: true,
          cell: (e) => (
            <>
              <Link to={`/players/${e.playerId}`}>{e.name}</Link>
              <br />
              <span className="muted">{t(`channel.${e.channel as 'loan_qr'}`)}</span>
            </>
          ),
        },
        { header: t('clocks.escalatedClock'), cell: (e) => (e.referralId === null ? t(`clocks.${e.clock as Clock}`) : <Link to={`/referrals/${e.referralId}`}>{t('clocks.referralAccept')}</Link>) },
        { header: t('clocks.ranOut'), cell: (e) => chinaTimeText(e.dueAt) },
        { header: t('clocks.officer'), cell: (e) => e.officerName ?? '—' },
        { header: t('clocks.escalatedTo'), cell: (e) => e.managerName ?? '—' },
        { header: t('clocks.outlet'), cell: (e) => e.orgUnitName },
      ]}
    />
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
