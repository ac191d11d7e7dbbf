// Which products the latest visit's need qualifies for, each rule passed or not, and (one who
// may log visits) the hand-off of a qualifying case in plain sight.
import { Form, Link } from '@remix-run/react'
import { chinaDay } from '../../domain/china-time'
import { moneyText } from '../../domain/money-text'
import type { ProductVerdict } from '../../domain/products'
import type { FieldErrors } from '../../forms/fields'
import type { Message } from '../../i18n/index'
import { useLocale, useT, useTranslateMessage } from '../../i18n/use-t'
import { Field } from '../field'
import { FormErrorSummary } from '../form-error-summary'
import { productLabel } from '../product-label'

export interface LatestNeed {
  visitedAt: string
  amountYuan: number | null
  termMonths: number | null
}

/** `handOff`: the answer of the hand-off last sent, for the product it was sent for. */
export function ProductsSection({ playerId, need, verdicts, canHandOff, handOff }: { playerId: number; need: LatestNeed | null; verdicts: (ProductVerdict & { name: string })[]; canHandOff: boolean; handOff: { product: string | undefined; errors?: FieldErrors; formError?: Message } | undefined }) {
  const t = useT()
  const tm = useTranslateMessage()
  const locale = useLocale()
  return (
    <section className="card" aria-labelledby="products">
      <h2 id="products">{t('product.title')}</h2>
      {need ? (
        <p className="muted">
          {t('product.needFrom', { date: chinaDay(need.visitedAt), amount: need.amountYuan !== null ? moneyText(need.amountYuan, locale) : '—' })}
        </p>
      ) : (
        <p className="muted">{t('product.noNeedYet')}</p>
      )}
      <ul className="verdicts">
        {verdicts.map((v) => (
          <li key={v.product} className={v.qualifies ? 'qualifies' : 'refused'} data-product={v.product}>
            <strong>{productLabel(t, v.product, v.name)}</strong>{' '}
            {v.qualifies ? (
              <span className="badge candidate-candidate">{t('product.qualifies', { amount: moneyText(v.amountYuan ?? 0, locale), limit: moneyText(v.limitYuan ?? 0, locale) })}</span>
            ) : (
              <span className="badge">{t('product.refused')}</span>
            )}
            {v.qualifies && canHandOff ? (
              // The hand-off in plain sight, its primary action a button (no disclosure to find it behind).
              <Form method="post" className="form-grid hand-off" aria-label={t('referral.handOff')}>
                <input type="hidden" name="intent" value="hand-off" />
                <input type="hidden" name="productCode" value={v.product} />
                <Field label={t('referral.amount')} name="amount" inputMode="decimal" defaultValue={String((v.amountYuan ?? 0) / 10_000)} errors={handOff?.product === v.product ? (handOff.errors?.amount ?? handOff.errors?.amountYuan) : undefined} />
                <Field label={t('visit.needTermMonths')} name="termMonths" inputMode="numeric" defaultValue={need?.termMonths ? String(need.termMonths) : ''} errors={handOff?.product === v.product ? handOff.errors?.termMonths : undefined} />
                {handOff?.product === v.product ? (
                  <div>
                    <FormErrorSummary errors={handOff.errors} formError={handOff.formError} />
                    {handOff.errors?.productCode ? <Link to={`/players/${playerId}/consent`}>{t('consent.signNow')}</Link> : null}
                  </div>
                ) : null}
                <button type="submit" className="primary">
                  {t('referral.handOffTo', { product: productLabel(t, v.product, v.name) })}
                </button>
              </Form>
            ) : null}
            <ul className="reasons">
              {v.reasons.map((r, i) => (
                <li key={i} className={r.ok ? 'ok' : 'failed'}>
                  {r.ok ? '✓ ' : '✗ '}
                  {tm(r.message)}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  )
}
