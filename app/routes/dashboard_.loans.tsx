// /dashboard/loans?figure=disbursed|newLoanCustomers|firstLenderConversions&<the dashboard's
// query>: the loans behind a disbursement figure, one row per loan (issue 25 item 5), scoped
// like the dashboard, with the export for the reporting team (masked by GET; unmasked by a
// POST from one who may unmask, audited).
import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { can } from '../domain/roles'
import { isLoanFigure } from '../domain/reconciliation'
import { getTranslate, notFound, requirePermission } from '../http/guards.server'
import type { MessageKey } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { nameOfQuery, readFigureQuery } from '../services/figure-query.server'
import { listDisbursedLoans } from '../services/reconciliation/disbursed-loans.server'
import { loanCells } from '../services/reconciliation/export-disbursed-loans.server'
import { countText } from '../domain/number-text'
import { CardTable } from '../components/card-table'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  const figure = params.get('figure') ?? 'disbursed'
  if (!isLoanFigure(figure)) throw notFound()
  const query = await readFigureQuery(context.db, user, params)
  if (!query.ok && query.status === 400) throw data({ messageKey: `period.${Object.values(query.problems)[0]}` }, { status: 400 })
  if (!query.ok) throw notFound()
  const t = await getTranslate(request)
  const found = await listDisbursedLoans(context.db, context.pii, query.scope, query.period, figure)
  return {
    figure,
    title: nameOfQuery(query, t('dashboard.allOfMine')),
    period: query.period,
    total: found.total,
    loans: found.rows.map((loan) => ({ id: loan.referralId, playerId: loan.playerId, cells: loanCells(t, loan) })),
    mayUnmask: can(user.role, 'personal-data:unmask'),
  }
}

const HEADERS = ['externalRef', 'name', 'customer', 'disbursedOn', 'amount', 'amountBasis', 'guarantee', 'firstLender', 'firstLenderBasis', 'channel', 'product', 'outlet', 'officer'] as const

export default function Loans() {
  const t = useT()
  const { figure, title, period, total, loans, mayUnmask } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  const exportQuery = new URLSearchParams(params)
  exportQuery.set('figure', figure)
  const back = new URLSearchParams(params)
  return (
    <div className="stack">
      <p>
        <Link to={`/dashboard/players?${back.toString()}`}>← {t(`figure.${figure}` as MessageKey)}</Link>
      </p>
      <h1>{`${t('reconciliation.title')} · ${t(`figure.${figure}` as MessageKey)} · ${title}`}</h1>
      <p className="muted" data-testid="loans-count">
        {t('reconciliation.line', { count: countText(total), from: period.from, to: period.to })}
      </p>
      {/* A div, not a p: the unmasked export is a form, which a paragraph may not hold (React's #418 on hydration). */}
      <div className="inline-form">
        {(['xlsx', 'csv'] as const).map((format) => (
          <a key={format} href={`/dashboard/loans/export?${new URLSearchParams([...exportQuery, ['format', format]]).toString()}`} download>
            {`${t('reconciliation.export')} ${format.toUpperCase()}`}
          </a>
        ))}
        {mayUnmask ? (
          <Form method="post" action={`/dashboard/loans/export?${new URLSearchParams([...exportQuery, ['format', 'xlsx']]).toString()}`} reloadDocument>
            <input type="hidden" name="unmask" value="1" />
            <button type="submit" className="link-button">
              {t('reconciliation.exportUnmasked')}
            </button>
          </Form>
        ) : null}
      </div>
      <CardTable
        rows={loans}
        rowKey={(loan) => loan.id}
        rowProps={(loan) => ({ 'data-referral': loan.id })}
        wrapClassName="table-wrap card"
        columns={HEADERS.map((h, i) => ({
          header: t(`reconciliation.column.${h}`),
          cell: (loan: (typeof loans)[number]) => (i === 1 ? <Link to={`/players/${loan.playerId}`}>{loan.cells[i]}</Link> : loan.cells[i]),
        }))}
      />
    </div>
  )
}
