// What the dashboard shows for a figures query, assembled once for the page and the export:
// the figures and those of the period before, the trend, the league of the units (or, at an
// outlet, the officers) right below the one in view, the townships for the map, the targets,
// and what the scope can be narrowed to. From the pre-counted sums where they hold the
// period (services/figure-rollups/): the figures, the period before's and the trend in one
// read, the league and the map in one each; otherwise counted straight.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { comparablePeriod, LEAGUE_FIGURES, type Figures, type TrendStep } from '../domain/figures'
import { todayInChina } from '../domain/china-time'
import { scopeOf, type ScopedUser } from '../domain/scope'
import type { FigureQuery } from './figure-query.server'
import { figuresOfParts, figuresOfSums, readFigures, readFiguresOverTime, type SumsSplit } from './figure-rollups/read-figures.server'
import type { Sums } from './figure-rollups/sums.server'
import { listOrgUnits, type OrgUnitRow } from './org-units/find-org-units.server'
import { listTargets } from './targets.server'
import { listUsers, type UserListItem } from './users/list-users.server'

type Chosen = Extract<FigureQuery, { ok: true }>

export interface LeagueRow {
  name: string
  /** Narrows the view to the row: a unit's code or an officer's id. */
  narrow: { scope: string } | { officer: string }
  figures: Figures
}

/** The league's split of the sums: by the units right below the one in view, or by its officers at an outlet; none with an officer in view. */
function leagueSplit(chosen: Chosen, children: OrgUnitRow[], need: ReadNeeds): SumsSplit | null {
  if (chosen.officer) return null
  // The sums the league's columns read, unless it is ranked by another figure (or exported).
  const options = { leads: need.leads, deadlines: need.deadlines, totals: need.all ? undefined : LEAGUE_TOTALS }
  return { by: children.length > 0 ? 'org_unit_id' : 'officer_id', options }
}

/**
 * The units right below the one in view (`children`), or its `officers` at an outlet, each
 * with its figures: from the league's split of the sums (`parts`), or counted straight when
 * the sums do not hold the period (`parts` null).
 */
async function leagueOf(db: Kysely<Database>, chosen: Chosen, top: OrgUnitRow, units: OrgUnitRow[], children: OrgUnitRow[], need: ReadNeeds, officers: UserListItem[] | undefined, parts: Map<string, Sums> | null): Promise<{ rows: LeagueRow[]; ofOfficers: boolean }> {
  const { scope, period } = chosen
  // What was not read is left empty rather than wrong.
  const figuresOf = (mine: readonly Sums[]): Figures => {
    const f = figuresOfParts(mine, period)
    return {
      ...f,
      ...(need.deadlines ? {} : { acceptedOnTime: null }),
      ...(need.leads ? {} : { leadTimeVisitToDisbursementDays: { median: null, p90: null }, leadTimeReferralToDisbursementDays: { median: null, p90: null } }),
    }
  }
  if (!officers) {
    if (!parts) {
      const rows = await Promise.all(children.map(async (u) => ({ name: u.name, narrow: { scope: u.code }, figures: await readFigures(db, { ...scope, scopes: [...scope.scopes, { kind: 'org', orgPath: u.path }] }, period) })))
      return { rows, ofOfficers: false }
    }
    const pathOf = new Map(units.map((u) => [String(u.id), u.path]))
    const rows = children.map((u) => {
      const mine = [...parts].filter(([id]) => pathOf.get(id)?.startsWith(u.path)).map(([, sums]) => sums)
      return { name: u.name, narrow: { scope: u.code }, figures: figuresOf(mine) }
    })
    return { rows, ofOfficers: false }
  }
  if (!parts) {
    const rows = await Promise.all(
      officers.map(async (o) => ({ name: o.name, narrow: { officer: String(o.id) }, figures: await readFigures(db, { ...scope, scopes: [...scope.scopes, { kind: 'own', userId: o.id, orgPath: top.path }] }, period) })),
    )
    return { rows, ofOfficers: true }
  }
  const rows = officers.map((o) => ({ name: o.name, narrow: { officer: String(o.id) }, figures: figuresOf(parts.has(String(o.id)) ? [parts.get(String(o.id))!] : []) }))
  return { rows, ofOfficers: true }
}

/** The map's split of the sums: by township, the five sums coverage and the first-lender ratio are made of. */
const MAP_SPLIT: SumsSplit = { by: 'township_code', options: { leads: false, deadlines: false, totals: ['listed', 'assigned', 'visitedAssigned', 'disbursed', 'firstLenderConversions'] } }

/** Coverage and first-lender ratio of each township in scope, for the map, from its split of the sums (null: not drawn for the period). */
async function townshipsOf(db: Kysely<Database>, chosen: Chosen, parts: Map<string, Sums> | null) {
  if (!parts) return null
  const codes = [...parts.keys()].filter((c) => c !== '')
  if (codes.length === 0) return []
  // Those with a boundary to draw; the boundaries themselves travel apart (api.v1.townships.ts).
  const areas = await db.selectFrom('areas').select(['code', 'name']).where('code', 'in', codes).where('boundary', 'is not', null).execute()
  return areas.map((a) => {
    const f = figuresOfSums(parts.get(a.code)!, chosen.period)
    return { code: a.code, name: a.name, listed: f.listed, coverage: f.coverage, firstLenderRatio: f.firstLenderRatio }
  })
}

