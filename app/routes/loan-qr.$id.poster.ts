// /loan-qr/<id>/poster: the code's A4 poster, a page of its own to print (scoped: a manager's
// unit, an officer's own code). The QR code holds /q/<token> on this site.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { chinaTimeText } from '../domain/china-time'
import { getTranslate, notFound, requireUser, userScope } from '../http/guards.server'
import { findBankName, listLiveLoanQrCodes } from '../services/loan-qr/loan-qr-codes.server'
import { loanQrSvg } from '../services/loan-qr/loan-qr-poster.server'

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  if (user.role === 'hq') throw notFound()
  const id = Number(params.id)
  const code = (await listLiveLoanQrCodes(context.db, userScope(user))).find((c) => c.id === id)
  if (!code) throw notFound()
  const t = await getTranslate(request)
  const url = `${new URL(request.url).origin}/q/${code.token}`
  const [svg, bank] = await Promise.all([loanQrSvg(url), findBankName(context.db)])
  const page = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(t('loanQr.posterHeading'))}</title>
<style>@page{size:A4;margin:15mm}body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;text-align:center;color:#111}
.sheet{width:180mm;margin:0 auto;padding-top:10mm}h1{font-size:30pt;margin:0 0 4mm}h2{font-size:20pt;margin:0 0 8mm;color:#b91c1c}
.qr svg{width:120mm;height:120mm}p{font-size:14pt;margin:3mm 0}.url{font-size:9pt;color:#555;word-break:break-all}
@media screen{.sheet{border:1px solid #ccc;min-height:267mm;padding:10mm;box-sizing:border-box}}</style></head>
<body><div class="sheet"><h1>${escape(bank)}</h1><h2>${escape(t('loanQr.posterHeading'))}</h2><div class="qr">${svg}</div>
<p>${escape(code.orgUnitName)}</p>${code.officerName ? `<p>${escape(t('loanQr.posterOfficer', { name: code.officerName }))}</p>` : ''}
<p>${escape(t('loanQr.posterLine'))}</p><p class="url">${escape(url)} · ${escape(chinaTimeText(code.createdAt))}</p></div></body></html>`
  return new Response(page, { headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'private, no-store' } })
}
