// GET /api/v1/figures?scope=<org unit code>&from=YYYY-MM-DD&to=YYYY-MM-DD: the headline
// figures of PRODUCT.md ("Figures") for the bank's own BI tools, one object with a key per
// figure, scoped like the pages: a scope outside the caller's is 404, as if not there.
// Without `scope`, everything the caller may see; without a period, this month (China days;
// `period=quarter|year` and `at=YYYY-MM-DD` name another).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireApiUser } from '../guards.server'
import { readFigureQuery } from '../services/figure-query.server'
import { readFigures } from '../services/figure-rollups.server'

const HEADERS = { 'Cache-Control': 'private, no-store' }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context)
  const query = await readFigureQuery(context.db, user, new URL(request.url).searchParams)
  if (!query.ok && query.status === 400) {
    return Response.json({ error: 'invalid', message: `check ${Object.keys(query.fields).join(', ')}`, fields: query.fields }, { status: 400, headers: HEADERS })
  }
  if (!query.ok) return Response.json({ error: 'not_found', message: query.message }, { status: 404, headers: HEADERS })
  const figures = await readFigures(context.db, query.scope, query.period)
  return Response.json({ scope: query.unit?.code ?? null, from: query.period.from, to: query.period.to, ...figures }, { headers: HEADERS })
}