/** What the league reads beyond its counts: lead times and deadlines cost most at the bank. */
interface ReadNeeds {
  leads: boolean
  deadlines: boolean
  /** Every sum (the export, or a ranking by a figure the columns do not show). */
  all: boolean
}

/** The sums LEAGUE_FIGURES are made of. */
const LEAGUE_TOTALS = ['listed', 'assigned', 'visitedAssigned', 'referred', 'disbursed', 'firstLenderConversions', 'creditLoans', 'loans'] as const

/**
 * `rankedBy`: the figure the league is ranked by (its lead times or acceptance are read only
 * then); `full`: every figure of every row (the export).
 */
export async function loadDashboard(db: Kysely<Database>, user: ScopedUser, chosen: Chosen, options: { map?: boolean; rankedBy?: keyof Figures; full?: boolean; today?: string } = {}) {
  const need: ReadNeeds = {
    leads: options.full === true || (options.rankedBy?.startsWith('leadTime') ?? false),
    deadlines: options.full === true || options.rankedBy === 'acceptedOnTime',
    all: options.full === true || (options.rankedBy !== undefined && !LEAGUE_FIGURES.includes(options.rankedBy)),
  }
  // Like with like: a running period against as many days of the one before.
  const before = comparablePeriod(chosen.period, options.today ?? todayInChina())
  // By week for a quarter or less, by month beyond.
  const days = (Date.parse(chosen.period.to) - Date.parse(chosen.period.from)) / 86_400_000 + 1
  const step: TrendStep = days <= 92 ? 'week' : 'month'
  const units = await listOrgUnits(db, scopeOf(user))
  const top = chosen.unit ? units.find((u) => u.id === chosen.unit!.id)! : (units.find((u) => user.orgPath === u.path) ?? units.reduce((a, b) => (a.depth <= b.depth ? a : b)))
  const children = units.filter((u) => u.parentId === top.id)
  const league = leagueSplit(chosen, children, need)
  const splits = [...(league ? [league] : []), ...(options.map === false ? [] : [MAP_SPLIT])]
  const [{ current, previous, trend, splits: parts }, targets, officers] = await Promise.all([
    readFiguresOverTime(db, chosen.scope, chosen.period, before, step, splits),
    listTargets(db, top.id, chosen.period),
    league?.by === 'officer_id' ? listUsers(db, { kind: 'org', orgPath: top.path }, { role: 'officer' }) : Promise.resolve(undefined),
  ])
  const partsOf = (split: SumsSplit) => (parts ? parts[splits.indexOf(split)] : null)
  const [ranked, townships] = await Promise.all([
    league ? leagueOf(db, chosen, top, units, children, need, officers, partsOf(league)) : { rows: [], ofOfficers: true },
    options.map === false ? null : townshipsOf(db, chosen, partsOf(MAP_SPLIT)),
  ])
  return { before, step, current, previous, units, hasUnitsBelow: children.length > 0, trend, league: ranked.rows, leagueOfOfficers: ranked.ofOfficers, officers, top, townships, targets }
}

/**
 * What the scope in view can be narrowed to: its officers, territories and townships.
 * `officers`: the unit's, when the league has listed them already.
 */
export async function narrowingChoices(db: Kysely<Database>, user: ScopedUser, top: OrgUnitRow, options: { hasUnitsBelow: boolean; officers?: UserListItem[] }) {
  const own = scopeOf(user)
  const unitScope = { kind: 'org' as const, orgPath: top.path }
  // At the top of the bank there are too many of each to pick from: the league and the map narrow.
  if (top.depth === 0) return { officers: [], territories: [], townships: [] }
  const [officers, territories, townships] = await Promise.all([
    // Officers to pick from at an outlet; above it the league narrows unit by unit.
    own.kind === 'own' || options.hasUnitsBelow ? Promise.resolve([]) : (options.officers ?? listUsers(db, unitScope, { role: 'officer' })),
    db
      .selectFrom('territories')
      .innerJoin('org_units', 'org_units.id', 'territories.org_unit_id')
      .select(['territories.id', 'territories.name'])
      .where('org_units.path', 'like', `${top.path}%`)
      .orderBy('territories.name')
      .limit(LONGEST_CHOICE + 1)
      .execute(),
    db
      .selectFrom('areas')
      .select(['code', 'name'])
      .where('level', '=', 'township')
      .where('code', 'in', (eb) =>
        eb
          .selectFrom('figure_rollup')
          .select('figure_rollup.township_code')
          .where('figure_rollup.period_key', '=', 'now')
          .where('figure_rollup.org_unit_id', 'in', (inner) => inner.selectFrom('org_units').select('org_units.id').where('org_units.path', 'like', `${top.path}%`)),
      )
      .orderBy('code')
      .limit(LONGEST_CHOICE + 1)
      .execute(),
  ])
  // A list too long to pick from is left out (the league and the map narrow instead).
  const short = <T,>(list: T[]) => (list.length > LONGEST_CHOICE ? [] : list)
  return { officers: short(officers.map((o) => ({ id: o.id, name: o.name }))), territories: short(territories), townships: short(townships) }
}

const LONGEST_CHOICE = 300
