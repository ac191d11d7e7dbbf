// /dashboard/export?format=xlsx|csv&<the dashboard's query>: the view as a file that streams
// (see figures-export.server.ts). A GET is always masked; personal data leaves unmasked only
// from a POST with `unmask=1` by one who may unmask (a button on the dashboard), so a link on
// another site cannot make a signed-in browser export it. Every export is in the audit log.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import type { AppContext } from '../http/context.server'
import { can } from '../domain/roles'
import { actorOf, getTranslate, notFound, requirePermission } from '../http/guards.server'
import { loadDashboard } from '../services/dashboard.server'
import { nameOfQuery, readFigureQuery } from '../services/figure-query.server'
import { exportView } from '../services/figures-export.server'

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
  const query = await readFigureQuery(context.db, user, params)
  const t = await getTranslate(request)
  if (!query.ok && query.status === 400) {
    const reasons = Object.entries(query.problems).map(([field, problem]) => `${field}: ${t(`period.${problem}`)}`)
    return new Response(`${t('dashboard.badPeriod')} ${reasons.join('; ')}`, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  if (!query.ok) throw notFound()
  const view = await loadDashboard(context.db, user, query, { map: false, full: true })
  const scopeName = nameOfQuery(query, t('dashboard.allOfMine'))
  const body = await exportView({
    db: context.db,
    actor: actorOf(user, context),
    pii: context.pii,
    t,
    format,
    unmask: askedToUnmask && can(user.role, 'personal-data:unmask'),
    view: { scope: query.scope, scopeName, period: query.period, figures: view.current, previous: view.previous, league: view.league },
  })
  const name = `wanqi-${query.unit?.code ?? 'all'}-${query.period.from}-${query.period.to}.${format}`
  return new Response(body, { headers: { 'Content-Type': TYPES[format], 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'private, no-store' } })
}
