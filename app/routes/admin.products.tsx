// Admin: the product catalogue the hand-off rules read (PRODUCT.md, "Qualifying for
// hand-off"). Each save is a new version, audited; new verdicts use it, referrals keep the
// verdict they were made with, and every player's flag is judged again in the background,
// with its progress shown here.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react'
import { useEffect } from 'react'
import { ActionResult, ErrorList, Field, SelectField } from '../components/field'
import { PLAYER_KINDS } from '../domain/market-player'
import type { ProductRules } from '../domain/products'
import type { FieldErrors } from '../forms/fields'
import { actorOf, requirePermission } from '../http/guards.server'
import { toFieldOrFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useLocale, useT } from '../i18n/use-t'
import { ACCEPTABLE_GRADES, parseProduct } from '../forms/product'
import { listProducts } from '../services/products/list-products.server'
import { saveProduct } from '../services/products/save-product.server'
import { qualificationState } from '../services/qualification.server'
import { chinaTimeText } from '../domain/china-time'
import { FormErrorSummary } from '../components/form-error-summary'
import { countText } from '../domain/number-text'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'products:manage')
  const [products, state] = await Promise.all([listProducts(context.db), qualificationState(context.db)])
  return {
    products,
    judging: {
      pending: state.stale === 1 || state.running_since !== null,
      done: state.done,
      total: state.total,
      finishedAt: state.finished_at,
    },
  }
}

type ActionData = {
  errors?: FieldErrors
  formError?: Message
  done?: Message
  code?: string
  values?: Record<string, string>
}

/** The form's fields as parseProduct reads them; checkboxes may repeat. */
function formValues(form: FormData): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const [key, value] of form) if (typeof value === 'string' && !(key in values)) values[key] = value
  values.playerKinds = form.getAll('playerKinds').map(String)
  values.taxGrades = form.getAll('taxGrades').map(String)
  return values
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'products:manage')
  const form = await request.formData()
  const code = String(form.get('code') ?? '')
  const parsed = parseProduct(formValues(form))
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, code, values: parsed.values }, { status: 400 })
  const expected = form.get('expectedVersion') ? Number(form.get('expectedVersion')) : null
  try {
    const { version } = await saveProduct(context.db, { actor: { ...actorOf(user, context), id: user.id } }, { rules: parsed.data, expectedVersion: expected })
    return {
      done: {
        key: 'productAdmin.saved',
        params: { product: parsed.data.name, version },
      },
      code,
    } satisfies ActionData
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    return data<ActionData>({ errors, formError, code }, { status })
  }
}

export default function Products() {
  const t = useT()
  const { products, judging } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const revalidator = useRevalidator()
  // While the players are judged again, the progress refreshes itself.
  useEffect(() => {
    if (!judging.pending) return
    const timer = setInterval(() => revalidator.state === 'idle' && revalidator.revalidate(), 2000)
    return () => clearInterval(timer)
  }, [judging.pending, revalidator])
  const share = judging.total > 0 ? judging.done / judging.total : 0
  return (
    <div className="stack">
      <h1>{t('productAdmin.title')}</h1>
      <p className="muted">{t('productAdmin.intro')}</p>
      <ActionResult done={result?.done} formError={result?.formError} />
      <div className="card" data-testid="judging">
        {judging.pending ? (
          <>
            <p>
              {judging.total > 0
                ? t('productAdmin.judging', {
                    done: countText(judging.done),
                    total: countText(judging.total),
                  })
                : t('productAdmin.judgingSoon')}
            </p>
            <progress max={1} value={share} aria-label={t('productAdmin.judgingLabel')} />
          </>
        ) : (
          <p className="muted">
            {judging.finishedAt
              ? t('productAdmin.judged', {
                  at: chinaTimeText(judging.finishedAt),
                })
              : t('productAdmin.judgingSoon')}
          </p>
        )}
      </div>
      {products.map((p) => (
        <section key={p.code} className="card stack" data-product={p.code}>
          <h2>
            {p.rules.name} <span className="muted small">{t('productAdmin.version', { code: p.code, version: p.version })}</span>
            {p.active ? null : <span className="badge">{t('productAdmin.inactive')}</span>}
          </h2>
          <ProductForm rules={p.rules} active={p.active} expectedVersion={p.version} result={result?.code === p.code ? result : undefined} />
          <details>
            <summary>{t('productAdmin.history')}</summary>
            <ul className="small">
              {p.history.map((h) => (
                <li key={h.version}>
                  v{h.version} · {h.name} · {chinaTimeText(h.at)} {h.by ? `· ${h.by}` : ''} {h.active ? '' : `· ${t('productAdmin.inactive')}`}
                </li>
              ))}
            </ul>
          </details>
        </section>
      ))}
      <details className="card" open={result?.code !== undefined && !products.some((p) => p.code === result.code)}>
        <summary>{t('productAdmin.new')}</summary>
        <ProductForm rules={null} active expectedVersion={null} result={result?.code !== undefined && !products.some((p) => p.code === result.code) ? result : undefined} />
      </details>
    </div>
  )
}

