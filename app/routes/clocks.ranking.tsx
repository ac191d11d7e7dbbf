// The deadline ranking per outlet or officer, for managers (their unit), hq and admins (the
// bank): counted over the clocked players that came in and the referrals made between two
// China days.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { addDays, todayInChina } from '../domain/china-time'
import { checkDayRange } from '../domain/date-range'
import { requirePermission, userScope } from '../http/guards.server'
import { useT } from '../i18n/use-t'
import { rankClocks } from '../services/clocks/clock-ranking.server'
import { CardTable } from '../components/card-table'
import { DateInput } from '../components/date-field'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  const today = todayInChina()
  const from = params.get('from') || addDays(today, -29)
  const to = params.get('to') || today
  const by = params.get('by') === 'officer' ? 'officer' : 'outlet'
  const problems = checkDayRange(from, to, today)
  if (problems.from || problems.to) throw data({ problems }, { status: 400 })
  return { from, to, by, rows: await rankClocks(context.db, userScope(user), { from, to, by }) }
}

export default function ClockRanking() {
  const t = useT()
  const { from, to, by, rows } = useLoaderData<typeof loader>()
  const columns = ['clocks', 'contactDue', 'contactedOnTime', 'decideDue', 'decidedOnTime', 'overdue', 'refusals', 'refusalsWithReason', 'referrals', 'acceptDue', 'acceptedOnTime', 'acceptOverdue', 'escalated'] as const
  return (
    <div className="stack">
      <h1>{t('ranking.title')}</h1>
      <p className="muted">{t('ranking.intro')}</p>
      <Form method="get" className="toolbar">
        <label>
          {t('ranking.from')} <DateInput name="from" defaultValue={from} />
        </label>
        <label>
          {t('ranking.to')} <DateInput name="to" defaultValue={to} />
        </label>
        <label>
          {t('ranking.by')}{' '}
          <select name="by" defaultValue={by}>
            <option value="outlet">{t('ranking.byOutlet')}</option>
            <option value="officer">{t('ranking.byOfficer')}</option>
          </select>
        </label>
        <button type="submit">{t('ranking.show')}</button>
      </Form>
      <CardTable
        rows={rows}
        rowKey={(r) => r.id ?? 'none'}
        testId="clock-ranking"
        wrapClassName="table-wrap card"
        columns={[
          { header: t('ranking.unit'), title: true, cell: (r) => r.name ?? '—' },
          ...columns.map((c) => ({ header: t(`ranking.${c}`), className: 'num', cell: (r: (typeof rows)[number]) => r[c] })),
        ]}
      />
    </div>
  )
}
