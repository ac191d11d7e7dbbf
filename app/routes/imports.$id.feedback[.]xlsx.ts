// The feedback file of a working group's recommendation list, or of a credit platform's list
// of applications, as XLSX (services/clocks/export-feedback.server.ts,
// services/platform-feedback/export-platform-feedback.server.ts).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { actorOf, notFound, requirePermission, userScope } from '../http/guards.server'
import { idParam } from '../http/errors.server'
import { chinaDay } from '../domain/china-time'
import { exportListFeedback } from '../services/clocks/export-feedback.server'
import { exportPlatformFeedback } from '../services/platform-feedback/export-platform-feedback.server'
import { getImportJobInScope } from '../services/import/import-jobs.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'imports:run')
  const job = await getImportJobInScope(context.db, userScope(user), idParam(params.id))
  if (!job || (job.channel !== 'working_group' && job.channel !== 'credit_platform')) throw notFound()
  const caller = { actor: actorOf(user, context), scope: userScope(user) }
  const file = job.channel === 'working_group' ? await exportListFeedback(context.db, caller, job) : await exportPlatformFeedback(context.db, caller, job)
  const day = job.channel_at ? chinaDay(job.channel_at) : String(job.id)
  const name = `feedback-${job.id}-${day}.xlsx`
  return new Response(new Uint8Array(file), {
    headers: {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(`${job.channel_group ?? ''}反馈-${day}.xlsx`)}`,
      'Cache-Control': 'no-store',
    },
  })
}
