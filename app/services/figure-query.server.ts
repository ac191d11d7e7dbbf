// What a figures request asks for, read once for the dashboard and the API: a scope (an org
// unit code within the caller's, or the caller's own; narrowed further, optionally, to an
// officer, a territory or a township) and a period (this month, quarter or year, one holding
// a given day, or any range of days).
import { checkDay, checkDayRange, describeDayProblem, type DayProblem } from '../domain/date-range'
import { periodOf, type Period, type PeriodKind } from '../domain/figures'
import { todayInChina } from '../domain/china-time'
import { scopeOf, type Scope, type ScopedUser } from '../domain/scope'
import type { Db } from './audit.server'
import type { FigureScope } from './figures.server'
import { findOrgUnitByCode } from './org-units/find-org-units.server'


export type FigureQuery =
  | {
      ok: true
      /** What the figures count: every condition holds. */
      scope: FigureScope
      unit: { id: number; code: string; name: string; path: string } | null
      officer: { id: number; name: string } | null
      territory: { id: number; name: string } | null
      township: { code: string; name: string } | null
      period: Period
      kind: PeriodKind | 'range'
    }
  | { ok: false; status: 400; fields: Record<string, string[]>; problems: Partial<Record<'from' | 'to' | 'at', DayProblem>> }
  | { ok: false; status: 404; message: string }

export async function readFigureQuery(db: Db, user: ScopedUser, params: URLSearchParams, today = todayInChina()): Promise<FigureQuery> {
  let problems: Partial<Record<'from' | 'to' | 'at', DayProblem>> = {}
  let period: Period
  let kind: PeriodKind | 'range'
  // A blank field (the dashboard's form sends them all) is no value.
  const get = (name: string) => params.get(name) || null
  const from = get('from')
  const asked = get('period')
  if (from !== null || get('to') !== null || asked === 'range') {
    kind = 'range'
    period = { from: from ?? today, to: get('to') ?? today }
    problems = checkDayRange(period.from, period.to, today)
  } else {
    kind = asked === 'quarter' || asked === 'year' ? asked : 'month'
    const at = get('at') ?? today
    const problem = checkDay(at, today)
    if (problem) problems.at = problem
    period = periodOf(kind, problem ? today : at)
  }
  if (Object.keys(problems).length) {
    const fields = Object.fromEntries(Object.entries(problems).map(([field, problem]) => [field, [describeDayProblem(problem)]]))
    return { ok: false, status: 400, fields, problems }
  }

  const own = scopeOf({ id: user.id, role: user.role, orgPath: user.orgPath })
  const scopes: Scope[] = [own]
  let unit: Extract<FigureQuery, { ok: true }>['unit'] = null
  const code = get('scope')
  if (code) {
    const found = await findOrgUnitByCode(db, code)
    // Inside the caller's subtree; an officer may name their own unit's chain (still counting
    // only their own players).
    const visible = found && (own.kind === 'all' || found.path.startsWith(user.orgPath) || (own.kind === 'own' && user.orgPath.startsWith(found.path)))
    if (!found || !visible) return { ok: false, status: 404, message: `no org unit ${code} in your scope` }
    unit = { id: found.id, code: found.code, name: found.name, path: found.path }
    scopes.push({ kind: 'org', orgPath: found.path })
  }
  // Within the unit in view (or the caller's own): an officer, a territory, a township.
  const within = unit?.path ?? (own.kind === 'all' ? '' : user.orgPath)
  let officer: Extract<FigureQuery, { ok: true }>['officer'] = null
  const officerId = get('officer')
  if (officerId) {
    const found = /^\d+$/.test(officerId)
      ? await db.selectFrom('users').innerJoin('org_units', 'org_units.id', 'users.org_unit_id').select(['users.id', 'users.name', 'org_units.path']).where('users.id', '=', Number(officerId)).where('users.role', '=', 'officer').executeTakeFirst()
      : undefined
    if (!found || !found.path.startsWith(within) || (own.kind === 'own' && own.userId !== found.id)) return { ok: false, status: 404, message: `no officer ${officerId} in your scope` }
    officer = { id: found.id, name: found.name }
    scopes.push({ kind: 'own', userId: found.id, orgPath: found.path })
  }
  let territory: Extract<FigureQuery, { ok: true }>['territory'] = null
  const territoryId = get('territory')
  if (territoryId) {
    const found = /^\d+$/.test(territoryId)
      ? await db.selectFrom('territories').innerJoin('org_units', 'org_units.id', 'territories.org_unit_id').select(['territories.id', 'territories.name', 'org_units.path']).where('territories.id', '=', Number(territoryId)).executeTakeFirst()
      : undefined
    if (!found || !found.path.startsWith(within)) return { ok: false, status: 404, message: `no territory ${territoryId} in your scope` }
    territory = { id: found.id, name: found.name }
  }
  let township: Extract<FigureQuery, { ok: true }>['township'] = null
  const townshipCode = get('township')
  if (townshipCode) {
    const found = await db.selectFrom('areas').select(['code', 'name']).where('code', '=', townshipCode).where('level', '=', 'township').executeTakeFirst()
    if (!found) return { ok: false, status: 404, message: `no township ${townshipCode}` }
    township = found
  }
  const scope: FigureScope = { scopes, ...(territory ? { territoryId: territory.id } : {}), ...(township ? { township: township.code } : {}) }
  return { ok: true, scope, unit, officer, territory, township, period, kind }
}

/** The name of what a query counts, most specific first. */
export function nameOfQuery(query: Extract<FigureQuery, { ok: true }>, everything: string): string {
  return [query.unit?.name ?? everything, query.officer?.name, query.territory?.name, query.township?.name].filter(Boolean).join(' · ')
}
