// /dashboard/export?format=xlsx|csv&<the dashboard's query>: the view as a file that streams
// (see figures-export.server.ts). A GET is always masked; personal data leaves unmasked only
// from a POST with `unmask=1` by one who may unmask (a button on the dashboard), so a link on
// another site cannot make a signed-in browser export it. Every export is in the audit log.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { leagueOrderOf } from '../components/dashboard/figure-format'
import { rankBy } from '../domain/figures'
import type { AppContext } from '../http/context.server'
import { exportAnswer, readFigureExport } from '../http/figure-export.server'
import { actorOf } from '../http/guards.server'
import { loadDashboard } from '../services/dashboard.server'
import { nameOfQuery } from '../services/figure-query.server'
import { exportView } from '../services/figures-export.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  return exportFile(request, context, false)
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  return exportFile(request, context, form.get('unmask') === '1')
}

async function exportFile(request: Request, context: AppContext, askedToUnmask: boolean) {
  const exported = await readFigureExport(request, context, askedToUnmask)
  if (exported instanceof Response) return exported
  const { user, query, t, format, unmask } = exported
  const view = await loadDashboard(context.db, user, query, { map: false, full: true })
  // The league in the page's order: the export link carries the page's `sort` and `dir`.
  const { sortKey, direction } = leagueOrderOf(new URL(request.url).searchParams)
  const scopeName = nameOfQuery(query, t('dashboard.allOfMine'))
  const body = await exportView({
    db: context.db,
    actor: actorOf(user, context),
    pii: context.pii,
    t,
    format,
    unmask,
    view: { scope: query.scope, scopeName, period: query.period, figures: view.current, previous: view.previous, before: view.before, league: rankBy(view.league, sortKey, direction) },
  })
  return exportAnswer(body, 'wanqi', exported)
}
