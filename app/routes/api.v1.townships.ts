// GET /api/v1/townships: the boundaries of the townships in the signed-in user's scope, as a
// GeoJSON FeatureCollection (properties: code, name), for the maps to shade. Boundaries are
// reference data that change only when the areas are loaded again, so they travel apart from
// the pages that shade them: the browser keeps them (five minutes, then asks again with the
// ETag and gets 304 while nothing has changed), and a page carries only codes and values.
import { createHash } from 'node:crypto'
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireApiUser, userScope } from '../http/guards.server'
import { listTownshipBoundaries } from '../services/map-layers.server'

/** More townships than a bank has: the whole of China has about 40,000. */
const ALL_TOWNSHIPS = 50_000

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiUser(request, context)
  const rows = await listTownshipBoundaries(context.db, userScope(user), { limit: ALL_TOWNSHIPS })
  // The boundaries are JSON already: spliced in, not parsed and written again.
  const body = `{"type":"FeatureCollection","features":[${rows.map((r) => `{"type":"Feature","properties":${JSON.stringify({ code: r.code, name: r.name })},"geometry":${r.boundary}}`).join(',')}]}`
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`
  const headers = { ETag: etag, 'Cache-Control': 'private, max-age=300', Vary: 'Cookie' }
  const asked = request.headers.get('If-None-Match')
  if (asked && asked.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return new Response(null, { status: 304, headers })
  return new Response(body, { headers: { ...headers, 'Content-Type': 'application/geo+json; charset=utf-8' } })
}
