// /dashboard/loans/export?format=xlsx|csv&figure=…&<the dashboard's query>: the loans behind
// a disbursement figure as a file (services/reconciliation/). A GET is always masked; owner ID
// numbers leave unmasked only from a POST with `unmask=1` by one who may unmask, so a link on
// another site cannot make a signed-in browser export them. Every export is audited.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import type { AppContext } from '../http/context.server'
import { isLoanFigure } from '../domain/reconciliation'
import { exportAnswer, readFigureExport } from '../http/figure-export.server'
import { actorOf, notFound } from '../http/guards.server'
import { nameOfQuery } from '../services/figure-query.server'
import { exportDisbursedLoans } from '../services/reconciliation/export-disbursed-loans.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  return exportFile(request, context, false)
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  return exportFile(request, context, form.get('unmask') === '1')
}

async function exportFile(request: Request, context: AppContext, askedToUnmask: boolean) {
  const figureOf = (params: URLSearchParams) => params.get('figure') ?? 'disbursed'
  const exported = await readFigureExport(request, context, askedToUnmask, (params) => isLoanFigure(figureOf(params)))
  if (exported instanceof Response) return exported
  const { user, params, query, t, format, unmask } = exported
  const figure = figureOf(params)
  if (!isLoanFigure(figure)) throw notFound()
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
    unmask,
  })
  return exportAnswer(body, 'wanqi-loans', exported)
}
