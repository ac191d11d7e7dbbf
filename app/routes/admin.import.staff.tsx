// Admin: the staff from the HR system's export. "Preview" checks every row and writes
// nothing; "Import" checks again and writes all of it in one transaction, or nothing. New
// users' one-time passwords are in this one answer only.
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation } from '@remix-run/react'
import { FormErrorSummary } from '../components/form-error-summary'
import { HrImportResult } from '../components/hr-import-result'
import { requirePermission } from '../http/guards.server'
import { hrImportAction } from '../http/hr-upload.server'
import { SPREADSHEET_ACCEPT } from '../forms/fields'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { importStaff, type StaffImportResult } from '../services/hr-import/import-staff.server'

export const meta: MetaFunction = () => [{ title: '导入员工 · 万企通' }]

// The answer to an import may carry one-time passwords: no cache may keep it.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'no-store' })

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'users:manage')
  return null
}

type ActionData = { formError?: Message; result?: StaffImportResult }

export async function action({ request, context }: ActionFunctionArgs) {
  return hrImportAction(request, context, 'users:manage', (actor, input) =>
    importStaff(context.db, actor, context.pii, {
      filePath: input.filePath,
      fileName: input.fileName,
      apply: input.apply,
      deactivateMissing: input.fields.deactivateMissing === 'on',
    }),
  )
}

export default function ImportStaff() {
  const t = useT()
  const answer = useActionData<typeof action>() as ActionData | undefined
  const busy = useNavigation().state === 'submitting'
  return (
    <div className="stack">
      <h1>{t('hr.staffTitle')}</h1>
      <section className="card stack">
        <p className="muted">{t('hr.staffIntro')}</p>
        <Form method="post" encType="multipart/form-data" className="form-grid">
          <div className="field">
            <label htmlFor="staff-file">{t('hr.file')}</label>
            <input id="staff-file" type="file" name="file" accept={SPREADSHEET_ACCEPT} required />
          </div>
          <label className="checkbox">
            <input type="checkbox" name="deactivateMissing" /> {t('hr.deactivateMissing')}
          </label>
          <FormErrorSummary formError={answer?.formError} />
          <div className="actions">
            <button type="submit" name="intent" value="preview" disabled={busy}>
              {t('hr.preview')}
            </button>
            <button type="submit" name="intent" value="apply" className="primary" disabled={busy}>
              {t('hr.apply')}
            </button>
          </div>
        </Form>
        <p>
          <Link to="/admin/import/org">{t('hr.toOrg')}</Link>
        </p>
      </section>
      {answer?.result ? <HrImportResult result={answer.result} /> : null}
    </div>
  )
}
