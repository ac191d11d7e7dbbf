// Placing stored players again once divisions are loaded: those without an area code, or
// whose code was found from the address or the USCC, get the township their address names
// (domain/area-placement.ts), else the division of their USCC; then they fall into the
// territories of their township and take their officers, as imported players do. Codes a
// list or a person stated are never touched. Within the caller's scope, one transaction.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { createAreaPlacer } from '../../domain/area-placement'
import { townshipOf } from '../../domain/market-player'
import type { Scope } from '../../domain/scope'
import { loadPlacementDivisions } from '../areas.server'
import { recordAudit, type Actor } from '../audit.server'
import { scoped } from '../scope.server'
import { placePlayers } from '../territories/place-players.server'
import { centreTownshipsOnPlayers, moveToCentres } from './area-centres.server'

export interface PlaceAgainResult {
  /** Players looked at: without an area code, or with one found from the address or USCC. */
  considered: number
  byAddress: number
  byUscc: number
  /** Still without an area code: no township in the address and no USCC. */
  unplaced: number
  /** Players whose area code changed. */
  changed: number
  /** Players whose officer changed with their territory. */
  reassigned: number
}

export async function placePlayersAgain(db: Kysely<Database>, actor: Actor, scope: Scope): Promise<PlaceAgainResult> {
  if (scope.kind === 'own') throw new AppError('forbidden', 'error.forbidden')
  const place = createAreaPlacer(await loadPlacementDivisions(db))
  return db.transaction().execute(async (trx) => {
    const players = await trx
      .selectFrom('market_players')
      .select(['id', 'address', 'uscc', 'area_code', 'area_basis', 'township_code', 'lat', 'position_approximate'])
      .where((eb) => eb.or([eb('area_code', 'is', null), eb('area_basis', 'in', ['address', 'uscc'])]))
      .where(scoped(scope))
      .orderBy('id')
      .execute()
    const result: PlaceAgainResult = { considered: players.length, byAddress: 0, byUscc: 0, unplaced: 0, changed: 0, reassigned: 0 }
    const now = new Date().toISOString()
    const changedIds: number[] = []
    const townships = new Set<string>()
    for (const p of players) {
      const placement = place(p)
      if (!placement) {
        result.unplaced++
        continue
      }
      if (placement.basis === 'address') result.byAddress++
      else result.byUscc++
      if (placement.areaCode === p.area_code && placement.basis === p.area_basis) continue
      const township = townshipOf(placement.areaCode)
      // A position that stood for the old township's centre goes; one of the player's own stays.
      const standIn = p.position_approximate === 1 || p.lat === null
      await trx
        .updateTable('market_players')
        .set({
          area_code: placement.areaCode,
          area_basis: placement.basis,
          township_code: township,
          ...(standIn && township !== p.township_code ? { lat: null, lng: null, position_approximate: 0 } : {}),
          updated_at: now,
        })
        .where('id', '=', p.id)
        .execute()
      await trx
        .insertInto('player_sources')
        .values({ player_id: p.id, source: 'placement', import_job_id: null, row: null, at: now, said: JSON.stringify({ areaCode: placement.areaCode, areaBasis: placement.basis }) })
        .execute()
      changedIds.push(p.id)
      if (township) townships.add(township)
      if (p.township_code) townships.add(p.township_code)
    }
    result.changed = changedIds.length
    const orgPath = scope.kind === 'org' ? scope.orgPath : '/'
    for (let i = 0; i < changedIds.length; i += 5000) {
      result.reassigned += await placePlayers(trx, { actor }, { orgPath, only: changedIds.slice(i, i + 5000), reason: 'territory.reason.placed' })
    }
    // Then the positions: townships' centres, and the players standing in for them (a drawn territory may hold them).
    await centreTownshipsOnPlayers(trx, [...townships])
    await moveToCentres(trx, actor, [...townships])
    await recordAudit(trx, actor, { action: 'areas.place', entityType: 'market_player', detail: result })
    return result
  })
}
