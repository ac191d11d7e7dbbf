// A photo's bytes for someone who may see its visit (scope in the query: another outlet's
// visit's photo is not found). Opening the full-size image is audited, as a view of
// personal data is: the storefront, the officer and the time are on it. A thumbnail on a list
// is the same stored image drawn small and is not audited (decision 0292).
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import type { ObjectStorage } from '../storage/storage.server'
import { visitsScope } from '../visits/stored-visit.server'

export async function readVisitPhoto(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  storage: ObjectStorage,
  input: { visitId: string; photoId: string; purpose: 'thumbnail' | 'full' },
): Promise<{ bytes: Buffer; contentType: string; sha256: string }> {
  const photo = await db
    .selectFrom('visit_photos')
    .innerJoin('visits', 'visits.id', 'visit_photos.visit_id')
    .select(['visit_photos.storage_key', 'visit_photos.content_type', 'visit_photos.sha256'])
    .where('visit_photos.id', '=', input.photoId)
    .where('visit_photos.visit_id', '=', input.visitId)
    .where(visitsScope(caller.scope))
    .executeTakeFirst()
  if (!photo) throw new AppError('not_found', 'photo.notFound')
  const bytes = await storage.get(photo.storage_key)
  // The row without its file is a fault of the store, not the user's: a plain 500 and a log.
  if (!bytes) throw new Error(`visit photo ${input.photoId}: nothing in storage under ${photo.storage_key}`)
  if (input.purpose === 'full') {
    await recordAudit(db, caller.actor, { action: 'visit.photo_viewed', entityType: 'visit', entityId: input.visitId, detail: { photoId: input.photoId } })
  }
  return { bytes, contentType: photo.content_type, sha256: photo.sha256 }
}
