// A photo's bytes for someone who may see its visit (scope in the query: another outlet's
// visit's photo is not found). Opening the full-size image is audited, as a view of
// personal data is: the storefront, the officer and the time are on it. A thumbnail on a list
// is not audited per view (decisions 0292, 0601): the phone's small copy (a few KB) where it
// sent one, else the stored image itself, drawn small by the browser. A photo never changes
// (its id is stored once), so a thumbnail the browser already holds, named in If-None-Match,
// is answered "not modified" without reading the store (decision 0551). The small copy's tag
// is the photo's hash and `-t`: a browser holding the full image under the thumbnail's
// address from before does not keep it.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { PhotoType } from '../../domain/photo-file'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import type { ObjectStorage } from '../storage/storage.server'
import { visitsScope } from '../visits/stored-visit.server'

export interface PhotoBytes {
  bytes: Buffer
  contentType: string
  /** The ETag: the photo's hash, with `-t` after it for the small copy. */
  sha256: string
}

/** The browser's copy is this photo's (a thumbnail only: opening the full size is audited each time). */
export interface PhotoNotModified {
  notModified: true
  sha256: string
}

interface PhotoRequest {
  visitId: string
  photoId: string
  purpose: 'thumbnail' | 'full'
}

export function readVisitPhoto(db: Kysely<Database>, caller: Pick<Caller, 'actor' | 'scope'>, storage: ObjectStorage, input: PhotoRequest): Promise<PhotoBytes>
export function readVisitPhoto(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  storage: ObjectStorage,
  input: PhotoRequest & { ifNoneMatch: string | null },
): Promise<PhotoBytes | PhotoNotModified>
export async function readVisitPhoto(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  storage: ObjectStorage,
  input: PhotoRequest & { ifNoneMatch?: string | null },
): Promise<PhotoBytes | PhotoNotModified> {
  const photo = await db
    .selectFrom('visit_photos')
    .innerJoin('visits', 'visits.id', 'visit_photos.visit_id')
    .select(['visit_photos.storage_key', 'visit_photos.content_type', 'visit_photos.sha256', 'visit_photos.thumbnail_key'])
    .where('visit_photos.id', '=', input.photoId)
    .where('visit_photos.visit_id', '=', input.visitId)
    .where(visitsScope(caller.scope))
    .executeTakeFirst()
  if (!photo) throw new AppError('not_found', 'photo.notFound')
  const small = input.purpose === 'thumbnail' && photo.thumbnail_key !== null
  const tag = small ? `${photo.sha256}-t` : photo.sha256
  if (input.purpose === 'thumbnail' && input.ifNoneMatch && etagsOf(input.ifNoneMatch).includes(tag)) return { notModified: true, sha256: tag }
  const key = small && photo.thumbnail_key ? photo.thumbnail_key : photo.storage_key
  const bytes = await storage.get(key)
  // The row without its file is a fault of the store, not the user's: a plain 500 and a log.
  if (!bytes) throw new Error(`visit photo ${input.photoId}: nothing in storage under ${key}`)
  if (input.purpose === 'full') {
    await recordAudit(db, caller.actor, { action: 'visit.photo_viewed', entityType: 'visit', entityId: input.visitId, detail: { photoId: input.photoId } })
  }
  return { bytes, contentType: small ? thumbnailTypeOf(key) : photo.content_type, sha256: tag }
}

/** The small copy's type, from its key's extension (JPEG or WebP; the upload judged the bytes). */
function thumbnailTypeOf(key: string): PhotoType {
  return key.endsWith('.webp') ? 'image/webp' : 'image/jpeg'
}

/** The hashes an If-None-Match header names: `"a", W/"b"` → a, b (`*` names none here). */
function etagsOf(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
}
