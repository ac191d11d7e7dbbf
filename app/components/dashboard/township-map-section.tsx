// The townships in scope on a map shaded by coverage or first-lender ratio, and the ten
// lowest, each narrowing the view to itself.
import { Link, useSearchParams } from '@remix-run/react'
import { useMemo } from 'react'
import type { TileLayerSpec } from '../../domain/map-tiles'
import type { Figures } from '../../domain/figures'
import type { MessageKey } from '../../i18n/index'
import { useLocale, useT } from '../../i18n/use-t'
import { ClientOnly } from '../hydrated'
import { RatioLegend } from '../ratio-legend'
import { TownshipFiguresMap, type ShadedTownship } from '../township-figures-map.client'
import { formatValue, withParam } from './figure-format'

export interface TownshipMapData {
  shade: 'coverage' | 'firstLenderRatio'
  /** The shaded townships as one JSON string (parsed here: cheaper than as values); null: not drawn for this period. */
  map: string | null
  mapCount: number
  tiles: TileLayerSpec | null
  lowest: { code: string; name: string; value: number | null; listed: number }[]
}

export function TownshipMapSection({ data }: { data: TownshipMapData }) {
  const t = useT()
  const locale = useLocale()
  const [params] = useSearchParams()
  const mapTownships = useMemo(() => (data.map ? (JSON.parse(data.map) as ShadedTownship[]) : []), [data.map])
  const label = (k: keyof Figures) => t(`figure.${k}` as MessageKey)
  return (
    <section className="card" aria-labelledby="map">
      <h2 id="map">{t('dashboard.map')}</h2>
      <p className="toolbar small" aria-label={t('dashboard.mapBy')}>
        {t('dashboard.mapBy')}:{' '}
        {(['coverage', 'firstLenderRatio'] as const).map((k) => (
          <Link key={k} to={`?${withParam(params, 'shade', k)}`} preventScrollReset aria-current={data.shade === k ? 'true' : undefined}>
            {label(k)}
          </Link>
        ))}
      </p>
      {data.map === null ? (
        <p className="muted">{t('dashboard.mapCalendarOnly')}</p>
      ) : data.mapCount === 0 ? (
        <p className="muted">{t('dashboard.mapNoTownships')}</p>
      ) : (
        <>
          <div data-testid="township-map" data-townships={data.mapCount}>
            <ClientOnly fallback={<div className="township-figures-map" aria-busy="true" />}>
              {() => <TownshipFiguresMap townships={mapTownships} tiles={data.tiles} failed={t('dashboard.mapFailed')} describe={(tw) => `${tw.name} · ${label(data.shade)} ${formatValue(tw.value, 'ratio', locale)}`} />}
            </ClientOnly>
          </div>
          <RatioLegend title={label(data.shade)} noValue={t('dashboard.mapNoValue')} />
        </>
      )}
      {data.lowest.length ? (
        <>
          <h3 className="small">{t('dashboard.mapLowest', { figure: label(data.shade) })}</h3>
          <ol className="small">
            {data.lowest.map((tw) => (
              <li key={tw.code} data-township={tw.code}>
                <Link to={`?${withParam(params, 'township', tw.code)}`}>{tw.name}</Link> {`${formatValue(tw.value, 'ratio', locale)} · ${formatValue(tw.listed, 'count', locale)}`}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  )
}
