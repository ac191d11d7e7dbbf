// The rejected rows of an import as a CSV (UTF-8 with a BOM, so Excel opens it in Chinese):
// the file's own columns plus a reason column, to fix and import again.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { notFound, getTranslate, requirePermission, userScope } from '../guards.server'
import { idParam } from '../http.server'
import { csvLine } from '../domain/csv'
import { getImportJobInScope, listImportIssues } from '../services/import/import-jobs.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'imports:run')
  const job = await getImportJobInScope(context.db, userScope(user), idParam(params.id))
  if (!job) throw notFound()
  const t = await getTranslate(request)
  const headers = job.headers ? (JSON.parse(job.headers) as string[]) : []
  const db = context.db
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode('\uFEFF' + csvLine([t('import.row'), ...headers, t('import.reason')])))
      for (let after = 0; ; ) {
        const page = await listImportIssues(db, job.id, 'rejected', 1000, after)
        for (const issue of page) {
          const reasons = issue.problems.map((p) => `${p.column}: ${t(p.message.key, p.message.params)}`).join('; ')
          controller.enqueue(encoder.encode(csvLine([String(issue.row), ...(issue.cells ?? []), reasons])))
        }
        if (page.length < 1000) break
        after = page.at(-1)!.row
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
