// GET /visits/:id/photos/:photoId: a visit's photo for whoever may see the visit (scope in
// the query; another outlet's visit's photo is 404). `?size=thumb` is the list's thumbnail
// (not audited; a browser's copy named in If-None-Match is answered 304), answered before
// Remix by http/visit-photo-early.server.ts with the same answer as here (decision 0632);
// without it, the full-size image, whose every opening is audited.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireUser } from '../http/guards.server'
import { httpErrorOf } from '../http/errors.server'
import { answerVisitPhoto, photoPurposeOf } from '../http/visit-photo-answer.server'
import { createStorage } from '../services/storage/storage.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  try {
    const answer = await answerVisitPhoto(context, user, createStorage(context.config.storage), {
      visitId: params.id ?? '',
      photoId: params.photoId ?? '',
      purpose: photoPurposeOf(new URL(request.url).searchParams),
      ifNoneMatch: request.headers.get('If-None-Match'),
    })
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  } catch (error) {
    throw httpErrorOf(error)
  }
}
