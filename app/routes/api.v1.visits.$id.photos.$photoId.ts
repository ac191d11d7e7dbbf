// PUT /api/v1/visits/:id/photos/:photoId: one storefront photo of a visit, its bytes as the
// body (JPEG, PNG or WebP; judged from the bytes). The id is made by the phone: 201 the first
// time, 200 when the same photo is sent again. Only the visit's author adds its photos (403);
// a visit out of the caller's scope is 404; a body over 10 MB is refused from its
// Content-Length (413) before it is read; a non-image 422. Nothing is stored on any refusal.
import type { ActionFunctionArgs } from '@remix-run/node'
import { AppError } from '../domain/app-error'
import { can } from '../domain/roles'
import { callerOf, getTranslate, requireApiCaller } from '../http/guards.server'
import { isMessageKey } from '../i18n/index'
import { addVisitPhoto } from '../services/visit-photos/add-visit-photo.server'
import { createStorage } from '../services/storage/storage.server'

const NO_STORE = { 'Cache-Control': 'private, no-store' }

export async function loader() {
  return Response.json({ error: 'method_not_allowed', message: 'PUT the photo' }, { status: 405, headers: { Allow: 'PUT' } })
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method !== 'PUT') return loader()
  const user = await requireApiCaller(request, context)
  const t = await getTranslate(request)
  if (!can(user.role, 'visits:log')) return Response.json({ error: 'forbidden', message: t('error.forbidden') }, { status: 403, headers: NO_STORE })
  try {
    const { photo, created } = await addVisitPhoto(context.db, callerOf(user, context), createStorage(context.config.storage), {
      visitId: params.id ?? '',
      photoId: params.photoId ?? '',
      bytes: new Uint8Array(await request.arrayBuffer()),
    })
    const { storage_key: _key, ...shown } = photo
    return Response.json({ photo: shown }, { status: created ? 201 : 200, headers: NO_STORE })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    const message = isMessageKey(error.messageKey) ? t(error.messageKey, error.params) : error.messageKey
    return Response.json({ error: error.code, message }, { status: error.status, headers: NO_STORE })
  }
}
