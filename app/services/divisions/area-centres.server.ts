// Boundaries and centres of the areas. A township's centre is its boundary's centroid, else
// the middle of its players that have positions of their own, else one set by hand; players
// without a position of their own stand at their township's centre, so they move with it.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { checkBoundaryFile, type FeatureError } from '../../domain/boundaries'
import type { Message } from '../../i18n/index'
import { recordAudit, type Actor } from '../audit.server'
import { placePlayers } from '../territories/place-players.server'

type Trx = Transaction<Database>

export type BoundaryUpload =
  | { ok: true; property: string; stored: number; moved: number }
  | { ok: false; property: string | null; fileError?: Message; errors: FeatureError[]; good: number }

/**
 * Stores the boundaries of a GeoJSON file, all or nothing: a file with one bad feature
 * writes none of them and reports every bad one (feature N, code X: why).
 */
export async function uploadBoundaries(db: Kysely<Database>, actor: Actor, input: { text: string; property: string | null }): Promise<BoundaryUpload> {
  let parsed: unknown
  try {
    parsed = JSON.parse(input.text.replace(/^\uFEFF/, ''))
  } catch {
    return { ok: false, property: null, fileError: { key: 'boundaries.notJson' }, errors: [], good: 0 }
  }
  const known = new Set((await db.selectFrom('areas').select('code').where('level', 'in', ['province', 'city', 'county', 'township']).execute()).map((r) => r.code))
  const checked = checkBoundaryFile(parsed, known, input.property)
  if (!checked.ok) return checked
  return db.transaction().execute(async (trx) => {
    for (const f of checked.features) {
      await trx
        .updateTable('areas')
        .set({ boundary: JSON.stringify(f.geometry), boundary_generated: 0, centre_lat: f.centre.lat, centre_lng: f.centre.lng, centre_basis: 'boundary' })
        .where('code', '=', f.code)
        .execute()
    }
    const moved = await moveToCentres(trx, actor, checked.features.map((f) => f.code).filter((c) => c.length === 9))
    await recordAudit(trx, actor, { action: 'areas.boundaries', entityType: 'areas', detail: { property: checked.property, stored: checked.features.length, codes: checked.features.map((f) => f.code) } })
    return { ok: true as const, property: checked.property, stored: checked.features.length, moved }
  })
}

/** Sets a township's centre by hand (it stands until a boundary is uploaded for it). */
export async function setTownshipCentre(db: Kysely<Database>, actor: Actor, input: { code: string; lat: number; lng: number }) {
  return db.transaction().execute(async (trx) => {
    const area = await trx.selectFrom('areas').select(['code', 'centre_lat', 'centre_lng']).where('code', '=', input.code).where('level', '=', 'township').executeTakeFirst()
    if (!area) throw new AppError('not_found', 'areas.noTownship', { code: input.code })
    await trx.updateTable('areas').set({ centre_lat: input.lat, centre_lng: input.lng, centre_basis: 'manual' }).where('code', '=', input.code).execute()
    const moved = await moveToCentres(trx, actor, [input.code])
    await recordAudit(trx, actor, { action: 'areas.centre', entityType: 'area', entityId: input.code, detail: { from: [area.centre_lat, area.centre_lng], to: [input.lat, input.lng] } })
    return { moved }
  })
}

/**
 * Townships without a boundary or a centre set by hand take the middle of their players
 * that have positions of their own.
 */
export async function centreTownshipsOnPlayers(trx: Trx, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return []
  const changed: string[] = []
  for (let i = 0; i < codes.length; i += 500) {
    const chunk = codes.slice(i, i + 500)
    const middles = await trx
      .selectFrom('market_players')
      .innerJoin('areas', 'areas.code', 'market_players.township_code')
      .select(['areas.code', 'areas.centre_lat', 'areas.centre_lng', (eb) => eb.fn.avg<number>('market_players.lat').as('lat'), (eb) => eb.fn.avg<number>('market_players.lng').as('lng')])
      .where('areas.code', 'in', chunk)
      .where('areas.boundary', 'is', null)
      .where((eb) => eb.or([eb('areas.centre_basis', 'is', null), eb('areas.centre_basis', '=', 'players')]))
      .where('market_players.position_approximate', '=', 0)
      .where('market_players.lat', 'is not', null)
      .groupBy(['areas.code', 'areas.centre_lat', 'areas.centre_lng'])
      .execute()
    for (const m of middles) {
      const lat = Math.round(Number(m.lat) * 1e6) / 1e6
      const lng = Math.round(Number(m.lng) * 1e6) / 1e6
      if (lat === m.centre_lat && lng === m.centre_lng) continue
      await trx.updateTable('areas').set({ centre_lat: lat, centre_lng: lng, centre_basis: 'players' }).where('code', '=', m.code).execute()
      changed.push(m.code)
    }
  }
  return changed
}

/**
 * Players of the townships that stand at their township's centre (or have no position)
 * move to its centre now, and fall into the territories that holds them there.
 */
export async function moveToCentres(trx: Trx, actor: Actor, townships: string[]): Promise<number> {
  if (townships.length === 0) return 0
  const now = new Date().toISOString()
  const ids: number[] = []
  for (let i = 0; i < townships.length; i += 500) {
    const centres = await trx.selectFrom('areas').select(['code', 'centre_lat', 'centre_lng']).where('code', 'in', townships.slice(i, i + 500)).execute()
    for (const c of centres) {
      if (c.centre_lat === null || c.centre_lng === null) continue
      const players = await trx
        .selectFrom('market_players')
        .select('id')
        .where('township_code', '=', c.code)
        .where((eb) => eb.or([eb('position_approximate', '=', 1), eb('lat', 'is', null)]))
        .where((eb) => eb.or([eb('lat', 'is', null), eb('lat', '<>', c.centre_lat!), eb('lng', '<>', c.centre_lng!)]))
        .execute()
      if (players.length === 0) continue
      const moved = players.map((p) => p.id)
      for (let j = 0; j < moved.length; j += 1000) {
        await trx
          .updateTable('market_players')
          .set({ lat: c.centre_lat, lng: c.centre_lng, position_approximate: 1, updated_at: now })
          .where('id', 'in', moved.slice(j, j + 1000))
          .execute()
      }
      ids.push(...moved)
    }
  }
  // A drawn territory may hold the new positions.
  for (let i = 0; i < ids.length; i += 5000) await placePlayers(trx, { actor }, { orgPath: '/', only: ids.slice(i, i + 5000), reason: 'territory.reason.centre' })
  return ids.length
}
