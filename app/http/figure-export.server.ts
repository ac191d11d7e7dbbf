// What the dashboard's file exports share (the view's and the loans'): the caller who may see
// a branch, the format, the dashboard's query read from the URL (a bad period is a 400 that
// says why, a scope outside the caller's a 404), whether a POST asked to unmask and may, and
// the file's answer, private and never cached.
import type { AppContext } from './context.server'
import { can } from '../domain/roles'
import type { Translate } from '../i18n/index'
import { getTranslate, notFound, requirePermission } from './guards.server'
import { readFigureQuery, type FigureQuery } from '../services/figure-query.server'

const TYPES = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv; charset=utf-8' }
export type ExportFormat = keyof typeof TYPES

export interface FigureExportRequest {
  user: Awaited<ReturnType<typeof requirePermission>>
  params: URLSearchParams
  format: ExportFormat
  query: Extract<FigureQuery, { ok: true }>
  t: Translate
  unmask: boolean
}

/** The request read, or the 400 answer for a bad period; throws 404 outside the scope or when `known` refuses the URL. */
export async function readFigureExport(request: Request, context: AppContext, askedToUnmask: boolean, known: (params: URLSearchParams) => boolean = () => true): Promise<FigureExportRequest | Response> {
  const user = await requirePermission(request, context, 'branch:view')
  const params = new URL(request.url).searchParams
  if (!known(params)) throw notFound()
  const format: ExportFormat = params.get('format') === 'csv' ? 'csv' : 'xlsx'
  const query = await readFigureQuery(context.db, user, params)
  const t = await getTranslate(request)
  if (!query.ok && query.status === 400) {
    const reasons = Object.entries(query.problems).map(([field, problem]) => `${field}: ${t(`period.${problem}`)}`)
    return new Response(`${t('dashboard.badPeriod')} ${reasons.join('; ')}`, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  if (!query.ok) throw notFound()
  return { user, params, format, query, t, unmask: askedToUnmask && can(user.role, 'personal-data:unmask') }
}

/** The file as an attachment named for its scope and period. */
export function exportAnswer(body: BodyInit, prefix: string, exported: FigureExportRequest): Response {
  const { query, format } = exported
  const name = `${prefix}-${query.unit?.code ?? 'all'}-${query.period.from}-${query.period.to}.${format}`
  return new Response(body, { headers: { 'Content-Type': TYPES[format], 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'private, no-store' } })
}
