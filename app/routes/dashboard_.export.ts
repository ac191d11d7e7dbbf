// GET /dashboard/export?format=xlsx|csv&<the dashboard's query>: the view as a file that
// streams (see figures-export.server.ts). Personal data leaves masked unless the exporter
// may unmask and ticked `unmask=1`; every export is in the audit log.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { can } from '../domain/roles'
import { actorOf, getTranslate, notFound, requirePermission } from '../guards.server'
import { loadDashboard } from '../services/dashboard.server'
import { nameOfQuery, readFigureQuery } from '../services/figure-query.server'
import { exportView } from '../services/figures-export.server'

const TYPES = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8' }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  const format = params.get('format') === 'csv' ? 'csv' : 'xlsx'
  const query = await readFigureQuery(context.db, user, params)
  if (!query.ok) throw notFound()
  const t = await getTranslate(request)
  const view = await loadDashboard(context.db, user, query, { map: false, full: true })
  const scopeName = nameOfQuery(query, t('dashboard.allOfMine'))
  const body = await exportView({
    db: context.db,
    actor: actorOf(user, context),
    pii: context.pii,
    t,
    format,
    unmask: params.get('unmask') === '1' && can(user.role, 'personal-data:unmask'),
    view: { scope: query.scope, scopeName, period: query.period, figures: view.current, previous: view.previous, league: view.league },
  })
  const name = `wanqi-${query.unit?.code ?? 'all'}-${query.period.from}-${query.period.to}.${format}`
  return new Response(body, { headers: { 'Content-Type': TYPES[format], 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'private, no-store' } })
}
