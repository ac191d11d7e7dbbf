// The photos of visits, as far as the caller's scope sees the visits: for the visit page and
// the day view's thumbnails. Only what describes them; the bytes go through readVisitPhoto.
import type { Db } from '../audit.server'
import type { Caller } from '../caller.server'
import { visitsScope } from '../visits/stored-visit.server'

export interface VisitPhotoSummary {
  id: string
  visitId: string
  position: number
  contentType: string
  sha256: string
  storedBytes: number
  addedAt: string
}

export async function findVisitPhotos(db: Db, caller: Pick<Caller, 'scope'>, visitIds: readonly string[]): Promise<Map<string, VisitPhotoSummary[]>> {
  const byVisit = new Map<string, VisitPhotoSummary[]>()
  // A day's list holds at most a few hundred visits; in chunks to stay under bind limits.
  for (let i = 0; i < visitIds.length; i += 500) {
    const rows = await db
      .selectFrom('visit_photos')
      .innerJoin('visits', 'visits.id', 'visit_photos.visit_id')
      .select(['visit_photos.id', 'visit_photos.visit_id', 'visit_photos.position', 'visit_photos.content_type', 'visit_photos.sha256', 'visit_photos.stored_bytes', 'visit_photos.added_at'])
      .where('visit_photos.visit_id', 'in', visitIds.slice(i, i + 500))
      .where(visitsScope(caller.scope))
      .orderBy('visit_photos.visit_id')
      .orderBy('visit_photos.position')
      .execute()
    for (const r of rows) {
      const list = byVisit.get(r.visit_id) ?? []
      list.push({ id: r.id, visitId: r.visit_id, position: r.position, contentType: r.content_type, sha256: r.sha256, storedBytes: r.stored_bytes, addedAt: r.added_at })
      byVisit.set(r.visit_id, list)
    }
  }
  return byVisit
}
