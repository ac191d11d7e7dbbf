// Territories and who looks after which player. A territory belongs to an org unit and
// holds the players of that unit's subtree whose position lies in its area (or whose
// township it lists); its officer looks after them, except players a manager assigned to
// someone directly. Every change of officer is recorded in the player's history.
import type { Kysely, Transaction } from 'kysely'
import type { Database, MarketPlayer, Territory } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { bboxOf, bboxContains, pointInGeometry, type Geometry } from '../../domain/geometry'
import { geometriesOverlap } from '../../domain/geometry-overlap'
import { validateGeometry } from '../../domain/geometry-validation'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor, type Db } from '../audit.server'
import { inScope, scoped } from '../scope.server'

type Trx = Transaction<Database>

export interface TerritoryInput {
  orgUnitId: number
  name: string
  /** A drawn area (GeoJSON Polygon or MultiPolygon), as sent by the map. */
  geometry?: unknown
  /** Townships (9-digit codes) the territory takes in whole. */
  townshipCodes?: string[]
  officerId?: number | null
}

/** A territory ready to test players against. */
interface Area {
  id: number
  orgPath: string
  officerId: number | null
  geometry: Geometry | null
  townships: Set<string>
  bbox: { west: number; south: number; east: number; north: number } | null
}

function areaOf(t: Territory & { orgPath: string }): Area {
  const geometry = t.geometry ? (JSON.parse(t.geometry) as Geometry) : null
  return {
    id: t.id,
    orgPath: t.orgPath,
    officerId: t.officer_id,
    geometry,
    townships: new Set(t.township_codes ? (JSON.parse(t.township_codes) as string[]) : []),
    bbox: geometry ? bboxOf(geometry) : null,
  }
}

function covers(area: Area, player: { lat: number | null; lng: number | null; township_code: string | null }): boolean {
  if (player.township_code && area.townships.has(player.township_code)) return true
  if (!area.geometry || player.lat === null || player.lng === null) return false
  return bboxContains(area.bbox!, player.lng, player.lat) && pointInGeometry(area.geometry, player.lng, player.lat)
}

function territoriesInScope(scope: Scope) {
  return inScope(scope, { orgUnit: 'territories.org_unit_id', owner: 'territories.officer_id' })
}

