// Admin: one user. Change name, role and org unit; deactivate or reactivate; reset password;
// sign them out everywhere; let them sign in again at once after failed tries slowed them.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ActionResult, Field, SelectField } from '../components/field'
import { MIN_PASSWORD_LENGTH, choice, idField, parseForm, passwordField, requiredText, type FieldErrors } from '../forms/fields'
import { ROLES } from '../domain/roles'
import { actorOf, notFound, requirePermission } from '../http/guards.server'
import { idParam, toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { findAuditEntries } from '../services/audit.server'
import { listOrgUnits } from '../services/org-units/find-org-units.server'
import { countSessionsOfUser } from '../services/sessions.server'
import { findSignInHold, unlockSignIn } from '../services/sign-in-unlock.server'
import { endUserSessions } from '../services/users/end-user-sessions.server'
import { getUser } from '../services/users/get-user.server'
import { resetPassword } from '../services/users/reset-password.server'
import { setUserActive } from '../services/users/set-user-active.server'
import { updateUser } from '../services/users/update-user.server'
import { chinaTimeText } from '../domain/china-time'
import { FormErrorSummary } from '../components/form-error-summary'

export const updateSchema = z.object({ intent: z.literal('update'), name: requiredText(40), role: choice(ROLES), orgUnitId: idField })
export const activeSchema = z.object({ intent: z.enum(['deactivate', 'reactivate']) })
export const passwordSchema = z.object({ intent: z.literal('password'), password: passwordField })

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'users:manage')
  const id = idParam(params.id)
  const user = await getUser(context.db, { scope: { kind: 'all' } }, { id })
  if (!user) throw notFound()
  const [units, history, sessions, signInHold] = await Promise.all([
    listOrgUnits(context.db, { kind: 'all' }),
    findAuditEntries(context.db, { entityType: 'user', entityId: String(id), limit: 20 }),
    countSessionsOfUser(context.db, id),
    findSignInHold(context.db, user.username),
  ])
  return { user, units, history, sessions, signInHold }
}

type ActionData = { intent?: string; errors?: FieldErrors; values?: Record<string, string>; formError?: Message; done?: Message }

export async function action({ request, context, params }: ActionFunctionArgs) {
  const admin = await requirePermission(request, context, 'users:manage')
  const id = idParam(params.id)
  const target = await getUser(context.db, { scope: { kind: 'all' } }, { id })
  if (!target) throw notFound()
  const actor = actorOf(admin, context)
  const formData = await request.formData()
  const intent = String(formData.get('intent'))
  try {
    if (intent === 'update') {
      const form = parseForm(formData, updateSchema)
      if (!form.ok) return data<ActionData>({ intent, errors: form.errors, values: form.values }, { status: 400 })
      await updateUser(context.db, { actor }, { id, ...form.data })
      return { intent, done: { key: 'users.saved' } } satisfies ActionData
    }
    if (intent === 'end_sessions') {
      const ended = await endUserSessions(context.db, { actor }, { id })
      return { intent, done: { key: 'users.sessionsEnded', params: { count: ended } } } satisfies ActionData
    }
    if (intent === 'unlock_sign_in') {
      const pairs = await unlockSignIn(context.db, actor, { id, username: target.username })
      return { intent, done: { key: 'users.signInUnlocked', params: { count: pairs } } } satisfies ActionData
    }
    if (intent === 'password') {
      const form = parseForm(formData, passwordSchema)
      if (!form.ok) return data<ActionData>({ intent, errors: form.errors }, { status: 400 })
      await resetPassword(context.db, { actor }, { id, password: form.data.password })
      return { intent, done: { key: 'users.passwordReset' } } satisfies ActionData
    }
    const form = parseForm(formData, activeSchema)
    if (!form.ok) return data<ActionData>({ intent, formError: { key: 'error.badRequest' } }, { status: 400 })
    const active = form.data.intent === 'reactivate'
    await setUserActive(context.db, { actor }, { id, active })
    return { intent, done: { key: active ? 'users.reactivated' : 'users.deactivated' } } satisfies ActionData
  } catch (error) {
    const { status, formError } = toFormError(error)
    return data<ActionData>({ intent, formError }, { status })
  }
}

