// A photo's bytes for someone who may see its visit (scope in the query: another outlet's
// visit's photo is not found). Opening the full-size image is audited, as a view of
// personal data is: the storefront, the officer and the time are on it. A thumbnail on a list
// is the same stored image drawn small and is not audited (decision 0292). A photo never
// changes (its id is stored once), so a thumbnail the browser already holds, named by its
// hash in If-None-Match, is answered "not modified" without reading the store (decision 0551).
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import type { ObjectStorage } from '../storage/storage.server'
import { visitsScope } from '../visits/stored-visit.server'

export interface PhotoBytes {
  bytes: Buffer
  contentType: string
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
    .select(['visit_photos.storage_key', 'visit_photos.content_type', 'visit_photos.sha256'])
    .where('visit_photos.id', '=', input.photoId)
    .where('visit_photos.visit_id', '=', input.visitId)
    .where(visitsScope(caller.scope))
    .executeTakeFirst()
  if (!photo) throw new AppError('not_found', 'photo.notFound')
  if (input.purpose === 'thumbnail' && input.ifNoneMatch && etagsOf(input.ifNoneMatch).includes(photo.sha256)) return { notModified: true, sha256: photo.sha256 }
  const bytes = await storage.get(photo.storage_key)
  // The row without its file is a fault of the store, not the user's: a plain 500 and a log.
  if (!bytes) throw new Error(`visit photo ${input.photoId}: nothing in storage under ${photo.storage_key}`)
  if (input.purpose === 'full') {
    await recordAudit(db, caller.actor, { action: 'visit.photo_viewed', entityType: 'visit', entityId: input.visitId, detail: { photoId: input.photoId } })
  }
  return { bytes, contentType: photo.content_type, sha256: photo.sha256 }
}

/** The hashes an If-None-Match header names: `"a", W/"b"` → a, b (`*` names none here). */
function etagsOf(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
}