export async function listTerritories(db: Db, scope: Scope) {
  const rows = await db
    .selectFrom('territories')
    .innerJoin('org_units', 'org_units.id', 'territories.org_unit_id')
    .leftJoin('users', 'users.id', 'territories.officer_id')
    .select([
      'territories.id',
      'territories.name',
      'territories.geometry',
      'territories.township_codes as townshipCodes',
      'territories.officer_id as officerId',
      'territories.org_unit_id as orgUnitId',
      'org_units.name as orgName',
      'users.name as officerName',
    ])
    .where('territories.deleted_at', 'is', null)
    .where(territoriesInScope(scope))
    .orderBy('org_units.path')
    .orderBy('territories.name')
    .execute()
  const counts = await db
    .selectFrom('market_players')
    .select(['territory_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('territory_id', 'in', rows.length ? rows.map((r) => r.id) : [-1])
    .groupBy('territory_id')
    .execute()
  const byTerritory = new Map(counts.map((c) => [c.territory_id, Number(c.n)]))
  return rows.map((r) => ({ ...r, players: byTerritory.get(r.id) ?? 0 }))
}

export async function getTerritory(db: Db, scope: Scope, id: number) {
  return db
    .selectFrom('territories')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where(territoriesInScope(scope))
    .executeTakeFirst()
}

export async function territoryHistory(db: Db, id: number) {
  return db
    .selectFrom('territory_assignments')
    .leftJoin('users as officer', 'officer.id', 'territory_assignments.officer_id')
    .leftJoin('users as by', 'by.id', 'territory_assignments.assigned_by')
    .select(['territory_assignments.id', 'territory_assignments.assigned_at as at', 'territory_assignments.reason', 'officer.name as officerName', 'by.name as byName'])
    .where('territory_assignments.territory_id', '=', id)
    .orderBy('territory_assignments.id', 'desc')
    .execute()
}

/** An org unit the actor's scope holds, with its path. */
async function orgUnitInScope(db: Db, scope: Scope, orgUnitId: number) {
  const unit = await db.selectFrom('org_units').select(['id', 'path']).where('id', '=', orgUnitId).executeTakeFirst()
  if (!unit || (scope.kind !== 'all' && !unit.path.startsWith(scope.orgPath))) throw new AppError('forbidden', 'error.forbidden')
  return unit
}

/** An active officer inside the territory's org unit subtree. */
async function checkOfficer(db: Db, officerId: number, orgPath: string) {
  const officer = await db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(['users.id', 'users.role', 'users.active', 'org_units.path'])
    .where('users.id', '=', officerId)
    .executeTakeFirst()
  if (!officer || officer.role !== 'officer' || officer.active !== 1 || !officer.path.startsWith(orgPath)) {
    throw new AppError('bad_request', 'territory.officerNotHere')
  }
}

async function checkInput(trx: Trx, scope: Scope, input: TerritoryInput, selfId: number | null) {
  const unit = await orgUnitInScope(trx, scope, input.orgUnitId)
  let geometry: Geometry | null = null
  if (input.geometry !== undefined && input.geometry !== null) {
    const checked = validateGeometry(input.geometry)
    if (!checked.ok) throw new AppError('bad_request', checked.message.key, checked.message.params ?? {})
    geometry = checked.geometry
  }
  const townships = [...new Set(input.townshipCodes ?? [])]
  if (!geometry && townships.length === 0) throw new AppError('bad_request', 'territory.empty')
  if (townships.length) {
    const known = await trx.selectFrom('areas').select('code').where('code', 'in', townships).where('level', '=', 'township').execute()
    if (known.length !== townships.length) throw new AppError('bad_request', 'territory.unknownTownship')
  }
  if (input.officerId) await checkOfficer(trx, input.officerId, unit.path)

  // No two territories of one org unit may overlap: a player would belong to both.
  const others = await trx
    .selectFrom('territories')
    .select(['id', 'name', 'geometry', 'township_codes'])
    .where('org_unit_id', '=', input.orgUnitId)
    .where('deleted_at', 'is', null)
    .where('id', '!=', selfId ?? -1)
    .execute()
  const townshipBoundaries = new Map<string, Geometry>()
  const boundaryOf = async (code: string) => {
    if (!townshipBoundaries.has(code)) {
      const area = await trx.selectFrom('areas').select('boundary').where('code', '=', code).executeTakeFirst()
      if (area?.boundary) townshipBoundaries.set(code, JSON.parse(area.boundary) as Geometry)
    }
    return townshipBoundaries.get(code)
  }
  for (const other of others) {
    const otherTownships = other.township_codes ? (JSON.parse(other.township_codes) as string[]) : []
    const shared = townships.find((t) => otherTownships.includes(t))
    if (shared) throw new AppError('conflict', 'territory.overlapTownship', { name: other.name, township: shared })
    const mine: Geometry[] = [...(geometry ? [geometry] : []), ...((await Promise.all(townships.map(boundaryOf))).filter(Boolean) as Geometry[])]
    const theirs: Geometry[] = [
      ...(other.geometry ? [JSON.parse(other.geometry) as Geometry] : []),
      ...((await Promise.all(otherTownships.map(boundaryOf))).filter(Boolean) as Geometry[]),
    ]
    for (const a of mine) {
      for (const b of theirs) {
        const overlap = geometriesOverlap(a, b)
        if (overlap.overlap) {
          throw new AppError('conflict', 'territory.overlap', {
            name: other.name,
            lng: overlap.at ? overlap.at[0].toFixed(5) : '',
            lat: overlap.at ? overlap.at[1].toFixed(5) : '',
          })
        }
      }
    }
  }
  const box = geometry ? bboxOf(geometry) : null
  // The stored form of the area, the same for a new territory and a redrawn one.
  const area = {
    name: input.name,
    geometry: geometry ? JSON.stringify(geometry) : null,
    township_codes: townships.length ? JSON.stringify(townships) : null,
    west: box?.west ?? null,
    south: box?.south ?? null,
    east: box?.east ?? null,
    north: box?.north ?? null,
  }
  return { unit, townships, area }
}

export async function createTerritory(db: Kysely<Database>, actor: Actor, scope: Scope, input: TerritoryInput) {
  return db.transaction().execute(async (trx) => {
    const { unit, townships, area } = await checkInput(trx, scope, input, null)
    const now = new Date().toISOString()
    const { id } = await trx
      .insertInto('territories')
      .values({
        ...area,
        org_unit_id: unit.id,
        officer_id: input.officerId ?? null,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (input.officerId) {
      await trx.insertInto('territory_assignments').values({ territory_id: id, officer_id: input.officerId, assigned_at: now, assigned_by: actor.id, reason: null }).execute()
    }
    const moved = await placePlayers(trx, actor, unit.path, await neighbourhoodOf(trx, id), 'territory.reason.drawn')
    await recordAudit(trx, actor, { action: 'territory.create', entityType: 'territory', entityId: id, detail: { name: input.name, townships, officerId: input.officerId ?? null, moved } })
    return { id, moved }
  })
}

export async function updateTerritory(db: Kysely<Database>, actor: Actor, scope: Scope, id: number, input: TerritoryInput) {
  return db.transaction().execute(async (trx) => {
    const existing = await getTerritory(trx, scope, id)
    if (!existing) throw new AppError('not_found', 'error.notFound')
    const { unit, townships, area } = await checkInput(trx, scope, { ...input, orgUnitId: existing.org_unit_id }, id)
    const before = await neighbourhoodOf(trx, id)
    await trx
      .updateTable('territories')
      .set({ ...area, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    const moved = await placePlayers(trx, actor, unit.path, joinNeighbourhoods(before, await neighbourhoodOf(trx, id)), 'territory.reason.redrawn')
    await recordAudit(trx, actor, { action: 'territory.update', entityType: 'territory', entityId: id, detail: { name: input.name, townships, moved } })
    return { id, moved }
  })
}

/** A drawn territory's corners moved on the map: the same name, townships and officer, a new area. */
export async function redrawTerritory(db: Kysely<Database>, actor: Actor, scope: Scope, id: number, geometry: unknown) {
  const existing = await getTerritory(db, scope, id)
  if (!existing) throw new AppError('not_found', 'error.notFound')
  return updateTerritory(db, actor, scope, id, {
    orgUnitId: existing.org_unit_id,
    name: existing.name,
    geometry,
    townshipCodes: existing.township_codes ? (JSON.parse(existing.township_codes) as string[]) : [],
  })
}

export async function deleteTerritory(db: Kysely<Database>, actor: Actor, scope: Scope, id: number) {
  return db.transaction().execute(async (trx) => {
    const existing = await getTerritory(trx, scope, id)
    if (!existing) throw new AppError('not_found', 'error.notFound')
    await trx.updateTable('territories').set({ deleted_at: new Date().toISOString() }).where('id', '=', id).execute()
    const unit = await trx.selectFrom('org_units').select('path').where('id', '=', existing.org_unit_id).executeTakeFirstOrThrow()
    const moved = await placePlayers(trx, actor, unit.path, await neighbourhoodOf(trx, id), 'territory.reason.deleted')
    await recordAudit(trx, actor, { action: 'territory.delete', entityType: 'territory', entityId: id, detail: { name: existing.name, moved } })
    return { moved }
  })
}

/** Gives a territory (and so its players) to an officer, or to no one. */
export async function assignTerritory(db: Kysely<Database>, actor: Actor, scope: Scope, id: number, officerId: number | null, reason: string | null) {
  return db.transaction().execute(async (trx) => {
    const existing = await getTerritory(trx, scope, id)
    if (!existing) throw new AppError('not_found', 'error.notFound')
    const unit = await trx.selectFrom('org_units').select('path').where('id', '=', existing.org_unit_id).executeTakeFirstOrThrow()
    if (officerId) await checkOfficer(trx, officerId, unit.path)
    const now = new Date().toISOString()
    await trx.updateTable('territories').set({ officer_id: officerId, updated_at: now }).where('id', '=', id).execute()
    await trx.insertInto('territory_assignments').values({ territory_id: id, officer_id: officerId, assigned_at: now, assigned_by: actor.id, reason }).execute()
    const players = await trx
      .selectFrom('market_players')
      .select('id')
      .where('territory_id', '=', id)
      .where('assignment_source', '=', 'territory')
      .where((eb) => (officerId === null ? eb('assigned_officer_id', 'is not', null) : eb.or([eb('assigned_officer_id', 'is', null), eb('assigned_officer_id', '!=', officerId)])))
      .execute()
    await setOfficer(trx, actor, players.map((p) => p.id), officerId, 'territory', reason ?? 'territory.reason.assigned')
    await recordAudit(trx, actor, { action: 'territory.assign', entityType: 'territory', entityId: id, detail: { officerId, reason, players: players.length } })
    return { moved: players.length }
  })
}

/**
 * Puts every player of an org subtree in the territory its position or township falls in,
 * and gives it that territory's officer unless a manager chose its officer directly.
 * The most specific territory wins (the deepest org unit, then the oldest).
 */
/** The players a territory change can touch: where it is (or was), or already in it. */
export interface Neighbourhood {
  boxes: { west: number; south: number; east: number; north: number }[]
  townships: string[]
  territoryIds: number[]
}

async function neighbourhoodOf(trx: Trx, territoryId: number): Promise<Neighbourhood> {
  const t = await trx.selectFrom('territories').select(['west', 'south', 'east', 'north', 'township_codes']).where('id', '=', territoryId).executeTakeFirstOrThrow()
  return {
    boxes: t.west !== null && t.south !== null && t.east !== null && t.north !== null ? [{ west: t.west, south: t.south, east: t.east, north: t.north }] : [],
    townships: t.township_codes ? (JSON.parse(t.township_codes) as string[]) : [],
    territoryIds: [territoryId],
  }
}

function joinNeighbourhoods(a: Neighbourhood, b: Neighbourhood): Neighbourhood {
  return { boxes: [...a.boxes, ...b.boxes], townships: [...a.townships, ...b.townships], territoryIds: [...a.territoryIds, ...b.territoryIds] }
}

/**
 * `only` narrows the players looked at: a list of ids, or the neighbourhood of a changed
 * territory (so drawing one in a province-wide unit does not read every player).
 */
export async function placePlayers(trx: Trx, actor: Actor, orgPath: string, only: number[] | Neighbourhood | null, reason: string): Promise<number> {
  const onlyIds = Array.isArray(only) ? only : null
  const near = only && !Array.isArray(only) ? only : null
  const ancestors = orgPath.split('/').filter(Boolean).map((_, i, ids) => `/${ids.slice(0, i + 1).join('/')}/`)
  const territories = (
    await trx
      .selectFrom('territories')
      .innerJoin('org_units', 'org_units.id', 'territories.org_unit_id')
      .selectAll('territories')
      .select('org_units.path as orgPath')
      .where('territories.deleted_at', 'is', null)
      .where((eb) => eb.or([eb('org_units.path', 'like', `${orgPath}%`), ...(ancestors.length ? [eb('org_units.path', 'in', ancestors)] : [])]))
      .orderBy('territories.id')
      .execute()
  )
    .map(areaOf)
    // Deepest org unit first; among equals, the oldest.
    .sort((a, b) => b.orgPath.length - a.orgPath.length || a.id - b.id)

  let query = trx
    .selectFrom('market_players')
    .innerJoin('org_units', 'org_units.id', 'market_players.org_unit_id')
    .select([
      'market_players.id',
      'market_players.lat',
      'market_players.lng',
      'market_players.township_code',
      'market_players.territory_id',
      'market_players.assigned_officer_id',
      'market_players.assignment_source',
      'org_units.path as orgPath',
    ])
    .where('org_units.path', 'like', `${orgPath}%`)
  if (onlyIds) query = query.where('market_players.id', 'in', onlyIds.length ? onlyIds : [-1])
  if (near) {
    query = query.where((eb) =>
      eb.or([
        ...near.boxes.map((b) =>
          eb.and([
            eb('market_players.lat', '>=', b.south),
            eb('market_players.lat', '<=', b.north),
            eb('market_players.lng', '>=', b.west),
            eb('market_players.lng', '<=', b.east),
          ]),
        ),
        eb('market_players.township_code', 'in', near.townships.length ? near.townships : ['-']),
        eb('market_players.territory_id', 'in', near.territoryIds.length ? near.territoryIds : [-1]),
      ]),
    )
  }
  const players = await query.execute()

  // Group the changes: one update per (territory, officer) pair.
  const territoryChanges = new Map<string, number[]>()
  const officerChanges = new Map<string, number[]>()
  for (const p of players) {
    const area = territories.find((t) => p.orgPath.startsWith(t.orgPath) && covers(t, p)) ?? null
    const territoryId = area?.id ?? null
    if (territoryId !== p.territory_id) push(territoryChanges, String(territoryId), p.id)
    // A manager's own choice of officer stands; so does an officer set before territories existed.
    if (p.assignment_source === 'direct' || (p.assignment_source === null && p.assigned_officer_id !== null)) continue
    const officer = area ? area.officerId : null
    const source = area ? 'territory' : null
    if (officer !== p.assigned_officer_id || source !== p.assignment_source) push(officerChanges, `${officer}|${source}`, p.id)
  }
  for (const [key, ids] of territoryChanges) {
    for (const chunk of chunks(ids)) {
      await trx.updateTable('market_players').set({ territory_id: key === 'null' ? null : Number(key) }).where('id', 'in', chunk).execute()
    }
  }
  let moved = 0
  for (const [key, ids] of officerChanges) {
    const [officer, source] = key.split('|')
    await setOfficer(trx, actor, ids, officer === 'null' ? null : Number(officer), source === 'null' ? null : 'territory', reason)
    moved += ids.length
  }
  return moved
}

/** Sets the officer of many players at once and records it in each one's history. */
export async function setOfficer(
  trx: Trx,
  actor: Actor,
  playerIds: number[],
  officerId: number | null,
  source: 'territory' | 'direct' | null,
  reason: string,
) {
  const now = new Date().toISOString()
  for (const chunk of chunks(playerIds)) {
    await trx
      .updateTable('market_players')
      .set({ assigned_officer_id: officerId, assignment_source: source, updated_at: now })
      .where('id', 'in', chunk)
      .execute()
    await trx
      .insertInto('player_assignments')
      .values(chunk.map((id) => ({ player_id: id, officer_id: officerId, assigned_at: now, assigned_by: actor.id, reason })))
      .execute()
  }
}

/**
 * Assigns players directly to an officer (or to no one): picked one by one, by a lasso
 * drawn on the map, or by a list filter. Only players the scope holds are touched.
 */
export async function assignPlayers(
  db: Kysely<Database>,
  actor: Actor,
  scope: Scope,
  target: { playerIds: number[] } | { lasso: unknown } | { matching: (db: Db) => Promise<number[]> },
  officerId: number | null,
  reason: string,
) {
  return db.transaction().execute(async (trx) => {
    if (scope.kind === 'own') throw new AppError('forbidden', 'error.forbidden')
    if (officerId) await checkOfficer(trx, officerId, scope.kind === 'org' ? scope.orgPath : '/')
    let ids: number[]
    if ('playerIds' in target) {
      const rows = await trx
        .selectFrom('market_players')
        .select('id')
        .where('id', 'in', target.playerIds.length ? target.playerIds : [-1])
        .where(scoped(scope))
        .execute()
      ids = rows.map((r) => r.id)
    } else if ('lasso' in target) {
      const checked = validateGeometry(target.lasso)
      if (!checked.ok) throw new AppError('bad_request', checked.message.key, checked.message.params ?? {})
      const box = bboxOf(checked.geometry)
      const rows = await trx
        .selectFrom('market_players')
        .select(['id', 'lat', 'lng'])
        .where('lat', '>=', box.south)
        .where('lat', '<=', box.north)
        .where('lng', '>=', box.west)
        .where('lng', '<=', box.east)
        .where(scoped(scope))
        .execute()
      ids = rows.filter((r) => pointInGeometry(checked.geometry, r.lng!, r.lat!)).map((r) => r.id)
    } else {
      ids = await target.matching(trx)
    }
    if (ids.length > 200_000) throw new AppError('bad_request', 'territory.tooMany', { max: 200_000 })
    // Unassigning directly hands the players back to their territory's officer, if any.
    if (officerId === null) {
      await setOfficer(trx, actor, ids, null, null, reason)
      await placePlayers(trx, actor, scope.kind === 'org' ? scope.orgPath : '/', ids, reason)
    } else {
      await setOfficer(trx, actor, ids, officerId, 'direct', reason)
    }
    await recordAudit(trx, actor, { action: 'players.assign', entityType: 'user', entityId: officerId, detail: { players: ids.length, reason } })
    return { moved: ids.length }
  })
}

/**
 * An officer who is deactivated or moves leaves their players and territories visibly
 * unassigned, never silently lost: each player's history says why.
 */
export async function releaseOfficer(trx: Trx, actor: Actor, officerId: number, reason: string) {
  const players = await trx.selectFrom('market_players').select('id').where('assigned_officer_id', '=', officerId).execute()
  await setOfficer(trx, actor, players.map((p) => p.id), null, null, reason)
  const territories = await trx.selectFrom('territories').select('id').where('officer_id', '=', officerId).where('deleted_at', 'is', null).execute()
  const now = new Date().toISOString()
  for (const t of territories) {
    await trx.updateTable('territories').set({ officer_id: null, updated_at: now }).where('id', '=', t.id).execute()
    await trx.insertInto('territory_assignments').values({ territory_id: t.id, officer_id: null, assigned_at: now, assigned_by: actor.id, reason }).execute()
  }
  return { players: players.length, territories: territories.length }
}

function push(map: Map<string, number[]>, key: string, id: number) {
  const list = map.get(key)
  if (list) list.push(id)
  else map.set(key, [id])
}

function* chunks<T>(items: T[], size = 800): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
}

export type { MarketPlayer }
