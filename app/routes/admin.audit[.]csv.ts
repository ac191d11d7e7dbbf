// GET /admin/audit.csv?<the audit page's filter>: the filtered log as a CSV that streams
// (see exportAuditEntries). The export is itself written to the log.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { auditFilterFromSearch } from '../forms/audit-filter'
import { actorOf, getTranslate, requirePermission } from '../http/guards.server'
import { exportAuditEntries } from '../services/audit.server'
import { todayInChina } from '../domain/china-time'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'audit:view')
  const t = await getTranslate(request)
  const filter = auditFilterFromSearch(new URL(request.url).searchParams)
  if (!filter.ok) {
    // What is wrong and in which parameter, in the user's language.
    const problems = Object.entries(filter.errors).map(([field, messages]) => `${field}: ${messages.map((m) => t(m.key, m.params)).join(' ')}`)
    return new Response(t('audit.badFilter', { errors: problems.join('; ') }), { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  const body = await exportAuditEntries({ db: context.db, actor: actorOf(user, context), t, filter: filter.data })
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-${todayInChina()}.csv"`,
      'Cache-Control': 'private, no-store',
    },
  })
}
