// PUT /api/v1/visits/:id/photos/:photoId: one storefront photo of a visit, its bytes as the
// body (JPEG, PNG or WebP; judged from the bytes), or a multipart form with the parts `photo`
// and `thumbnail` (the phone's small copy for lists: JPEG or WebP, at most 32 KB; a bad one
// is 422 and nothing is stored; decision 0601). The id is made by the phone: 201 the first
// time, 200 when the same photo is sent again. Only the visit's author adds its photos (403);
// a visit out of the caller's scope is 404; a body over 10 MB is refused from its
// Content-Length (413) before it is read; a non-image 422. Nothing is stored on any refusal.
import type { ActionFunctionArgs } from '@remix-run/node'
import { AppError } from '../domain/app-error'
import { can } from '../domain/roles'
import { callerOf, getTranslate, requireApiCaller } from '../http/guards.server'
import { receiveVisitPhoto } from '../http/receive-visit-photo.server'
import { isMessageKey } from '../i18n/index'
import { addVisitPhoto } from '../services/visit-photos/add-visit-photo.server'
import { createStorage } from '../services/storage/storage.server'
import { MAX_PHOTO_BYTES } from '../services/visit-photos/photo-rules'

const NO_STORE = { 'Cache-Control': 'private, no-store' }

export async function loader() {
  return Response.json({ error: 'method_not_allowed', message: 'PUT the photo' }, { status: 405, headers: { Allow: 'PUT' } })
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method !== 'PUT') return loader()
  const user = await requireApiCaller(request, context)
  const t = await getTranslate(request)
  if (!can(user.role, 'visits:log')) return Response.json({ error: 'forbidden', message: t('error.forbidden') }, { status: 403, headers: NO_STORE })
  const body = await receiveVisitPhoto(request)
  if (!body.ok) {
    if (body.reason === 'tooLarge') return Response.json({ error: 'payload_too_large', message: t('photo.tooLarge', { maxMb: MAX_PHOTO_BYTES / 1024 / 1024 }) }, { status: 413, headers: NO_STORE })
    return Response.json({ error: 'bad_request', message: t('error.badRequest') }, { status: 400, headers: NO_STORE })
  }
  try {
    const { photo, created } = await addVisitPhoto(context.db, callerOf(user, context), createStorage(context.config.storage), {
      visitId: params.id ?? '',
      photoId: params.photoId ?? '',
      bytes: body.bytes,
      thumbnail: body.thumbnail,
    })
    const { storage_key: _key, thumbnail_key: thumbnailKey, ...shown } = photo
    return Response.json({ photo: { ...shown, thumbnail: thumbnailKey !== null } }, { status: created ? 201 : 200, headers: NO_STORE })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    const message = isMessageKey(error.messageKey) ? t(error.messageKey, error.params) : error.messageKey
    return Response.json({ error: error.code, message }, { status: error.status, headers: NO_STORE })
  }
}
