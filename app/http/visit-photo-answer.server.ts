// The answer to GET /visits/:id/photos/:photoId, in one place for the Remix route
// (routes/visits_.$id.photos.$photoId.ts: the full-size image, audited) and the handler that
// answers a list's thumbnail before Remix (http/visit-photo-early.server.ts, decision 0632):
// the same use case (readVisitPhoto: scope in the query, the full size audited, a thumbnail
// not), the same headers, the same 304.
import type { AppContext } from './context.server'
import { callerOf } from './guards.server'
import type { CurrentUser } from '../services/sessions.server'
import type { ObjectStorage } from '../services/storage/storage.server'
import { readVisitPhoto } from '../services/visit-photos/read-visit-photo.server'

export type PhotoPurpose = 'thumbnail' | 'full'

/** What the address asks for: `?size=thumb` is a list's thumbnail, anything else the full size. */
export function photoPurposeOf(search: URLSearchParams): PhotoPurpose {
  return search.get('size') === 'thumb' ? 'thumbnail' : 'full'
}

export interface VisitPhotoAnswer {
  status: 200 | 304
  headers: Record<string, string>
  body: Uint8Array<ArrayBuffer> | null
}

/**
 * The photo (or 304) for a signed-in user; a photo they may not see throws the use case's
 * AppError (not found), which each caller answers as the route does.
 */
export async function answerVisitPhoto(
  context: AppContext,
  user: CurrentUser,
  storage: ObjectStorage,
  input: { visitId: string; photoId: string; purpose: PhotoPurpose; ifNoneMatch: string | null },
): Promise<VisitPhotoAnswer> {
  const photo = await readVisitPhoto(context.db, callerOf(user, context), storage, input)
  // Personal: kept by this browser only, and never taken for anything but an image.
  const cacheControl = input.purpose === 'full' ? 'private, no-store' : 'private, max-age=3600'
  if ('notModified' in photo) return { status: 304, headers: { 'Cache-Control': cacheControl, ETag: `"${photo.sha256}"` }, body: null }
  return {
    status: 200,
    headers: {
      'Content-Type': photo.contentType,
      'Content-Length': String(photo.bytes.length),
      'Cache-Control': cacheControl,
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': 'inline',
      ETag: `"${photo.sha256}"`,
    },
    body: new Uint8Array(photo.bytes),
  }
}
