// The list template: the recognised headers as a CSV (UTF-8 with a BOM, so Excel and WPS
// open it in Chinese), to fill in and upload on the imports page.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { getLocale, requirePermission } from '../http/guards.server'
import { csvLine } from '../domain/csv'
import { templateHeaders } from '../domain/list-template'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'imports:run')
  const locale = await getLocale(request)
  return new Response('\uFEFF' + csvLine(templateHeaders(locale)), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${locale === 'en' ? 'wanqi-list-template.csv' : 'list-template.csv'}"; filename*=UTF-8''${encodeURIComponent(locale === 'en' ? 'wanqi-list-template.csv' : '万企通名单模板.csv')}`,
    },
  })
}
