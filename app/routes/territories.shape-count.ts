// POST /territories/shape-count: how many players a shape drawn on the map holds, before
// it is saved: for a new territory, how many would move with it and how many keep an
// officer chosen by hand; for a lasso, how many it would assign. Scoped; nothing written.
import type { ActionFunctionArgs } from '@remix-run/node'
import { parseForm, type FieldErrors } from '../forms/fields'
import { shapeCountSchema } from '../forms/territory'
import { callerOf, requirePermission } from '../http/guards.server'
import { toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { previewLasso } from '../services/territories/preview-lasso.server'
import { previewTerritory } from '../services/territories/preview-territory.server'

export type ShapeCount = { mode: 'territory' | 'lasso'; inside: number; follow?: number; keepOwn?: number } | { errors?: FieldErrors; formError?: Message }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'territories:manage')
  const parsed = parseForm(await request.formData(), shapeCountSchema)
  if (!parsed.ok) return answer({ errors: parsed.errors }, 400)
  let geometry: unknown
  try {
    geometry = JSON.parse(parsed.data.geometry)
  } catch {
    return answer({ formError: { key: 'geo.notJson' } }, 400)
  }
  const caller = callerOf(user, context)
  try {
    if (parsed.data.mode === 'lasso') return answer({ mode: 'lasso', ...(await previewLasso(context.db, caller, { geometry })) })
    return answer({ mode: 'territory', ...(await previewTerritory(context.db, caller, { orgUnitId: user.orgUnitId, geometry })) })
  } catch (error) {
    const { status, formError } = toFormError(error)
    return answer({ formError }, status)
  }
}

/** Plain JSON: the map's fetcher and scripts read it alike; never cached. */
function answer(body: ShapeCount, status = 200) {
  return Response.json(body, { status, headers: { 'Cache-Control': 'private, no-store' } })
}
