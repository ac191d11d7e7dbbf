// GET /api/v1/figures?scope=<org unit code>&from=YYYY-MM-DD&to=YYYY-MM-DD: the headline
// figures of PRODUCT.md ("Figures") for the bank's own BI tools, one object with a key per
// figure, scoped like the pages: a scope outside the caller's is 404, as if not there. The
// caller is a signed-in user, or a read token an admin made (`Authorization: Bearer …`),
// which sees the whole bank or the org unit it was made for.
// Without `scope`, everything the caller may see; without a period, this month (China days;
// `period=quarter|year` and `at=YYYY-MM-DD` name another).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { can } from '../domain/roles'
import type { ScopedUser } from '../domain/scope'
import { requireApiUser } from '../http/guards.server'
import { findLiveToken } from '../services/api-tokens/find-live-token.server'
import { readFigureQuery } from '../services/figure-query.server'
import { readFigures } from '../services/figure-rollups/read-figures.server'
import { newLoanCustomersByChannel } from '../services/reconciliation/disbursed-loans.server'

const HEADERS = { 'Cache-Control': 'private, no-store' }

/** Who asks: a read token (as hq, or as a manager of its org unit), else the session's user. */
async function viewerOf(request: Request, context: LoaderFunctionArgs['context']): Promise<ScopedUser> {
  if (request.headers.has('Authorization')) {
    const token = await findLiveToken(context.db, request.headers.get('Authorization'), 'figures_read')
    if (!token) throw Response.json({ error: 'unauthenticated', message: 'the token is not a live figures read token' }, { status: 401, headers: HEADERS })
    return token.orgPath === null ? { id: 0, role: 'hq', orgPath: '' } : { id: 0, role: 'manager', orgPath: token.orgPath }
  }
  const user = await requireApiUser(request, context)
  // As the dashboard: an officer has no figures to read (their own list is theirs to see).
  if (!can(user.role, 'branch:view')) throw Response.json({ error: 'forbidden', message: 'reading the figures needs a manager, hq or admin' }, { status: 403, headers: HEADERS })
  return { id: user.id, role: user.role, orgPath: user.orgPath }
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await viewerOf(request, context)
  const query = await readFigureQuery(context.db, viewer, new URL(request.url).searchParams)
  if (!query.ok && query.status === 400) {
    return Response.json({ error: 'invalid', message: `check ${Object.keys(query.fields).join(', ')}`, fields: query.fields }, { status: 400, headers: HEADERS })
  }
  if (!query.ok) return Response.json({ error: 'not_found', message: query.message }, { status: 404, headers: HEADERS })
  const [figures, byChannel] = await Promise.all([readFigures(context.db, query.scope, query.period), newLoanCustomersByChannel(context.db, query.scope, query.period)])
  return Response.json({ scope: query.unit?.code ?? null, from: query.period.from, to: query.period.to, ...figures, newLoanCustomersByChannel: byChannel }, { headers: HEADERS })
}
