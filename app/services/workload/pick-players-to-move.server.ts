import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'

/**
 * Applies one suggested move: `count` of the source officer's players go to the target,
 * those nearest the target's own players first, so each officer's area stays in one piece.
 */
export async function pickPlayersToMove(
  db: Kysely<Database>,
  input: { fromOfficerId: number; toOfficerId: number; count: number },
): Promise<number[]> {
  const { fromOfficerId, toOfficerId, count } = input
  const centre = await db
    .selectFrom('market_players')
    .select([(eb) => eb.fn.avg<number>('lat').as('lat'), (eb) => eb.fn.avg<number>('lng').as('lng')])
    .where('assigned_officer_id', '=', toOfficerId)
    .where('lat', 'is not', null)
    .executeTakeFirst()
  const candidates = await db
    .selectFrom('market_players')
    .select(['id', 'lat', 'lng'])
    .where('assigned_officer_id', '=', fromOfficerId)
    .execute()
  const lat = centre?.lat === null || centre?.lat === undefined ? null : Number(centre.lat)
  const lng = centre?.lng === null || centre?.lng === undefined ? null : Number(centre.lng)
  const distance = (p: { lat: number | null; lng: number | null }) =>
    lat === null || lng === null || p.lat === null || p.lng === null ? Infinity : (p.lat - lat) ** 2 + (p.lng - lng) ** 2
  return candidates
    .sort((a, b) => distance(a) - distance(b) || a.id - b.id)
    .slice(0, count)
    .map((p) => p.id)
}
