// /q/<token>: the loan QR code's public page (no account). GET shows the form with a fresh
// proof-of-work challenge; POST hands the form to the use case and answers with a page that
// says what happened but echoes nothing sent and tells nothing about the bank's data (the
// same answer whether the firm was known or not). Plain HTML of its own: no app bundle.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { createElement } from 'react'
import { LoanQrAnswer, LoanQrForm, type LoanQrPageProps } from '../components/loan-qr-page'
import type { AppContext } from '../http/context.server'
import { getLocale } from '../http/guards.server'
import { answerLoanQrPost, LOAN_QR_PAGE_HEADERS, loanQrHtml, loanQrPath } from '../http/loan-qr-answer.server'
import { translator } from '../i18n/index'
import { issueLoanQrChallenge } from '../services/loan-qr/loan-qr-challenge.server'
import { findBankName, findLiveLoanQrCode } from '../services/loan-qr/loan-qr-codes.server'

function html(element: ReturnType<typeof createElement>, status = 200): Response {
  return new Response(loanQrHtml(element), { status, headers: LOAN_QR_PAGE_HEADERS })
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
    path: loanQrPath(token),
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

// The server answers these posts before Remix (http/loan-qr-post.server.ts); this is the same
// answer for a post that reaches Remix (a server without that handler, a form sent otherwise).
export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await request.formData()
  const answer = await answerLoanQrPost(context, { token: params.token ?? '', form, ip: context.clientIp, locale: await getLocale(request), nonce: context.nonce })
  if ('location' in answer) return redirect(answer.location, 303)
  const headers: Record<string, string> = { ...LOAN_QR_PAGE_HEADERS, ...(answer.retryAfterSeconds ? { 'Retry-After': String(answer.retryAfterSeconds) } : {}) }
  return new Response(answer.html, { status: answer.status, headers })
}
