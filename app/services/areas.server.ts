// Administrative divisions: townships for filters and maps, their centres for players
// without a position of their own.
import type { Db } from './audit.server'
import type { TownshipCentre } from './player-record.server'

export async function listTownships(db: Db) {
  return db
    .selectFrom('areas')
    .select(['code', 'name', 'parent_code as parentCode', 'centre_lat as lat', 'centre_lng as lng'])
    .where('level', '=', 'township')
    .orderBy('code')
    .execute()
}

/** Every township's centre, for placing players that come without a position of their own. */
export async function loadTownshipCentreMap(db: Db): Promise<Map<string, TownshipCentre>> {
  const centres = new Map<string, TownshipCentre>()
  for (const t of await listTownships(db)) if (t.lat !== null && t.lng !== null) centres.set(t.code, { lat: t.lat, lng: t.lng })
  return centres
}

export async function loadTownshipCentres(db: Db): Promise<(code: string) => TownshipCentre | undefined> {
  const centres = await loadTownshipCentreMap(db)
  return (code) => centres.get(code)
}
