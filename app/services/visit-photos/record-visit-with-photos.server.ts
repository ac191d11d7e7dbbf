// A visit and its photos from one plain form post (the visit form before JavaScript loads,
// issue 24). Every photo is judged first, as the JavaScript path's PUT judges it
// (checkPhotoBytes): one bad photo refuses the whole post and nothing is stored. Then the
// visit (recordVisit) and each photo (addVisitPhoto, the same use case the PUT calls), with
// ids made from the visit's: the form's id is made with the page, so a post sent twice is
// one visit with its photos once, and a post cut off half way completes when sent again.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { VisitInput } from '../../forms/visit'
import type { Caller } from '../caller.server'
import type { ObjectStorage } from '../storage/storage.server'
import { recordVisit, type RecordedVisit } from '../visits/record-visit.server'
import { addVisitPhoto, checkPhotoBytes } from './add-visit-photo.server'
import { MAX_PHOTOS_PER_VISIT } from './photo-rules'

type RecordCaller = Parameters<typeof recordVisit>[1] & Pick<Caller, 'actor' | 'scope'>

export async function recordVisitWithPhotos(
  db: Kysely<Database>,
  caller: RecordCaller,
  storage: ObjectStorage,
  input: { visit: VisitInput; photos: Uint8Array[] },
): Promise<RecordedVisit & { photos: number }> {
  if (input.photos.length > MAX_PHOTOS_PER_VISIT) throw new AppError('unprocessable', 'photo.tooMany', { field: 'photos', max: MAX_PHOTOS_PER_VISIT })
  input.photos.forEach((bytes, i) => {
    try {
      checkPhotoBytes(bytes)
    } catch (error) {
      // Named by its place in the form: 照片 2 is not an image.
      if (error instanceof AppError) throw new AppError(error.code, error.messageKey, { ...error.params, field: 'photos', photo: i + 1 })
      throw error
    }
  })
  const recorded = await recordVisit(db, caller, input.visit)
  for (const [i, bytes] of input.photos.entries()) {
    await addVisitPhoto(db, caller, storage, { visitId: recorded.visit.id, photoId: photoIdOf(recorded.visit.id, i), bytes })
  }
  return { ...recorded, photos: input.photos.length }
}

/** The id of the form's nth photo: the visit's id (letters, digits and dashes) and its place. */
export function photoIdOf(visitId: string, index: number): string {
  return `${visitId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 56)}-p${index + 1}`
}
