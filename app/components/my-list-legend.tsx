// What the colours and marks of the officer's small map mean. Kept apart from the map
// (my-list-map.client.tsx) so the list shows it without loading Leaflet.
import { LIST_REASON_ORDER, type ListReason } from '../domain/visit'
import { useT } from '../i18n/use-t'

export const REASON_COLOURS: Record<ListReason, string> = { overdue: '#b4232a', due_today: '#d97706', never_visited: '#1d4ed8', no_outcome: '#6b7280' }
/** The officer's own position. */
export const ME_COLOUR = '#0f766e'

export function MyListLegend({ reasons, showsMe }: { reasons: readonly ListReason[]; showsMe: boolean }) {
  const t = useT()
  return (
    <ul className="map-legend" aria-label={t('my.legend')} data-testid="my-map-legend">
      {LIST_REASON_ORDER.filter((r) => reasons.includes(r)).map((r) => (
        <li key={r} data-reason={r}>
          <span className="swatch" style={{ background: REASON_COLOURS[r] }} aria-hidden="true" />
          {t(`my.legend.${r}`)}
        </li>
      ))}
      <li>
        <span className="swatch approximate" aria-hidden="true" />
        {t('my.legend.approximate')}
      </li>
      {showsMe ? (
        <li>
          <span className="swatch me" style={{ background: ME_COLOUR }} aria-hidden="true" />
          {t('my.legend.me')}
        </li>
      ) : null}
    </ul>
  )
}
