// The bank's one-time set-up from the browser, through the link the server printed on its
// console. Without the link (or once set up) the page only says how to begin, or that it is done.
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { setupSchema } from '../forms/account'
import { ErrorList, Field } from '../components/field'
import { parseForm, type FieldErrors } from '../forms/fields'
import { toFieldOrFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { checkSetupLink, isSetUpNeeded, setUpBank } from '../services/setup.server'
import { FormErrorSummary } from '../components/form-error-summary'

export const meta: MetaFunction = () => [{ title: '开通银行 · 万企通' }]

// The answer to the set-up carries a one-time password: no cache may keep it.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'no-store' })

export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get('token') ?? ''
  if (!(await isSetUpNeeded(context.db))) return { state: 'done' as const, token: '' }
  if (token === '') return { state: 'howToBegin' as const, token: '' }
  const state = await checkSetupLink(context.db, token)
  return { state, token: state === 'valid' ? token : '' }
}

type ActionData = {
  errors?: FieldErrors
  values?: Record<string, string>
  formError?: Message
  done?: { username: string; password: string }
  alreadyDone?: boolean
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (!(await isSetUpNeeded(context.db))) return data<ActionData>({ alreadyDone: true }, { status: 409 })
  const form = parseForm(await request.formData(), setupSchema)
  if (!form.ok) return data<ActionData>({ errors: form.errors, values: form.values }, { status: 400 })
  const { token, ...input } = form.data
  try {
    const result = await setUpBank(context.db, { ...input, token, via: 'link', ip: context.clientIp })
    if (result.status === 'alreadySetUp') return data<ActionData>({ alreadyDone: true }, { status: 409 })
    return { done: { username: result.adminUsername, password: result.initialPassword } } satisfies ActionData
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    return data<ActionData>({ errors, formError, values: { ...input, token } }, { status })
  }
}

export default function Setup() {
  const t = useT()
  const { state, token } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const busy = useNavigation().state === 'submitting'
  if (result?.done) {
    return (
      <section className="card narrow">
        <h1>{t('setup.title')}</h1>
        <p>{t('setup.done', { username: result.done.username })}</p>
        <p>
          <code id="initial-password" className="secret">
            {result.done.password}
          </code>
        </p>
        <p>{t('setup.signInNext')}</p>
        <p>
          <a href="/login" className="button-link primary">
            {t('setup.goSignIn')}
          </a>
        </p>
      </section>
    )
  }
  if (state === 'done' || result?.alreadyDone) {
    return (
      <section className="card narrow">
        <h1>{t('setup.title')}</h1>
        <p className="notice">{t('setup.alreadyDone')}</p>
        <p>
          <a href="/login">{t('setup.goSignIn')}</a>
        </p>
      </section>
    )
  }
  if (state !== 'valid') {
    return (
      <section className="card narrow">
        <h1>{t('setup.title')}</h1>
        {state === 'invalid' ? <ErrorList errors={[{ key: 'setup.linkInvalid' }]} /> : null}
        <p>{t('setup.howToBegin')}</p>
      </section>
    )
  }
  return (
    <section className="card narrow">
      <h1>{t('setup.title')}</h1>
      <p className="muted">{t('setup.intro')}</p>
      <Form method="post" className="stack">
        <input type="hidden" name="token" value={token} />
        <ErrorList errors={result?.formError ? [result.formError] : null} />
        <Field label={t('setup.bankName')} name="bankName" required maxLength={60} defaultValue={result?.values?.bankName} errors={result?.errors?.bankName} />
        <Field label={t('setup.headOfficeCode')} name="headOfficeCode" required maxLength={20} autoCapitalize="characters" defaultValue={result?.values?.headOfficeCode} errors={result?.errors?.headOfficeCode} />
        <Field label={t('setup.adminUsername')} name="adminUsername" required maxLength={40} autoCapitalize="none" autoComplete="off" defaultValue={result?.values?.adminUsername} errors={result?.errors?.adminUsername} />
        <Field label={t('setup.adminName')} name="adminName" required maxLength={40} defaultValue={result?.values?.adminName} errors={result?.errors?.adminName} />
        <FormErrorSummary errors={result?.errors} />
        <button type="submit" className="primary" disabled={busy}>
          {t('setup.submit')}
        </button>
      </Form>
    </section>
  )
}
