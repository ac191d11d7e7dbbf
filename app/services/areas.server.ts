// Administrative divisions: townships for filters and maps, their centres for players
// without a position of their own.
import type { Db } from './audit.server'
import type { TownshipCentre } from './player-record.server'
import type { PlacementDivisions } from '../domain/area-placement'

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

/** The divisions players are placed in by address or USCC (domain/area-placement.ts): every loaded area. */
export async function loadPlacementDivisions(db: Db): Promise<PlacementDivisions> {
  const rows = await db.selectFrom('areas').select(['code', 'name', 'level']).where('level', 'in', ['province', 'city', 'county', 'township']).orderBy('code').execute()
  return {
    townships: rows.filter((r) => r.level === 'township').map((r) => [r.code, r.name]),
    counties: rows.filter((r) => r.level !== 'township').map((r) => [r.code, r.name]),
  }
}

/** Townships with their boundary's kind and their centre, for the admin page (the first `limit`). */
export async function listTownshipCentres(db: Db, limit = 500) {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('areas')
      .select(['code', 'name', 'centre_lat as lat', 'centre_lng as lng', 'centre_basis as centreBasis', 'boundary_generated as generated'])
      .select((eb) => eb('boundary', 'is not', null).as('hasBoundary'))
      .where('level', '=', 'township')
      .orderBy('code')
      .limit(limit)
      .execute(),
    db.selectFrom('areas').select((eb) => eb.fn.countAll<number>().as('n')).where('level', '=', 'township').executeTakeFirstOrThrow(),
  ])
  return {
    count: Number(count.n),
    townships: rows.map((r) => ({ ...r, boundary: !r.hasBoundary ? ('none' as const) : r.generated ? ('generated' as const) : ('real' as const) })),
  }
}

