// Admin: the credit report authorisation text (征信查询授权书) officers show signers, and how
// many days a consent signed on it counts for. Each save is a new version, audited; earlier
// versions stay as they were, since signed consents point at the version they were signed on.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { ActionResult, ErrorList, Field } from '../components/field'
import { chinaTimeText } from '../domain/china-time'
import { consentTextSchema } from '../forms/consent'
import { parseForm, type FieldErrors } from '../forms/fields'
import { actorOf, requirePermission } from '../http/guards.server'
import { toFieldOrFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { listConsentTextVersions } from '../services/consents/find-consent-text.server'
import { saveConsentText } from '../services/consents/save-consent-text.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'products:manage')
  return { versions: await listConsentTextVersions(context.db) }
}

type ActionData = { errors?: FieldErrors; formError?: Message; done?: Message; values?: Record<string, string> }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'products:manage')
  const parsed = parseForm(await request.formData(), consentTextSchema)
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  try {
    const { version } = await saveConsentText(context.db, { actor: actorOf(user, context) }, parsed.data)
    return { done: { key: 'consentText.saved', params: { version } } } satisfies ActionData
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    return data<ActionData>({ errors, formError: formError ?? errors?._form?.[0], values: { body: parsed.data.body, validDays: String(parsed.data.validDays) } }, { status })
  }
}

export default function ConsentTextPage() {
  const t = useT()
  const { versions } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const [current, ...older] = versions
  return (
    <div className="stack">
      <h1>{t('consentText.title')}</h1>
      {current ? <p className="muted">{t('consentText.current', { version: current.version, days: current.validDays })}</p> : null}
      <ActionResult done={result?.done} formError={result?.formError} />
      {/* The key remounts the form after a save, so it shows the text now in force. */}
      <Form method="post" className="stack card" key={current?.version ?? 0}>
        <input type="hidden" name="expectedVersion" value={current?.version ?? ''} />
        <div className="field">
          <label htmlFor="consent-body">{t('consentText.body')}</label>
          <textarea
            id="consent-body"
            name="body"
            rows={14}
            required
            defaultValue={result?.values?.body ?? current?.body ?? ''}
            aria-invalid={result?.errors?.body ? true : undefined}
            aria-describedby={result?.errors?.body ? 'consent-body-error' : undefined}
          />
          <ErrorList id="consent-body-error" errors={result?.errors?.body} />
        </div>
        <Field label={t('consentText.validDays')} name="validDays" inputMode="numeric" required defaultValue={result?.values?.validDays ?? String(current?.validDays ?? 90)} errors={result?.errors?.validDays} />
        <button type="submit" className="primary">
          {t('consentText.save')}
        </button>
      </Form>
      {older.length ? (
        <section className="card" aria-labelledby="consent-history">
          <h2 id="consent-history">{t('consentText.history')}</h2>
          {older.map((v) => (
            <details key={v.version}>
              <summary>
                v{v.version} · {chinaTimeText(v.createdAt)} {v.createdBy ? `· ${v.createdBy}` : ''} · {v.validDays}
              </summary>
              <pre className="consent-text">{v.body}</pre>
            </details>
          ))}
        </section>
      ) : null}
    </div>
  )
}
