// Territories and who looks after which player. A territory belongs to an org unit and
// holds the players of that unit's subtree whose position lies in its area (or whose
// township it lists); its officer looks after them, except players a manager assigned to
// someone directly. Every change of officer is recorded in the player's history.
import type { Transaction } from 'kysely'
import type { Database, Territory } from '../../../db/schema'
import { bboxOf, bboxContains, pointInGeometry, type Geometry } from '../../domain/geometry'
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { chunks, setOfficer } from './set-officer.server'

type Trx = Transaction<Database>

/** A territory ready to test players against. */
export interface Area {
  id: number
  orgPath: string
  officerId: number | null
  geometry: Geometry | null
  townships: Set<string>
  bbox: { west: number; south: number; east: number; north: number } | null
}

export function areaOf(t: Pick<Territory, 'id' | 'officer_id' | 'geometry' | 'township_codes'> & { orgPath: string }): Area {
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

/**
 * The territories that can hold a player of the org subtree (its own and its ancestors'),
 * the most specific first: the deepest org unit, then the oldest.
 */
export async function loadAreas(db: Db, orgPath: string): Promise<Area[]> {
  const ancestors = orgPath.split('/').filter(Boolean).map((_, i, ids) => `/${ids.slice(0, i + 1).join('/')}/`)
  return (
    await db
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
    .sort((a, b) => b.orgPath.length - a.orgPath.length || a.id - b.id)
}

/** The territory a player of `orgPath` falls in: the first of `areas` (most specific first) covering it. */
export function areaFor(areas: Area[], player: { orgPath: string; lat: number | null; lng: number | null; township_code: string | null }): Area | null {
  return areas.find((t) => player.orgPath.startsWith(t.orgPath) && covers(t, player)) ?? null
}

/** A manager's own choice of officer stands; so does an officer set before territories existed. */
export function keepsOwnOfficer(p: { assignment_source: string | null; assigned_officer_id: number | null }): boolean {
  return p.assignment_source === 'direct' || (p.assignment_source === null && p.assigned_officer_id !== null)
}

/** The players a territory change can touch: where it is (or was), or already in it. */
export interface Neighbourhood {
  boxes: { west: number; south: number; east: number; north: number }[]
  townships: string[]
  territoryIds: number[]
}

export async function neighbourhoodOf(trx: Trx, territoryId: number): Promise<Neighbourhood> {
  const t = await trx.selectFrom('territories').select(['west', 'south', 'east', 'north', 'township_codes']).where('id', '=', territoryId).executeTakeFirstOrThrow()
  return {
    boxes: t.west !== null && t.south !== null && t.east !== null && t.north !== null ? [{ west: t.west, south: t.south, east: t.east, north: t.north }] : [],
    townships: t.township_codes ? (JSON.parse(t.township_codes) as string[]) : [],
    territoryIds: [territoryId],
  }
}

export function joinNeighbourhoods(a: Neighbourhood, b: Neighbourhood): Neighbourhood {
  return { boxes: [...a.boxes, ...b.boxes], townships: [...a.townships, ...b.townships], territoryIds: [...a.territoryIds, ...b.territoryIds] }
}

/** The players of an org subtree, narrowed to a list of ids or a neighbourhood, with what placing them needs. */
export function playersNear(db: Db, orgPath: string, only: number[] | Neighbourhood | null) {
  const onlyIds = Array.isArray(only) ? only : null
  const near = only && !Array.isArray(only) ? only : null
  let query = db
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
  return query.execute()
}

/**
 * Puts every player of an org subtree in the territory its position or township falls in,
 * and gives it that territory's officer unless a manager chose its officer directly.
 * The most specific territory wins (the deepest org unit, then the oldest). `only` narrows
 * the players looked at: a list of ids, or the neighbourhood of a changed territory (so
 * drawing one in a province-wide unit does not read every player). Runs inside the
 * transaction of the change that calls it; answers how many players changed officer.
 */
export async function placePlayers(
  trx: Trx,
  caller: Pick<Caller, 'actor'>,
  input: { orgPath: string; only: number[] | Neighbourhood | null; reason: string },
): Promise<number> {
  const { orgPath, only, reason } = input
  const territories = await loadAreas(trx, orgPath)
  const players = await playersNear(trx, orgPath, only)

  // Group the changes: one update per (territory, officer) pair.
  const territoryChanges = new Map<string, number[]>()
  const officerChanges = new Map<string, number[]>()
  for (const p of players) {
    const area = areaFor(territories, p)
    const territoryId = area?.id ?? null
    if (territoryId !== p.territory_id) push(territoryChanges, String(territoryId), p.id)
    if (keepsOwnOfficer(p)) continue
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
    await setOfficer(trx, caller, { playerIds: ids, officerId: officer === 'null' ? null : Number(officer), source: source === 'null' ? null : 'territory', reason })
    moved += ids.length
  }
  return moved
}

function push(map: Map<string, number[]>, key: string, id: number) {
  const list = map.get(key)
  if (list) list.push(id)
  else map.set(key, [id])
}
