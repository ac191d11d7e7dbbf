// Progress against the targets set for the unit in view and the period, and (hq, admin) the
// form that sets one.
import { Form } from '@remix-run/react'
import type { Figures, Period } from '../../domain/figures'
import { isRatioTarget, TARGET_FIGURES, type TargetFigure } from '../../domain/targets'
import type { Message, MessageKey } from '../../i18n/index'
import { useLocale, useT } from '../../i18n/use-t'
import { ActionResult, ErrorList, SelectField } from '../field'
import { formatValue } from './figure-format'

/** What setting a target answers. */
export type TargetActionData = { done?: Message; errors?: Record<string, Message[]>; formError?: Message }

export interface TargetProgress {
  figure: TargetFigure
  value: number
  actual: number | null
  share: number
}

export function TargetsSection({ unitName, period, targets, canSet, result }: { unitName: string; period: Period; targets: TargetProgress[]; canSet: boolean; result: TargetActionData | undefined }) {
  const t = useT()
  const locale = useLocale()
  const label = (k: keyof Figures) => t(`figure.${k}` as MessageKey)
  return (
    <section className="card" aria-labelledby="targets">
      <h2 id="targets">{t('target.title')}</h2>
      <p className="muted small">{t('target.forPeriod', { unit: unitName, from: period.from, to: period.to })}</p>
      {targets.length === 0 ? <p className="muted">{t('target.none')}</p> : null}
      <ul className="target-list">
        {targets.map((target) => {
          const kind = isRatioTarget(target.figure) ? 'ratio' : 'count'
          return (
            <li key={target.figure} data-target={target.figure}>
              <span className="figure-label">{label(target.figure)}</span>{' '}
              <span>{`${t('target.actual')} ${formatValue(target.actual, kind, locale)} / ${formatValue(target.value, kind, locale)}`}</span>
              <progress max={1} value={Math.min(1, target.share)} aria-label={`${label(target.figure)} ${t('target.progress')}`} />
              <span className="small" data-progress>{`${Math.round(target.share * 100)}%`}</span>
            </li>
          )
        })}
      </ul>
      {canSet ? (
        <Form method="post" className="toolbar" preventScrollReset>
          <ActionResult done={result?.done} formError={result?.formError} />
          <SelectField label={t('target.figure')} name="figure" errors={result?.errors?.figure} options={TARGET_FIGURES.map((f) => ({ value: f, label: label(f) }))} />
          <div className="field">
            <label htmlFor="target-value">{t('target.value')}</label>
            <input id="target-value" name="value" inputMode="decimal" aria-invalid={result?.errors?.value ? true : undefined} />
            <ErrorList errors={result?.errors?.value} />
          </div>
          <button type="submit">{t('target.save')}</button>
        </Form>
      ) : null}
    </section>
  )
}
