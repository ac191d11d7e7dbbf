// GET /api/v1/coverage: assigned players with a valid visit ÷ assigned, for each township
// and territory in the signed-in user's scope, keyed by township code and territory id. What
// the map shades by.
import type { LoaderFunctionArgs } from '@remix-run/node'
import type { Scope } from '../domain/scope'
import { requireApiUser, userScope } from '../http/guards.server'
import { coverageOfAreas } from '../services/map-layers.server'

/**
 * Coverage moves by a visit at a time, and a bank-wide scope groups a million players
 * (about 1.5 s at a province): each scope's answer is kept for a minute per app server.
 */
const KEEP_MS = 60_000
type Kept = Map<string, { at: number; answer: Promise<Awaited<ReturnType<typeof coverageOfAreas>>> }>
const keptByDatabase = new WeakMap<object, Kept>()

function keyOf(scope: Scope): string {
  return scope.kind === 'all' ? 'all' : scope.kind === 'org' ? `org:${scope.orgPath}` : `own:${scope.userId}`
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context)
  const scope = userScope(user)
  const key = keyOf(scope)
  const now = Date.now()
  let kept = keptByDatabase.get(context.db)
  if (!kept) keptByDatabase.set(context.db, (kept = new Map()))
  let entry = kept.get(key)
  if (!entry || now - entry.at > KEEP_MS) {
    for (const [k, e] of kept) if (now - e.at > KEEP_MS) kept.delete(k)
    entry = { at: now, answer: coverageOfAreas(context.db, scope) }
    entry.answer.catch(() => kept.delete(key))
    kept.set(key, entry)
  }
  const coverage = await entry.answer
  return Response.json({ ...coverage, countedAt: new Date(entry.at).toISOString() }, { headers: { 'Cache-Control': 'private, no-store' } })
}
