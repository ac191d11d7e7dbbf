// GET /api/v1/figures?scope=<org unit code>&from=YYYY-MM-DD&to=YYYY-MM-DD: the headline
// figures of PRODUCT.md ("Figures") for the bank's own BI tools, one object with a key per
// figure, scoped like the pages: a scope outside the caller's is 404, as if not there.
// Without `scope`, the caller's own unit; without a period, this month (China days).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { periodOf, type Period } from '../domain/figures'
import { todayInChina } from '../domain/player-row'
import type { Scope } from '../domain/scope'
import { requireApiUser, userScope } from '../guards.server'
import { computeFiguresInSql } from '../services/figures.server'
import { findOrgUnitByCode } from '../services/org-units.server'

const HEADERS = { 'Cache-Control': 'private, no-store' }
const DAY = /^\d{4}-\d{2}-\d{2}$/
const isDay = (v: string) => DAY.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context)
  const params = new URL(request.url).searchParams
  const fields: Record<string, string[]> = {}
  const month = periodOf('month', todayInChina())
  const from = params.get('from') ?? month.from
  const to = params.get('to') ?? (params.get('from') ? todayInChina() : month.to)
  if (!isDay(from)) fields.from = ['a day, YYYY-MM-DD']
  if (!isDay(to)) fields.to = ['a day, YYYY-MM-DD']
  if (!fields.from && !fields.to && from > to) fields.to = ['on or after from']
  if (Object.keys(fields).length) return Response.json({ error: 'invalid', message: `check ${Object.keys(fields).join(', ')}`, fields }, { status: 400, headers: HEADERS })

  const own = userScope(user)
  const code = params.get('scope')
  const unit = code ? await findOrgUnitByCode(context.db, code) : undefined
  // A unit the caller may see: inside their subtree (an officer: their own unit's chain, still
  // counting only their own players).
  const visible = unit && (own.kind === 'all' || unit.path.startsWith(user.orgPath) || (own.kind === 'own' && user.orgPath.startsWith(unit.path)))
  if (code && !visible) return Response.json({ error: 'not_found', message: `no org unit ${code} in your scope` }, { status: 404, headers: HEADERS })
  const scopes: Scope[] = [own]
  if (unit) scopes.push({ kind: 'org', orgPath: unit.path })
  const period: Period = { from, to }
  const figures = await computeFiguresInSql(context.db, { scopes }, period)
  return Response.json({ scope: unit?.code ?? null, from, to, ...figures }, { headers: HEADERS })
}
