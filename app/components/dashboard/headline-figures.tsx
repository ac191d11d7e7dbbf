// The figures of the period against the period before: the regulator's two first and large,
// then the rest of PRODUCT.md's headline, each count drilling down to its players.
import { Link, useSearchParams } from '@remix-run/react'
import type { Figures } from '../../domain/figures'
import type { MessageKey } from '../../i18n/index'
import { useLocale, useT } from '../../i18n/use-t'
import { change, DRILLABLE, formatValue, HEADLINE, REGULATOR, REGULATOR_KEYS, withParam } from './figure-format'

interface Compared {
  current: Figures
  before: Figures
}

export function RegulatorSection({ current, before }: Compared) {
  const t = useT()
  const locale = useLocale()
  const label = (k: keyof Figures) => t(`figure.${k}` as MessageKey)
  return (
    <section className="card regulator-figures" aria-labelledby="regulator">
      <h2 id="regulator">{t('dashboard.regulator')}</h2>
      <p className="muted small">{t('dashboard.regulatorHint')}</p>
      <ul>
        {REGULATOR.map(({ key, also }) => {
          const delta = change(key, current[key], before[key], 'ratio')
          return (
            <li key={key} className="figure regulator-figure" data-figure={key}>
              <span className="figure-label">{label(key)}</span>
              <span className="figure-value">{formatValue(current[key], 'ratio', locale)}</span>
              <span className="small">
                {delta ? <span className={`figure-change ${delta.up ? 'up' : 'down'}`}>{delta.text}</span> : null}{' '}
                <span className="muted">{t('dashboard.before', { value: formatValue(before[key], 'ratio', locale) })}</span>
              </span>
              {also ? <span className="small muted" data-figure={also}>{`${label(also)} ${formatValue(current[also], 'ratio', locale)}`}</span> : null}
            </li>
          )
        })}
      </ul>
    </section>
  )
}

export function HeadlineFigures({ current, before }: Compared) {
  const t = useT()
  const locale = useLocale()
  const [params] = useSearchParams()
  const label = (k: keyof Figures) => t(`figure.${k}` as MessageKey)
  return (
    <ul className="figure-grid" aria-label={t('dashboard.headline')}>
      {HEADLINE.filter(({ key }) => !REGULATOR_KEYS.includes(key)).map(({ key, kind }) => {
        const delta = change(key, current[key], before[key], kind)
        return (
          <li key={key} className="card figure" data-figure={key}>
            <span className="figure-label">{label(key)}</span>
            {DRILLABLE.includes(key) ? (
              <Link className="figure-value" to={`/dashboard/players?${withParam(params, 'figure', key)}`} aria-label={`${label(key)}: ${t('dashboard.drill')}`}>
                {formatValue(current[key], kind, locale)}
              </Link>
            ) : (
              <span className="figure-value">{formatValue(current[key], kind, locale)}</span>
            )}
            {delta ? <span className={`figure-change ${delta.up ? 'up' : 'down'}`}>{delta.text}</span> : null}
          </li>
        )
      })}
    </ul>
  )
}
