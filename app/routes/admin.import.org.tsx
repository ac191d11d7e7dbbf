// Admin: the org tree from the HR system's export. "Preview" checks every row and writes
// nothing; "Import" checks again and writes all of it in one transaction, or nothing.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation } from '@remix-run/react'
import { FormErrorSummary } from '../components/form-error-summary'
import { HrImportResult } from '../components/hr-import-result'
import { requirePermission } from '../http/guards.server'
import { hrImportAction } from '../http/hr-upload.server'
import { SPREADSHEET_ACCEPT } from '../forms/fields'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { importOrgUnits, type OrgImportResult } from '../services/hr-import/import-org-units.server'

export const meta: MetaFunction = () => [{ title: '导入机构 · 万企通' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'org:manage')
  return null
}

type ActionData = { formError?: Message; result?: OrgImportResult }

export async function action({ request, context }: ActionFunctionArgs) {
  return hrImportAction(request, context, 'org:manage', (actor, input) =>
    importOrgUnits(context.db, actor, { filePath: input.filePath, fileName: input.fileName, apply: input.apply }),
  )
}

export default function ImportOrg() {
  const t = useT()
  const answer = useActionData<typeof action>() as ActionData | undefined
  const busy = useNavigation().state === 'submitting'
  return (
    <div className="stack">
      <h1>{t('hr.orgTitle')}</h1>
      <section className="card stack">
        <p className="muted">{t('hr.orgIntro')}</p>
        <Form method="post" encType="multipart/form-data" className="form-grid">
          <div className="field">
            <label htmlFor="org-file">{t('hr.file')}</label>
            <input id="org-file" type="file" name="file" accept={SPREADSHEET_ACCEPT} required />
          </div>
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
          <Link to="/admin/import/staff">{t('hr.toStaff')}</Link>
        </p>
      </section>
      {answer?.result ? <HrImportResult result={answer.result} /> : null}
    </div>
  )
}