function ProductForm({ rules, active, expectedVersion, result }: { rules: ProductRules | null; active: boolean; expectedVersion: number | null; result?: ActionData }) {
  const t = useT()
  const locale = useLocale()
  const busy = useNavigation().state === 'submitting'
  const errors = result?.errors
  const kept = result?.values
  const wan = (yuan: number | null | undefined) => (yuan == null ? '' : String(yuan / 10_000))
  const value = (name: string, stored: string) => kept?.[name] ?? stored
  const numberField = (name: string, label: string, stored: string, inputMode: 'numeric' | 'decimal') => (
    <Field key={name} label={label} name={name} inputMode={inputMode} defaultValue={value(name, stored)} errors={errors?.[name]} />
  )
  const checked = (name: string, option: string, stored: readonly string[] | null) => (kept ? (kept[name] ?? '').split(',').includes(option) : (stored ?? []).includes(option))
  return (
    <Form method="post" className="stack" aria-label={rules?.name ?? t('productAdmin.new')}>
      {expectedVersion === null ? (
        <Field label={t('productAdmin.code')} name="code" required defaultValue={value('code', '')} errors={errors?.code} />
      ) : (
        <>
          <input type="hidden" name="code" value={rules!.code} />
          <input type="hidden" name="expectedVersion" value={expectedVersion} />
        </>
      )}
      <div className="form-grid">
        <Field label={t('productAdmin.name')} name="name" required maxLength={40} defaultValue={value('name', rules?.name ?? '')} errors={errors?.name} />
        <SelectField
          label={t('productAdmin.kind')}
          name="kind"
          defaultValue={value('kind', rules?.kind ?? 'credit')}
          errors={errors?.kind}
          options={[
            { value: 'credit', label: t('productAdmin.kind.credit') },
            { value: 'secured', label: t('productAdmin.kind.secured') },
          ]}
        />
        {numberField('minMonthsRegistered', t('productAdmin.minMonths'), rules?.minMonthsRegistered?.toString() ?? '', 'numeric')}
        {numberField('maxTermMonths', t('productAdmin.maxTerm'), rules?.maxTermMonths?.toString() ?? '', 'numeric')}
      </div>
      <fieldset>
        <legend>{t('productAdmin.playerKinds')}</legend>
        {PLAYER_KINDS.map((k) => (
          <label key={k} className="checkbox">
            <input type="checkbox" name="playerKinds" value={k} defaultChecked={checked('playerKinds', k, rules?.playerKinds ?? null)} /> {t(`kind.${k}`)}
          </label>
        ))}
        <ErrorList errors={errors?.playerKinds} />
      </fieldset>
      <fieldset>
        <legend>{t('productAdmin.taxGrades')}</legend>
        {ACCEPTABLE_GRADES.map((g) => (
          <label key={g} className="checkbox">
            <input type="checkbox" name="taxGrades" value={g} defaultChecked={checked('taxGrades', g, rules?.taxGrades ?? null)} /> {g}
          </label>
        ))}
        <ErrorList errors={errors?.taxGrades} />
      </fieldset>
      <fieldset>
        <legend>{t('productAdmin.limits')}</legend>
        <div className="form-grid">
          {numberField('limit', t('productAdmin.limitFlat'), wan(rules?.limitYuan), 'decimal')}
          {ACCEPTABLE_GRADES.map((g) => numberField(`limit${g}`, t('productAdmin.limitGrade', { grade: g }), wan(rules?.limitByGrade?.[g]), 'decimal'))}
        </div>
        <p className="muted small">
          {t('productAdmin.limitsHint', {
            example: (100).toLocaleString(locale),
          })}
        </p>
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" name="queriesCredit" value="1" defaultChecked={kept ? kept.queriesCredit === '1' : rules?.queriesCredit === true} /> {t('productAdmin.queriesCredit')}
      </label>
      <label className="checkbox">
        <input type="checkbox" name="active" value="1" defaultChecked={kept ? kept.active === '1' : active} /> {t('productAdmin.active')}
      </label>
      <ErrorList errors={errors?._form} />
      <FormErrorSummary errors={errors} />
      <button type="submit" className="primary" disabled={busy}>
        {expectedVersion === null ? t('productAdmin.create') : t('productAdmin.save')}
      </button>
    </Form>
  )
}