export default function UserPage() {
  const { user, units, history, sessions, signInHold } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const t = useT()
  const values = result?.intent === 'update' ? result.values : undefined
  return (
    <div className="stack">
      <p>
        <Link to="/admin/users">← {t('users.title')}</Link>
      </p>
      <h1>
        {user.name} <small className="muted">{user.username}</small>
      </h1>
      <ActionResult done={result?.done} formError={result?.formError} />
      <p>
        {t('table.status')}: <strong>{user.active ? t('status.active') : t('status.inactive')}</strong>
        {user.mustChangePassword ? ` · ${t('users.mustChange')}` : ''}
        {user.employeeNumber ? ` · ${t('users.employeeNumber')}: ${user.employeeNumber}` : ''}
      </p>

      <section className="card">
        <h2>{t('users.edit')}</h2>
        <Form method="post" className="form-grid">
          <input type="hidden" name="intent" value="update" />
          <Field label={t('users.name')} name="name" required maxLength={40} defaultValue={values?.name ?? user.name} errors={result?.errors?.name} />
          <SelectField label={t('table.role')} name="role" defaultValue={values?.role ?? user.role} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} errors={result?.errors?.role} />
          <SelectField
            label={t('table.orgUnit')}
            name="orgUnitId"
            defaultValue={values?.orgUnitId ?? user.orgUnitId}
            options={units.map((u) => ({ value: u.id, label: `${'　'.repeat(u.depth)}${u.name}` }))}
            errors={result?.errors?.orgUnitId}
          />
          <FormErrorSummary errors={result?.intent === 'update' ? result.errors : null} />
          <button type="submit" className="primary">
            {t('users.save')}
          </button>
        </Form>
      </section>

      <section className="card">
        <h2>{t('users.resetPassword')}</h2>
        <Form method="post" className="form-grid">
          <input type="hidden" name="intent" value="password" />
          <Field label={t('users.newPassword')} name="password" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} errors={result?.intent === 'password' ? result.errors?.password : null} />
          <p className="muted">{t('users.oneTimeHint')}</p>
          <button type="submit">{t('users.resetPassword')}</button>
        </Form>
      </section>

      <section className="card">
        <h2>{t('users.signInHold')}</h2>
        <p data-testid="sign-in-hold">{t('users.signInHoldLine', { failures: signInHold.failures, pairs: signInHold.pairs, seconds: signInHold.longestWaitSeconds })}</p>
        <Form method="post">
          <input type="hidden" name="intent" value="unlock_sign_in" />
          <button type="submit" disabled={signInHold.pairs === 0}>
            {t('users.unlockSignIn')}
          </button>
        </Form>
      </section>

      <section className="card">
        <h2>{t('users.sessions')}</h2>
        <p data-testid="sessions">{t('users.sessionsOpen', { count: sessions })}</p>
        <Form method="post">
          <input type="hidden" name="intent" value="end_sessions" />
          <button type="submit" disabled={sessions === 0}>
            {t('users.endSessions')}
          </button>
        </Form>
      </section>

      <section className="card">
        <Form method="post">
          <input type="hidden" name="intent" value={user.active ? 'deactivate' : 'reactivate'} />
          <button type="submit" className={user.active ? 'danger' : 'primary'}>
            {user.active ? t('users.deactivate') : t('users.reactivate')}
          </button>
        </Form>
      </section>

      <section className="card">
        <h2>{t('users.history')}</h2>
        <ul className="audit">
          {history.map((h) => (
            <li key={h.id}>
              <time dateTime={h.at}>{chinaTimeText(h.at, { seconds: true })}</time> · {h.actor_username ?? '—'} · {h.action}
            </li>
          ))}
        </ul>
      </section>
    </div>
  )
}
