// Admin: the org tree from the HR system's export. "Preview" checks every row and writes
// nothing; "Import" checks again and writes all of it in one transaction, or nothing.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useActionData } from '@remix-run/react'
import { HrImportPage } from '../components/hr-import-result'
import { requirePermission } from '../http/guards.server'
import { hrImportAction } from '../http/hr-upload.server'
import type { Message } from '../i18n/index'
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
  const answer = useActionData<typeof action>() as ActionData | undefined
  return (
    <HrImportPage id="org" title="hr.orgTitle" intro="hr.orgIntro" other={{ to: '/admin/import/staff', label: 'hr.toStaff' }} answer={answer} />
  )
}
