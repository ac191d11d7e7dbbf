// Admin: the rules a visit must meet to count (PRODUCT.md "Valid visits"): a storefront photo
// for on-site visits, the check-in radius, whether phone and video visits count for
// households and for enterprises. Each save is a new version (the table below is the
// history), audited.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { ActionResult, ErrorList, Field } from '../components/field'
import { FormErrorSummary } from '../components/form-error-summary'
import { chinaTimeText } from '../domain/china-time'
import { parseForm, type FieldErrors } from '../forms/fields'
import { MAX_RADIUS_M, MIN_RADIUS_M, visitRulesSchema } from '../forms/visit-rules'
import { actorOf, requirePermission } from '../http/guards.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { listVisitRuleVersions } from '../services/visit-rules/find-visit-rules.server'
import { saveVisitRules } from '../services/visit-rules/save-visit-rules.server'
import { CardTable } from '../components/card-table'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'visit-rules:manage')
  return { versions: await listVisitRuleVersions(context.db) }
}

type ActionData = { errors?: FieldErrors; done?: Message }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'visit-rules:manage')
  const parsed = parseForm(await request.formData(), visitRulesSchema)
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors }, { status: 400 })
  const saved = await saveVisitRules(context.db, { actor: actorOf(user, context) }, parsed.data)
  return { done: saved.changed ? { key: 'visitRules.saved', params: { version: saved.version } } : { key: 'visitRules.unchanged' } } satisfies ActionData
}

export default function VisitRules() {
  const t = useT()
  const { versions } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  const current = versions[0].rules
  const yesNo = (b: boolean) => t(b ? 'common.yes' : 'common.no')
  return (
    <div className="stack">
      <h1>{t('visitRules.title')}</h1>
      <p className="muted">{t('visitRules.intro')}</p>
      <ActionResult done={result?.done} />
      <FormErrorSummary errors={result?.errors} />
      {/* Keyed by version: after a save the fields show what is now in force. */}
      <Form method="post" className="card stack" key={versions[0].version}>
        <label className="checkbox">
          <input type="checkbox" name="photoRequired" defaultChecked={current.photoRequired} /> {t('visitRules.photoRequired')}
        </label>
        <ErrorList errors={result?.errors?.photoRequired} />
        <Field
          label={t('visitRules.radius')}
          name="radiusMetres"
          type="number"
          inputMode="numeric"
          min={MIN_RADIUS_M}
          max={MAX_RADIUS_M}
          step={1}
          required
          defaultValue={current.radiusMetres}
          errors={result?.errors?.radiusMetres}
        />
        <label className="checkbox">
          <input type="checkbox" name="remoteHouseholds" defaultChecked={current.remoteCountsFor.household} /> {t('visitRules.remoteHouseholds')}
        </label>
        <label className="checkbox">
          <input type="checkbox" name="remoteEnterprises" defaultChecked={current.remoteCountsFor.enterprise} /> {t('visitRules.remoteEnterprises')}
        </label>
        <div>
          <button type="submit">{t('common.save')}</button>
        </div>
      </Form>
      <h2>{t('visitRules.history')}</h2>
      <CardTable
        rows={versions}
        rowKey={(v) => v.version}
        rowProps={(v) => ({ 'data-testid': `rules-version-${v.version}` })}
        wrapClassName="table-scroll"
        columns={[
          { header: t('visitRules.version'), title: true, cell: (v) => v.version },
          { header: t('visitRules.setAt'), cell: (v) => chinaTimeText(v.setAt) },
          { header: t('visitRules.setBy'), cell: (v) => v.setByName ?? '—' },
          {
            header: t('visitRules.rules'),
            cell: (v) =>
              t('visitRules.summary', {
                photo: yesNo(v.rules.photoRequired),
                radius: v.rules.radiusMetres,
                households: yesNo(v.rules.remoteCountsFor.household),
                enterprises: yesNo(v.rules.remoteCountsFor.enterprise),
              }),
          },
        ]}
      />
    </div>
  )
}
