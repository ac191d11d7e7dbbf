// A user changes their own password: the current one required, the policy of
// domain/password-policy.ts checked in the browser and again on the server. The only page
// that works while a one-time password must be replaced.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState, type FormEvent } from 'react'
import { changePasswordSchema } from '../forms/account'
import { ActionResult, ErrorList, Field } from '../components/field'
import { MIN_PASSWORD_LENGTH } from '../domain/password-policy'
import { parseForm, parseValues, type FieldErrors } from '../forms/fields'
import { actorOf, requireUser } from '../http/guards.server'
import { toFieldOrFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { changeOwnPassword } from '../services/change-password.server'
import { FormErrorSummary } from '../components/form-error-summary'

export const meta: MetaFunction = () => [{ title: '修改密码 · 万企通' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  return { username: user.username, mustChange: user.mustChangePassword }
}

type ActionData = { errors?: FieldErrors; formError?: Message; done?: Message }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  const form = parseForm(await request.formData(), changePasswordSchema(user.username))
  if (!form.ok) return data<ActionData>({ errors: form.errors }, { status: 400 })
  try {
    await changeOwnPassword(context.db, { ...actorOf(user, context), id: user.id }, { sessionId: user.sessionId, ...form.data })
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    return data<ActionData>({ errors, formError }, { status })
  }
  // A first password chosen: on to the home page; else say it is done.
  if (user.mustChangePassword) throw redirect('/')
  return { done: { key: 'account.changed' } } satisfies ActionData
}

export default function ChangePassword() {
  const t = useT()
  const { username, mustChange } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const busy = useNavigation().state === 'submitting'
  // The same schema as the server's, before sending: errors at once, beside their fields.
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null)
  const check = (event: FormEvent<HTMLFormElement>) => {
    const values = Object.fromEntries([...new FormData(event.currentTarget)].map(([k, v]) => [k, String(v)]))
    const parsed = parseValues(values, changePasswordSchema(username))
    setClientErrors(parsed.ok ? null : parsed.errors)
    if (!parsed.ok) event.preventDefault()
  }
  const errors = clientErrors ?? result?.errors
  return (
    <section className="card narrow">
      <h1>{t('account.password.title')}</h1>
      {mustChange ? <p className="notice">{t('account.mustChange')}</p> : null}
      <ActionResult done={result?.done} />
      <Form method="post" className="stack" onSubmit={check}>
        <ErrorList errors={result?.formError ? [result.formError] : null} />
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <Field label={t('account.current')} name="current" type="password" autoComplete="current-password" required errors={errors?.current} />
        <Field label={t('account.newPassword')} name="password" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} errors={errors?.password} />
        <p className="muted">{t('account.policy', { min: MIN_PASSWORD_LENGTH })}</p>
        <Field label={t('account.confirm')} name="confirm" type="password" autoComplete="new-password" required errors={errors?.confirm} />
        <FormErrorSummary errors={errors} />
        <button type="submit" className="primary" disabled={busy}>
          {t('account.submit')}
        </button>
      </Form>
    </section>
  )
}
