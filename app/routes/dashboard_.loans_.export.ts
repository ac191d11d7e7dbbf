// /dashboard/loans/export?format=xlsx|csv&figure=…&<the dashboard's query>: the loans behind
// a disbursement figure as a file (services/reconciliation/). A GET is always masked; owner ID
// numbers leave unmasked only from a POST with `unmask=1` by one who may unmask, so a link on
// another site cannot make a signed-in browser export them. Every export is audited.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import type { AppContext } from '../http/context.server'
import { can } from '../domain/roles'
import { isLoanFigure } from '../domain/reconciliation'
import { actorOf, getTranslate, notFound, requirePermission } from '../http/guards.server'
import { nameOfQuery, readFigureQuery } from '../services/figure-query.server'
import { exportDisbursedLoans } from '../services/reconciliation/export-disbursed-loans.server'

const TYPES = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8' }

export async function loader({ request, context }: LoaderFunctionArgs) {
  return exportFile(request, context, false)
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  return exportFile(request, context, form.get('unmask') === '1')
}

async function exportFile(request: Request, context: AppContext, askedToUnmask: boolean) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  const format = params.get('format') === 'csv' ? 'csv' : 'xlsx'
  const figure = params.get('figure') ?? 'disbursed'
  if (!isLoanFigure(figure)) throw notFound()
  const query = await readFigureQuery(context.db, user, params)
  const t = await getTranslate(request)
  if (!query.ok && query.status === 400) {
    const reasons = Object.entries(query.problems).map(([field, problem]) => `${field}: ${t(`period.${problem}`)}`)
    return new Response(`${t('dashboard.badPeriod')} ${reasons.join('; ')}`, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  if (!query.ok) throw notFound()
  const body = await exportDisbursedLoans({
    db: context.db,
    actor: actorOf(user, context),
    pii: context.pii,
    t,
    scope: query.scope,
    scopeName: nameOfQuery(query, t('dashboard.allOfMine')),
    period: query.period,
    figure,
    format,
    unmask: askedToUnmask && can(user.role, 'personal-data:unmask'),
  })
  const name = `wanqi-loans-${query.unit?.code ?? 'all'}-${query.period.from}-${query.period.to}.${format}`
  return new Response(body, { headers: { 'Content-Type': TYPES[format], 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'private, no-store' } })
}
