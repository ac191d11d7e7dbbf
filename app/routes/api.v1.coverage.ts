// GET /api/v1/coverage: visited ÷ assigned for each township and territory in the signed-in
// user's scope, keyed by township code and territory id. What the map shades by.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireApiUser, userScope } from '../guards.server'
import { coverageOfAreas } from '../services/map-layers.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context)
  const coverage = await coverageOfAreas(context.db, userScope(user))
  return Response.json(coverage, { headers: { 'Cache-Control': 'private, no-store' } })
}
