// Admin: the organisation tree. Create, rename and move units; every change is audited.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import type { OrgUnitKind } from '../../db/schema'
import { ActionResult, ErrorList, Field, SelectField } from '../components/field'
import { choice, idField, msg, parseForm, requiredText, type FieldErrors } from '../forms/fields'
import { ORG_UNIT_KINDS } from '../domain/org-tree'
import { actorOf, requirePermission } from '../http/guards.server'
import { toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { createOrgUnit } from '../services/org-units/create-org-unit.server'
import { listOrgUnits } from '../services/org-units/find-org-units.server'
import { moveOrgUnit } from '../services/org-units/move-org-unit.server'
import { renameOrgUnit } from '../services/org-units/rename-org-unit.server'
import { FormErrorSummary } from '../components/form-error-summary'
import { CardTable } from '../components/card-table'

const code = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{1,20}$/, msg('validation.code'))

export const createSchema = z.object({
  intent: z.literal('create'),
  parentId: idField,
  kind: choice(ORG_UNIT_KINDS as [OrgUnitKind, ...OrgUnitKind[]]),
  code,
  name: requiredText(60),
})
export const renameSchema = z.object({ intent: z.literal('rename'), id: idField, name: requiredText(60) })
export const moveSchema = z.object({ intent: z.literal('move'), id: idField, parentId: idField })

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'org:manage')
  return { units: await listOrgUnits(context.db, { kind: 'all' }) }
}

type ActionData = { intent?: string; id?: number; errors?: FieldErrors; values?: Record<string, string>; formError?: Message; done?: Message }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'org:manage')
  const actor = actorOf(user, context)
  const formData = await request.formData()
  const intent = String(formData.get('intent'))
  const id = Number(formData.get('id')) || undefined
  const schema = intent === 'rename' ? renameSchema : intent === 'move' ? moveSchema : createSchema
  const form = parseForm(formData, schema)
  if (!form.ok) return data<ActionData>({ intent, id, errors: form.errors, values: form.values }, { status: 400 })
  try {
    const input = form.data
    if (input.intent === 'create') {
      const { intent: _, ...unit } = input
      await createOrgUnit(context.db, actor, unit)
      return { intent, done: { key: 'org.created', params: { name: input.name } } } satisfies ActionData
    }
    if (input.intent === 'rename') {
      await renameOrgUnit(context.db, { actor }, { id: input.id, name: input.name })
      return { intent, id, done: { key: 'org.renamed' } } satisfies ActionData
    }
    await moveOrgUnit(context.db, { actor }, { id: input.id, parentId: input.parentId })
    return { intent, id, done: { key: 'org.moved' } } satisfies ActionData
  } catch (error) {
    const { status, formError } = toFormError(error)
    return data<ActionData>({ intent, id, formError }, { status })
  }
}

export default function OrgUnits() {
  const { units } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const t = useT()
  const unitOptions = units.map((u) => ({ value: u.id, label: `${'　'.repeat(u.depth)}${u.name} (${u.code})` }))
  const forCreate = result?.intent === 'create' ? result : undefined
  return (
    <div className="stack">
      <h1>{t('org.title')}</h1>
      <p>
        <Link to="/admin/import/org">{t('nav.admin.import')}</Link>
      </p>
      <ActionResult done={result?.done} />

      <section className="card">
        <h2>{t('org.create')}</h2>
        <Form method="post" className="form-grid">
          <input type="hidden" name="intent" value="create" />
          <ErrorList errors={forCreate?.formError ? [forCreate.formError] : null} />
          <SelectField
            label={t('org.parent')}
            name="parentId"
            options={unitOptions}
            defaultValue={forCreate?.values?.parentId}
            errors={forCreate?.errors?.parentId}
          />
          <SelectField
            label={t('table.kind')}
            name="kind"
            options={ORG_UNIT_KINDS.filter((k) => k !== 'hq').map((k) => ({ value: k, label: t(`orgKind.${k}`) }))}
            defaultValue={forCreate?.values?.kind ?? 'outlet'}
            errors={forCreate?.errors?.kind}
          />
          <Field label={t('table.code')} name="code" required maxLength={20} defaultValue={forCreate?.values?.code} errors={forCreate?.errors?.code} />
          <Field label={t('table.name')} name="name" required maxLength={60} defaultValue={forCreate?.values?.name} errors={forCreate?.errors?.name} />
          <FormErrorSummary errors={forCreate?.errors} />
          <button type="submit" className="primary">
            {t('org.create')}
          </button>
        </Form>
      </section>

      <section className="card">
        <CardTable
          rows={units}
          rowKey={(u) => u.id}
          rowProps={(u) => ({ 'data-code': u.code })}
          columns={[
            { header: t('table.name'), title: true, cellProps: (u) => ({ style: { paddingInlineStart: `${0.5 + u.depth}rem` } }), cell: (u) => u.name },
            { header: t('table.code'), cell: (u) => u.code },
            { header: t('table.kind'), cell: (u) => t(`orgKind.${u.kind}`) },
            {
              header: t('table.actions'),
              cell: (u) => {
                const mine = result?.id === u.id ? result : undefined
                return (
                <details open={Boolean(mine?.errors || mine?.formError)}>
                  <summary>{t('users.edit')}</summary>
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="intent" value="rename" />
                    <input type="hidden" name="id" value={u.id} />
                    <Field label={t('org.rename')} name="name" defaultValue={u.name} required maxLength={60} errors={mine?.intent === 'rename' ? mine.errors?.name : null} />
                    <button type="submit">{t('common.save')}</button>
                  </Form>
                  {u.parentId !== null ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="move" />
                      <input type="hidden" name="id" value={u.id} />
                      <SelectField label={t('org.moveTo')} name="parentId" options={unitOptions} defaultValue={u.parentId} />
                      <button type="submit">{t('org.move')}</button>
                    </Form>
                  ) : null}
                  <ErrorList errors={mine?.formError ? [mine.formError] : null} />
                </details>
                )
              },
            },
          ]}
        />
      </section>
    </div>
  )
}
