// Adds a storefront photo to a visit: only its author may, and only while the visit is in
// their scope. The type is judged from the bytes (JPEG, PNG or WebP), the original bytes'
// SHA-256 is kept as the evidence, and what is stored and shown has its metadata (the EXIF
// position) removed. The photo's id is made by the phone, so a resend from the offline
// outbox is stored once. Nothing is stored unless every check passes; the file is written
// before the row and removed again if the row's transaction fails. The phone sends a small
// copy with it (a thumbnail for lists, decision 0601): JPEG or WebP from its first bytes, at
// most 32 KB; a bad one refuses the photo too, so nothing is stored. None (older phones, the
// plain form): lists show the photo itself.
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, VisitPhoto } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { PHOTO_EXTENSION, sniffPhotoType, stripPhotoMetadata } from '../../domain/photo-file'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import type { ObjectStorage } from '../storage/storage.server'
import { rejudgeVisit } from '../visits/judge-visit.server'
import { visitsScope } from '../visits/stored-visit.server'
import { MAX_PHOTO_BYTES, MAX_PHOTOS_PER_VISIT, MAX_THUMBNAIL_BYTES, PHOTO_ID } from './photo-rules'

export interface AddVisitPhotoInput {
  visitId: string
  photoId: string
  bytes: Uint8Array
  /** The phone's small copy for lists, when it sent one. */
  thumbnail?: Uint8Array | null
  now?: Date
}

function checkPhotoSize(bytes: Uint8Array) {
  if (bytes.byteLength > MAX_PHOTO_BYTES) throw new AppError('unprocessable', 'photo.tooLarge', { maxMb: MAX_PHOTO_BYTES / 1024 / 1024 })
  if (bytes.byteLength === 0) throw new AppError('unprocessable', 'photo.empty')
}

/** A photo's bytes judged as every path judges them (size, type from the bytes, structure): the type and the bytes to store, or the error. */
export function checkPhotoBytes(bytes: Uint8Array): { type: NonNullable<ReturnType<typeof sniffPhotoType>>; shown: Uint8Array } {
  checkPhotoSize(bytes)
  const type = sniffPhotoType(bytes)
  if (!type) throw new AppError('unprocessable', 'photo.notImage')
  const shown = stripPhotoMetadata(bytes, type)
  if (!shown) throw new AppError('unprocessable', 'photo.broken')
  return { type, shown }
}

/** A thumbnail's bytes judged: JPEG or WebP (from the bytes), at most 32 KB, well formed; the type and the bytes to store, or the error. */
export function checkThumbnailBytes(bytes: Uint8Array): { type: 'image/jpeg' | 'image/webp'; shown: Uint8Array } {
  if (bytes.byteLength > MAX_THUMBNAIL_BYTES) throw new AppError('unprocessable', 'photo.thumbnailTooLarge', { field: 'thumbnail', maxKb: MAX_THUMBNAIL_BYTES / 1024 })
  const type = sniffPhotoType(bytes)
  if (type !== 'image/jpeg' && type !== 'image/webp') throw new AppError('unprocessable', 'photo.thumbnailNotImage', { field: 'thumbnail' })
  const shown = stripPhotoMetadata(bytes, type)
  if (!shown) throw new AppError('unprocessable', 'photo.thumbnailNotImage', { field: 'thumbnail' })
  return { type, shown }
}

export async function addVisitPhoto(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  storage: ObjectStorage,
  input: AddVisitPhotoInput,
): Promise<{ photo: VisitPhoto; created: boolean }> {
  const actorId = caller.actor.id
  if (actorId === null) throw new AppError('forbidden', 'photo.notAuthor')
  if (!PHOTO_ID.test(input.photoId)) throw new AppError('bad_request', 'photo.badId')
  checkPhotoSize(input.bytes)
  const thumbnail = input.thumbnail ? checkThumbnailBytes(input.thumbnail) : null

  const visit = await db.selectFrom('visits').select(['id', 'officer_id']).where('id', '=', input.visitId).where(visitsScope(caller.scope)).executeTakeFirst()
  // Out of scope reads as missing: nobody learns that another outlet's visit exists.
  if (!visit) throw new AppError('not_found', 'photo.visitNotFound')
  if (visit.officer_id !== actorId) throw new AppError('forbidden', 'photo.notAuthor')

  const sha256 = crypto.createHash('sha256').update(input.bytes).digest('hex')
  const earlier = await db.selectFrom('visit_photos').selectAll().where('id', '=', input.photoId).executeTakeFirst()
  if (earlier) {
    // The same photo resent (a lost answer, the outbox retrying): stored once.
    if (earlier.visit_id === input.visitId && earlier.sha256 === sha256) return { photo: earlier, created: false }
    throw new AppError('conflict', 'photo.idTaken')
  }

  const { type, shown } = checkPhotoBytes(input.bytes)

  const now = input.now ?? new Date()
  const folder = `visit-photos/${now.toISOString().slice(0, 7).replace('-', '/')}`
  const key = `${folder}/${input.photoId}.${PHOTO_EXTENSION[type]}`
  const thumbnailKey = thumbnail ? `${folder}/${input.photoId}.thumb.${PHOTO_EXTENSION[thumbnail.type]}` : null
  await storage.put(key, shown, type)
  try {
    if (thumbnail && thumbnailKey) await storage.put(thumbnailKey, thumbnail.shown, thumbnail.type)
    const photo = await db.transaction().execute(async (trx) => {
      const count = await trx.selectFrom('visit_photos').select((eb) => eb.fn.countAll<number | string>().as('n')).where('visit_id', '=', input.visitId).executeTakeFirstOrThrow()
      if (Number(count.n) >= MAX_PHOTOS_PER_VISIT) throw new AppError('unprocessable', 'photo.tooMany', { max: MAX_PHOTOS_PER_VISIT })
      const row: VisitPhoto = {
        id: input.photoId,
        visit_id: input.visitId,
        position: Number(count.n) + 1,
        content_type: type,
        storage_key: key,
        sha256,
        original_bytes: input.bytes.byteLength,
        stored_bytes: shown.byteLength,
        added_at: now.toISOString(),
        added_by: actorId,
        thumbnail_key: thumbnailKey,
      }
      await trx.insertInto('visit_photos').values(row).execute()
      await recordAudit(trx, caller.actor, {
        action: 'visit.photo_added',
        entityType: 'visit',
        entityId: input.visitId,
        detail: { photoId: input.photoId, sha256, bytes: input.bytes.byteLength, type },
      })
      // A photo is evidence: the visit may count now (a required storefront photo).
      await rejudgeVisit(trx, input.visitId)
      return row
    })
    return { photo, created: true }
  } catch (error) {
    await storage.delete(key)
    if (thumbnailKey) await storage.delete(thumbnailKey)
    throw error
  }
}
