// GET /visits/:id/photos/:photoId: a visit's photo for whoever may see the visit (scope in
// the query; another outlet's visit's photo is 404). `?size=thumb` is the list's thumbnail
// (not audited; a browser's copy named in If-None-Match is answered 304); without it, the
// full-size image, whose every opening is audited.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { callerOf, requireUser } from '../http/guards.server'
import { httpErrorOf } from '../http/errors.server'
import { createStorage } from '../services/storage/storage.server'
import { readVisitPhoto } from '../services/visit-photos/read-visit-photo.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const purpose = new URL(request.url).searchParams.get('size') === 'thumb' ? 'thumbnail' : 'full'
  try {
    const photo = await readVisitPhoto(context.db, callerOf(user, context), createStorage(context.config.storage), {
      visitId: params.id ?? '',
      photoId: params.photoId ?? '',
      purpose,
      ifNoneMatch: request.headers.get('If-None-Match'),
    })
    // Personal: kept by this browser only, and never taken for anything but an image.
    const cacheControl = purpose === 'full' ? 'private, no-store' : 'private, max-age=3600'
    if ('notModified' in photo) return new Response(null, { status: 304, headers: { 'Cache-Control': cacheControl, ETag: `"${photo.sha256}"` } })
    return new Response(new Uint8Array(photo.bytes), {
      headers: {
        'Content-Type': photo.contentType,
        'Content-Length': String(photo.bytes.length),
        'Cache-Control': cacheControl,
        'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': 'inline',
        ETag: `"${photo.sha256}"`,
      },
    })
  } catch (error) {
    throw httpErrorOf(error)
  }
}
