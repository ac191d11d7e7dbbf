import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { Field } from '../components/field'
import { FormErrorSummary } from '../components/form-error-summary'
import type { FieldErrors } from '../forms/fields'
import { getUser, safeRedirectTarget, sessionCookie } from '../http/guards.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { signIn } from '../services/sessions.server'

/** The officer's page: it hydrates with the field part of the messages (i18n/message-parts.ts). */
export const handle = { messages: 'field' }

export const meta: MetaFunction = () => [{ title: '登录 · 万企通' }]

// A throttled sign-in tells the client when it may try again.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get('Retry-After')
  return retryAfter ? { 'Retry-After': retryAfter } : new Headers()
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context)
  if (user) throw redirect(safeRedirectTarget(new URL(request.url).searchParams.get('redirectTo')))
  return { signedOut: new URL(request.url).searchParams.has('signedOut') }
}

type ActionData = { errors?: FieldErrors; formError?: Message; values?: Record<string, string> }

export async function action({ request, context }: ActionFunctionArgs) {
  // Imported here: the page's browser bundle stays without zod (forms/sign-in.ts).
  const { parseSignIn } = await import('../forms/sign-in')
  const form = parseSignIn(await request.formData())
  if (!form.ok) return data<ActionData>({ errors: form.errors, values: form.values }, { status: 400 })
  const result = await signIn(
    context.db,
    {
      username: form.data.username,
      password: form.data.password,
      ip: context.clientIp,
      userAgent: request.headers.get('User-Agent'),
    },
    context.config,
  )
  const values = { username: form.data.username }
  if (!result.ok && result.reason === 'throttled') {
    const minutes = Math.ceil(result.retryAfterSeconds / 60)
    return data<ActionData>(
      { formError: { key: 'login.throttled', params: { minutes } }, values },
      { status: 429, headers: { 'Retry-After': String(result.retryAfterSeconds) } },
    )
  }
  if (!result.ok) return data<ActionData>({ formError: { key: 'login.invalid' }, values }, { status: 401 })
  return redirect(safeRedirectTarget(form.data.redirectTo), {
    headers: { 'Set-Cookie': await sessionCookie(request, context.config.sessionSecret).serialize(result.token) },
  })
}

export default function Login() {
  const t = useT()
  const { signedOut } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>() as ActionData | undefined
  const [params] = useSearchParams()
  const busy = useNavigation().state === 'submitting'
  // Wrong credentials: both fields are marked, and the summary at the button focuses the first.
  const wrong = actionData?.formError?.key === 'login.invalid' ? true : undefined
  return (
    <section className="card narrow">
      <h1>{t('login.title')}</h1>
      <p className="muted">{t('app.tagline')}</p>
      {signedOut && !actionData ? <p className="notice">{t('login.signedOut')}</p> : null}
      <Form method="post" className="stack" noValidate={false}>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? '/'} />
        <Field
          label={t('login.username')}
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          required
          maxLength={40}
          defaultValue={actionData?.values?.username ?? ''}
          errors={actionData?.errors?.username}
          aria-invalid={wrong ?? (actionData?.errors?.username ? true : undefined)}
        />
        <Field
          label={t('login.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          errors={actionData?.errors?.password}
          aria-invalid={wrong ?? (actionData?.errors?.password ? true : undefined)}
        />
        <FormErrorSummary errors={actionData?.errors} formError={actionData?.formError} />
        <button type="submit" className="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </Form>
    </section>
  )
}
