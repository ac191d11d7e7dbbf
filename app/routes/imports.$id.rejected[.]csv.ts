// The rejected rows of an import as a CSV (UTF-8 with a BOM, so Excel opens it in Chinese):
// the file's own columns plus a reason column, to fix and import again. Phones and ID
// numbers are masked unless `?unmask=1` is asked by a role that may unmask (audited).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { actorOf, forbidden, notFound, getTranslate, requirePermission, userScope } from '../http/guards.server'
import { can } from '../domain/roles'
import { idParam } from '../http/errors.server'
import { csvLine } from '../domain/csv'
import { getImportJobInScope } from '../services/import/import-jobs.server'
import { readRejectedRows } from '../services/import/rejected-rows.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'imports:run')
  const job = await getImportJobInScope(context.db, userScope(user), idParam(params.id))
  if (!job) throw notFound()
  const unmask = new URL(request.url).searchParams.get('unmask') === '1'
  if (unmask && !can(user.role, 'personal-data:unmask')) throw forbidden()
  const t = await getTranslate(request)
  const pages = readRejectedRows(context.db, actorOf(user, context), context.pii, { jobId: job.id, unmask })
  // The first page (and with it any audit entry) before the response starts.
  const first = await pages.next()
  const headers = job.headers ? (JSON.parse(job.headers) as string[]) : []
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode('\uFEFF' + csvLine([t('import.row'), ...headers, t('import.reason')])))
      for (let next = first; !next.done; next = await pages.next()) {
        for (const issue of next.value) {
          const reasons = issue.problems.map((p) => `${p.column ? `${p.column}: ` : ''}${t(p.message.key, p.message.params)}`).join('; ')
          controller.enqueue(encoder.encode(csvLine([String(issue.row), ...issue.cells, reasons])))
        }
      }
      controller.close()
    },
  })
  const name = `rejected-${job.id}.csv`
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'no-store',
    },
  })
}
