// Admin: the bearer tokens machines use: the loan system reporting stages, the bank's BI
// tools reading the figures (of the whole bank or one org unit), or a bank's tool handing
// off and looking players up as one user (integration). A new token is shown once; only its
// hash is kept. Revoking takes effect at the next request.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ActionResult, Field, SelectField } from '../components/field'
import { AppError } from '../domain/app-error'
import { idField, optionalText, parseForm, requiredText, type FieldErrors } from '../forms/fields'
import { actorOf, requirePermission } from '../http/guards.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { TOKEN_PURPOSES } from '../domain/api-tokens'
import { createApiToken } from '../services/api-tokens/create-api-token.server'
import { listApiTokens } from '../services/api-tokens/list-api-tokens.server'
import { revokeApiToken } from '../services/api-tokens/revoke-api-token.server'
import { listOrgUnits } from '../services/org-units/find-org-units.server'
import { chinaTimeText } from '../domain/china-time'
import { FormErrorSummary } from '../components/form-error-summary'
import { IntentButton } from '../components/intent-button'
import { CardTable } from '../components/card-table'

const createSchema = z.object({
  intent: z.literal('create'),
  name: requiredText(80),
  purpose: z.enum(TOKEN_PURPOSES).default('loan_events'),
  orgUnitId: z.preprocess((v) => (v === '' || v === undefined ? null : v), idField.nullable()),
  actsFor: optionalText(40),
  platform: optionalText(100),
})
const revokeSchema = z.object({ intent: z.literal('revoke'), id: idField })

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'integrations:manage')
  const [tokens, units] = await Promise.all([listApiTokens(context.db), listOrgUnits(context.db, { kind: 'all' })])
  return { tokens, units: units.map((u) => ({ id: u.id, name: u.name, depth: u.depth })) }
}

type ActionData = { errors?: FieldErrors; done?: Message; token?: string }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'integrations:manage')
  const form = await request.formData()
  if (form.get('intent') === 'revoke') {
    const parsed = parseForm(form, revokeSchema)
    if (!parsed.ok) return data<ActionData>({ errors: parsed.errors }, { status: 400 })
    await revokeApiToken(context.db, { actor: actorOf(user, context) }, { id: parsed.data.id })
    return { done: { key: 'token.revoked' } } satisfies ActionData
  }
  const parsed = parseForm(form, createSchema)
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors }, { status: 400 })
  try {
    const { token } = await createApiToken(context.db, { actor: actorOf(user, context) }, { name: parsed.data.name, purpose: parsed.data.purpose, orgUnitId: parsed.data.orgUnitId, actsFor: parsed.data.actsFor, platform: parsed.data.platform })
    return { done: { key: 'token.created' }, token } satisfies ActionData
  } catch (error) {
    if (error instanceof AppError && error.messageKey === 'token.userNeeded') return data<ActionData>({ errors: { actsFor: [{ key: 'token.userNeeded' }] } }, { status: 400 })
    if (error instanceof AppError && error.messageKey === 'token.platformNeeded') return data<ActionData>({ errors: { platform: [{ key: 'token.platformNeeded' }] } }, { status: 400 })
    throw error
  }
}

export default function Tokens() {
  const t = useT()
  const { tokens, units } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  return (
    <div className="stack">
      <h1>{t('token.title')}</h1>
      <p className="muted">{t('token.intro')}</p>
      <ActionResult done={result?.done} />
      {result?.token ? (
        <p className="card" data-testid="new-token">
          {t('token.showOnce')} <code>{result.token}</code>
        </p>
      ) : null}
      <Form method="post" className="card inline-form">
        <input type="hidden" name="intent" value="create" />
        <Field label={t('token.name')} name="name" required maxLength={80} errors={result?.errors?.name} />
        <SelectField label={t('token.purpose')} name="purpose" options={TOKEN_PURPOSES.map((p) => ({ value: p, label: t(`token.purpose.${p}`) }))} errors={result?.errors?.purpose} />
        <SelectField
          label={t('token.scope')}
          name="orgUnitId"
          options={[{ value: '', label: t('token.scope.bank') }, ...units.map((u) => ({ value: u.id, label: `${'\u00a0'.repeat(u.depth * 2)}${u.name}` }))]}
          errors={result?.errors?.orgUnitId}
        />
        <Field label={t('token.user')} name="actsFor" maxLength={40} errors={result?.errors?.actsFor} />
        <Field label={t('token.platform')} name="platform" maxLength={100} errors={result?.errors?.platform} />
        <FormErrorSummary errors={result?.errors} />
        <button type="submit" className="primary">
          {t('token.create')}
        </button>
      </Form>
      <CardTable
        rows={tokens}
        rowKey={(k) => k.id}
        rowProps={(k) => ({ 'data-token': k.name })}
        wrapClassName="table-wrap card"
        empty={t('token.none')}
        emptyTestId="no-tokens"
        columns={[
          { header: t('token.name'), title: true, cell: (k) => k.name },
          {
            header: t('token.purpose'),
            cell: (k) =>
              `${t(`token.purpose.${k.purpose}`)}${k.purpose === 'figures_read' ? ` · ${k.orgName ?? t('token.scope.bank')}` : ''}${k.purpose === 'integration' ? ` · ${k.actsFor ?? '—'}` : ''}${k.purpose === 'platform_feedback' ? ` · ${k.platform ?? '—'} · ${k.orgName ?? t('token.scope.bank')}` : ''}`,
          },
          { header: t('token.createdAt'), cell: (k) => `${chinaTimeText(k.createdAt)} ${k.createdBy ? `· ${k.createdBy}` : ''}` },
          { header: t('token.state'), cell: (k) => (k.revokedAt ? t('token.revokedAt', { at: chinaTimeText(k.revokedAt) }) : t('token.live')) },
          {
            header: '',
            label: false,
            cell: (k) =>
              k.revokedAt ? null : (
                <IntentButton intent="revoke" fields={{ id: k.id }} className="link-button danger">
                  {t('token.revoke')}
                </IntentButton>
              ),
          },
        ]}
      />
    </div>
  )
}
