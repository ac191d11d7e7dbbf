// GET /api/v1/map?bbox=west,south,east,north&zoom=z (plus the registry's filters): GeoJSON
// of the players in view, clustered, scoped to the signed-in user. Also for the bank's own tools.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireApiUser, userScope } from '../http/guards.server'
import { playerFilterFromSearch } from '../forms/player-filter'
import { mapFeatures } from '../services/map.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context)
  const params = new URL(request.url).searchParams
  const bbox = (params.get('bbox') ?? '').split(',').map(Number)
  const zoom = Number(params.get('zoom'))
  const [west, south, east, north] = bbox
  const valid =
    bbox.length === 4 &&
    bbox.every(Number.isFinite) &&
    west >= -180 && east <= 180 && south >= -90 && north <= 90 && west < east && south < north &&
    Number.isFinite(zoom) && zoom >= 0 && zoom <= 22
  if (!valid) {
    return Response.json(
      { error: 'bad_request', message: 'bbox must be west,south,east,north in WGS-84 degrees and zoom a number from 0 to 22' },
      { status: 400 },
    )
  }
  const colourBy = params.get('colour') === 'campaign' ? 'campaign' : 'candidate'
  const features = await mapFeatures(context.db, context.pii, userScope(user), playerFilterFromSearch(params), {
    bbox: { west, south, east, north },
    zoom,
    colourBy,
  })
  return Response.json(features, { headers: { 'Cache-Control': 'private, no-store' } })
}
