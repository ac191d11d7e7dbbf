// What the dashboard shows for a figures query, assembled once for the page and the export:
// the figures and those of the period before, the trend, and the league of the units (or,
// at an outlet, the officers) right below the one in view.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { previousPeriod } from '../domain/figures'
import { scopeOf } from '../domain/scope'
import type { FigureQuery } from './figure-query.server'
import { readFigures, readLoanTrend } from './figure-rollups.server'
import { listOrgUnits } from './org-units.server'
import type { CurrentUser } from './sessions.server'
import { listUsers } from './users.server'

export async function loadDashboard(db: Kysely<Database>, user: CurrentUser, chosen: Extract<FigureQuery, { ok: true }>) {
  const before = previousPeriod(chosen.period)
  // By week for a quarter or less, by month beyond.
  const days = (Date.parse(chosen.period.to) - Date.parse(chosen.period.from)) / 86_400_000 + 1
  const step = days <= 92 ? 'week' : 'month'
  const [current, previous, units, trend] = await Promise.all([
    readFigures(db, { scopes: chosen.scopes }, chosen.period),
    readFigures(db, { scopes: chosen.scopes }, before),
    listOrgUnits(db, scopeOf({ id: user.id, role: user.role, orgPath: user.orgPath })),
    readLoanTrend(db, { scopes: chosen.scopes }, chosen.period, step),
  ])

  // The league: the units right below the one in view, or its officers at an outlet.
  const top = chosen.unit ?? units.find((u) => user.orgPath === u.path) ?? units.reduce((a, b) => (a.depth <= b.depth ? a : b))
  const children = units.filter((u) => u.parentId === top.id)
  const league = children.length
    ? await Promise.all(children.map(async (u) => ({ name: u.name, code: u.code as string | null, figures: await readFigures(db, { scopes: [...chosen.scopes, { kind: 'org', orgPath: u.path }] }, chosen.period) })))
    : await Promise.all(
        (await listUsers(db, { kind: 'org', orgPath: top.path }, { role: 'officer' })).map(async (o) => ({
          name: o.name,
          code: null,
          figures: await readFigures(db, { scopes: [...chosen.scopes, { kind: 'own', userId: o.id, orgPath: top.path }] }, chosen.period),
        })),
      )

  return { before, step, current, previous, units, trend, league, leagueOfOfficers: children.length === 0, top }
}
