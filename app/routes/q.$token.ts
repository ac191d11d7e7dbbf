// /q/<token>: the loan QR code's public page (no account). GET shows the form with a fresh
// proof-of-work challenge; POST hands the form to the use case and answers with a page that
// says what happened but echoes nothing sent and tells nothing about the bank's data (the
// same answer whether the firm was known or not). Plain HTML of its own: no app bundle.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { LoanQrAnswer, LoanQrForm, type LoanQrPageProps } from '../components/loan-qr-page'
import type { AppContext } from '../http/context.server'
import { getLocale } from '../http/guards.server'
import { translator } from '../i18n/index'
import { issueLoanQrChallenge } from '../services/loan-qr/loan-qr-challenge.server'
import { findBankName, findLiveLoanQrCode, findLoanQrPageNames } from '../services/loan-qr/loan-qr-codes.server'
import { localLimitsOf } from '../services/loan-qr/loan-qr-local-limits.server'
import { submitLoanQrRequest } from '../services/loan-qr/submit-loan-qr-request.server'

const FORM_FIELDS = ['kind', 'name', 'uscc', 'contactName', 'phone', 'amountWan', 'purpose', 'consent', 'challenge', 'nonce'] as const

function html(element: ReturnType<typeof createElement>, status = 200): Response {
  return new Response(`<!DOCTYPE html>${renderToStaticMarkup(element)}`, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' },
  })
}

async function pageProps(request: Request, context: AppContext, token: string) {
  const locale = await getLocale(request)
  const code = await findLiveLoanQrCode(context.db, token)
  const props: LoanQrPageProps = {
    t: translator(locale),
    locale,
    nonce: context.nonce,
    bankName: await findBankName(context.db),
    outletName: code?.orgUnitName ?? '',
    officerName: code?.officerName ?? null,
    path: `/q/${encodeURIComponent(token)}`,
  }
  return { code, props }
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const token = params.token ?? ''
  const { code, props } = await pageProps(request, context, token)
  if (!code) return html(createElement(LoanQrAnswer, { ...props, heading: 'loanQr.notFound', line: 'loanQr.notFoundLine' }), 404)
  if (new URL(request.url).searchParams.get('sent') === '1') {
    return html(createElement(LoanQrAnswer, { ...props, heading: 'loanQr.thanks', line: 'loanQr.thanksLine' }))
  }
  return html(createElement(LoanQrForm, { ...props, challenge: issueLoanQrChallenge(context.config.sessionSecret, token) }))
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? ''
  const form = await request.formData()
  const values: Record<string, unknown> = {}
  for (const field of FORM_FIELDS) {
    const value = form.get(field)
    if (typeof value === 'string') values[field] = value
  }
  const result = await submitLoanQrRequest(context.db, context.pii, { token, values, ip: context.clientIp, secret: context.config.sessionSecret, local: localLimitsOf(context.config) })
  // After a success, a GET: reloading the thanks page sends nothing twice.
  if (result.outcome === 'accepted') return redirect(`/q/${encodeURIComponent(token)}?sent=1`, 303)
  // A refusal's page names the bank and outlet as read in the last minute: refusals stay cheap.
  const locale = await getLocale(request)
  const props: LoanQrPageProps = { t: translator(locale), locale, nonce: context.nonce, ...(await findLoanQrPageNames(context.db, token)), path: `/q/${encodeURIComponent(token)}` }
  switch (result.outcome) {
    case 'not_found':
      return html(createElement(LoanQrAnswer, { ...props, heading: 'loanQr.notFound', line: 'loanQr.notFoundLine' }), 404)
    case 'unproven':
      return html(createElement(LoanQrAnswer, { ...props, heading: 'loanQr.unproven', line: 'loanQr.unprovenLine' }), 400)
    case 'limited':
      return html(createElement(LoanQrAnswer, { ...props, heading: 'loanQr.limited', line: 'loanQr.limitedLine' }), 429)
    case 'invalid':
      return html(createElement(LoanQrAnswer, { ...props, heading: 'loanQr.invalid', line: 'loanQr.invalidLine', errors: result.errors }), 422)
  }
}
