// Small copies for the photos that have none (stored before decision 0601, or sent without
// one), made on the server from the stored photo (decision 0631), stored through the storage
// module beside it (`….thumb.jpg`) and named in `thumbnail_key`: from then on lists get a few
// KB instead of the whole photo. Run as a command (`npm run photos:thumbnails`), off the
// serving processes. One photo at a time (memory bounded by make-thumbnail's pixel limit),
// walked by id in pages, so a run goes through every photo once. Idempotent: only rows
// without a thumbnail are read, and the row is set only while it still has none (a second
// run, or two at once, changes nothing). A photo that cannot be made small (its file missing,
// not decodable, too many pixels) is reported with its reason and left as it was (lists go
// on showing the photo itself); the run goes on.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { sniffPhotoType } from '../../domain/photo-file'
import type { ObjectStorage } from '../storage/storage.server'
import { ThumbnailError, makeThumbnail } from './make-thumbnail.server'

const PAGE = 200

export interface ThumbnailProblem {
  photoId: string
  storageKey: string
  reason: ThumbnailError['reason'] | 'missing'
  message: string
}

export interface BackfillResult {
  /** Photos without a thumbnail read in this run. */
  seen: number
  made: number
  problems: ThumbnailProblem[]
}

/** Where a photo's small copy goes: beside the photo, as the phone's goes. */
export function thumbnailKeyOf(storageKey: string): string {
  return storageKey.replace(/\.[A-Za-z0-9]+$/, '') + '.thumb.jpg'
}

export async function backfillPhotoThumbnails(
  db: Kysely<Database>,
  storage: ObjectStorage,
  options: { limit?: number; onPhoto?: (done: BackfillResult) => void } = {},
): Promise<BackfillResult> {
  const result: BackfillResult = { seen: 0, made: 0, problems: [] }
  let after = ''
  for (;;) {
    const want = Math.min(PAGE, (options.limit ?? Infinity) - result.seen)
    if (want <= 0) break
    const rows = await db
      .selectFrom('visit_photos')
      .select(['id', 'storage_key'])
      .where('thumbnail_key', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(want)
      .execute()
    if (rows.length === 0) break
    for (const row of rows) {
      after = row.id
      result.seen++
      const problem = await thumbnailFor(db, storage, row)
      if (problem) result.problems.push(problem)
      else result.made++
      options.onPhoto?.(result)
    }
  }
  return result
}

async function thumbnailFor(db: Kysely<Database>, storage: ObjectStorage, row: { id: string; storage_key: string }): Promise<ThumbnailProblem | null> {
  const problem = (reason: ThumbnailProblem['reason'], message: string): ThumbnailProblem => ({ photoId: row.id, storageKey: row.storage_key, reason, message })
  const bytes = await storage.get(row.storage_key)
  if (!bytes) return problem('missing', `nothing in storage under ${row.storage_key}`)
  const type = sniffPhotoType(bytes)
  if (!type) return problem('not_image', 'the stored file is not a JPEG, PNG or WebP')
  let small: Uint8Array
  try {
    small = await makeThumbnail(bytes, type)
  } catch (error) {
    if (error instanceof ThumbnailError) return problem(error.reason, error.message)
    throw error
  }
  const key = thumbnailKeyOf(row.storage_key)
  await storage.put(key, small, 'image/jpeg')
  // Set only while still unset: a phone's own copy or another run's is never replaced.
  await db.updateTable('visit_photos').set({ thumbnail_key: key }).where('id', '=', row.id).where('thumbnail_key', 'is', null).execute()
  return null
}
