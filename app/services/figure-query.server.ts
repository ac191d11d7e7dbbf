// What a figures request asks for, read once for the dashboard and the API: a scope (an org
// unit code within the caller's, or the caller's own) and a period (this month, quarter or
// year, one holding a given day, or any range of days).
import { periodOf, type Period, type PeriodKind } from '../domain/figures'
import { todayInChina } from '../domain/player-row'
import { scopeOf, type Scope } from '../domain/scope'
import type { Db } from './audit.server'
import { findOrgUnitByCode } from './org-units.server'
import type { CurrentUser } from './sessions.server'

const DAY = /^\d{4}-\d{2}-\d{2}$/
export const isDay = (v: string) => DAY.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v

export type FigureQuery =
  | { ok: true; scopes: Scope[]; unit: { id: number; code: string; name: string; path: string } | null; period: Period; kind: PeriodKind | 'range' }
  | { ok: false; status: 400; fields: Record<string, string[]> }
  | { ok: false; status: 404; message: string }

export async function readFigureQuery(db: Db, user: CurrentUser, params: URLSearchParams, today = todayInChina()): Promise<FigureQuery> {
  const fields: Record<string, string[]> = {}
  let period: Period
  let kind: PeriodKind | 'range'
  // A blank field (the dashboard's form sends them all) is no value.
  const get = (name: string) => params.get(name) || null
  const from = get('from')
  const asked = get('period')
  if (from !== null || get('to') !== null || asked === 'range') {
    kind = 'range'
    period = { from: from ?? today, to: get('to') ?? today }
    if (!isDay(period.from)) fields.from = ['a day, YYYY-MM-DD']
    if (!isDay(period.to)) fields.to = ['a day, YYYY-MM-DD']
    if (!fields.from && !fields.to && period.from > period.to) fields.to = ['on or after from']
  } else {
    kind = asked === 'quarter' || asked === 'year' ? asked : 'month'
    const at = get('at') ?? today
    if (!isDay(at)) fields.at = ['a day, YYYY-MM-DD']
    period = periodOf(kind, isDay(at) ? at : today)
  }
  if (Object.keys(fields).length) return { ok: false, status: 400, fields }

  const own = scopeOf({ id: user.id, role: user.role, orgPath: user.orgPath })
  const code = get('scope')
  if (!code) return { ok: true, scopes: [own], unit: null, period, kind }
  const unit = await findOrgUnitByCode(db, code)
  // Inside the caller's subtree; an officer may name their own unit's chain (still counting
  // only their own players).
  const visible = unit && (own.kind === 'all' || unit.path.startsWith(user.orgPath) || (own.kind === 'own' && user.orgPath.startsWith(unit.path)))
  if (!unit || !visible) return { ok: false, status: 404, message: `no org unit ${code} in your scope` }
  return { ok: true, scopes: [own, { kind: 'org', orgPath: unit.path }], unit: { id: unit.id, code: unit.code, name: unit.name, path: unit.path }, period, kind }
}
