// Admin: the list of users, with a filter and the form to add one.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ActionResult, ErrorList, Field, SelectField } from '../components/field'
import { MIN_PASSWORD_LENGTH, choice, idField, msg, parseForm, passwordField, requiredText, type FieldErrors } from '../forms/fields'
import { ROLES, isRole } from '../domain/roles'
import { actorOf, requirePermission } from '../http/guards.server'
import { toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { listOrgUnits } from '../services/org-units/find-org-units.server'
import { createUser } from '../services/users/create-user.server'
import { countUsers, listUsers } from '../services/users/list-users.server'
import { FormErrorSummary } from '../components/form-error-summary'
import { CardTable } from '../components/card-table'

// A page of a bank's staff: a few screens on a phone; the total says how many there are.
const USERS_PAGE_SIZE = 50

export const createUserSchema = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{2,40}$/, msg('validation.username')),
  name: requiredText(40),
  role: choice(ROLES),
  orgUnitId: idField,
  password: passwordField,
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'users:manage')
  const params = new URL(request.url).searchParams
  const role = params.get('role')
  const orgUnitId = Number(params.get('org')) || undefined
  const filter = { q: params.get('q') ?? undefined, role: isRole(role) ? role : undefined, orgUnitId }
  const requested = Math.max(1, Math.floor(Number(params.get('page')) || 1))
  const total = await countUsers(context.db, { kind: 'all' }, filter)
  const pages = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE))
  const page = Math.min(requested, pages)
  const [users, units] = await Promise.all([
    listUsers(context.db, { kind: 'all' }, { ...filter, limit: USERS_PAGE_SIZE, offset: (page - 1) * USERS_PAGE_SIZE }),
    listOrgUnits(context.db, { kind: 'all' }),
  ])
  return { users, units, filter, total, page, pages }
}

type ActionData = { errors?: FieldErrors; values?: Record<string, string>; formError?: Message; done?: Message }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'users:manage')
  const form = parseForm(await request.formData(), createUserSchema)
  if (!form.ok) return data<ActionData>({ errors: form.errors, values: form.values }, { status: 400 })
  try {
    await createUser(context.db, actorOf(user, context), { ...form.data, oneTimePassword: true })
    return { done: { key: 'users.created', params: { username: form.data.username } } } satisfies ActionData
  } catch (error) {
    const { status, formError } = toFormError(error)
    const { password: _, ...values } = form.data
    return data<ActionData>({ formError, values: { ...values, orgUnitId: String(values.orgUnitId) } }, { status })
  }
}

export default function Users() {
  const { users, units, filter, total, page, pages } = useLoaderData<typeof loader>()
  const pageLink = (n: number) => {
    const params = new URLSearchParams()
    if (filter.q) params.set('q', filter.q)
    if (filter.role) params.set('role', filter.role)
    if (filter.orgUnitId) params.set('org', String(filter.orgUnitId))
    if (n > 1) params.set('page', String(n))
    const search = params.toString()
    return `/admin/users${search ? `?${search}` : ''}`
  }
  const result = useActionData<typeof action>() as ActionData | undefined
  const t = useT()
  const unitOptions = units.map((u) => ({ value: u.id, label: `${'　'.repeat(u.depth)}${u.name}` }))
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))
  return (
    <div className="stack">
      <h1>{t('users.title')}</h1>
      <ActionResult done={result?.done} />

      <section className="card">
        <Form method="get" className="form-grid" aria-label={t('users.filter')}>
          <Field label={t('users.search')} name="q" type="search" defaultValue={filter.q ?? ''} />
          <SelectField label={t('table.role')} name="role" defaultValue={filter.role ?? ''} options={[{ value: '', label: t('users.all') }, ...roleOptions]} />
          <SelectField label={t('table.orgUnit')} name="org" defaultValue={filter.orgUnitId ?? ''} options={[{ value: '', label: t('users.all') }, ...unitOptions]} />
          <button type="submit">{t('common.search')}</button>
        </Form>
        <p id="users-total">
          {t('users.total', { count: total })} · {t('users.pageOf', { page, pages })}
        </p>
        <CardTable
          rows={users}
          rowKey={(u) => u.id}
          columns={[
            { header: t('table.username'), title: true, cell: (u) => <Link to={`/admin/users/${u.id}`}>{u.username}</Link> },
            { header: t('users.name'), cell: (u) => u.name },
            { header: t('table.role'), cell: (u) => t(`role.${u.role}`) },
            { header: t('table.orgUnit'), cell: (u) => u.orgName },
            { header: t('table.status'), cell: (u) => `${u.active ? t('status.active') : t('status.inactive')}${u.mustChangePassword ? ` · ${t('users.mustChange')}` : ''}` },
          ]}
        />
        {pages > 1 ? (
          <nav className="pager" aria-label={t('audit.pages')}>
            {page > 1 ? <Link to={pageLink(page - 1)} rel="prev">{t('users.prevPage')}</Link> : null}
            {page < pages ? <Link to={pageLink(page + 1)} rel="next">{t('users.nextPage')}</Link> : null}
          </nav>
        ) : null}
        <p>
          <Link to="/admin/import/staff">{t('hr.staffTitle')}</Link> · <Link to="/admin/import/org">{t('hr.orgTitle')}</Link>
        </p>
      </section>

      <section className="card">
        <h2>{t('users.create')}</h2>
        <Form method="post" className="form-grid">
          <ErrorList errors={result?.formError ? [result.formError] : null} />
          <Field label={t('table.username')} name="username" required autoCapitalize="none" defaultValue={result?.values?.username} errors={result?.errors?.username} />
          <Field label={t('users.name')} name="name" required maxLength={40} defaultValue={result?.values?.name} errors={result?.errors?.name} />
          <SelectField label={t('table.role')} name="role" options={roleOptions} defaultValue={result?.values?.role ?? 'officer'} errors={result?.errors?.role} />
          <SelectField label={t('table.orgUnit')} name="orgUnitId" options={unitOptions} defaultValue={result?.values?.orgUnitId} errors={result?.errors?.orgUnitId} />
          <Field label={t('users.password')} name="password" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} errors={result?.errors?.password} />
          <p className="muted">{t('users.oneTimeHint')}</p>
          <FormErrorSummary errors={result?.errors} />
          <button type="submit" className="primary">
            {t('users.create')}
          </button>
        </Form>
      </section>
    </div>
  )
}
