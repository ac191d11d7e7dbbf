// A visit's storefront photos as thumbnails, each a link to the full-size image (whose
// opening is audited). Served by routes/visits_.$id.photos.$photoId.ts within the scope.
import { useT } from '../i18n/use-t'

export function VisitPhotoStrip({ visitId, photos, size = 72 }: { visitId: string; photos: readonly { id: string; position: number }[]; size?: number }) {
  const t = useT()
  if (!photos.length) return null
  const base = `/visits/${encodeURIComponent(visitId)}/photos/`
  return (
    <ul className="photo-strip" data-testid="visit-photos">
      {photos.map((p) => (
        <li key={p.id}>
          <a href={base + encodeURIComponent(p.id)} target="_blank" rel="noopener">
            <img src={`${base}${encodeURIComponent(p.id)}?size=thumb`} alt={t('photo.thumbAlt', { n: p.position })} width={size} height={size} loading="lazy" />
          </a>
        </li>
      ))}
    </ul>
  )
}
