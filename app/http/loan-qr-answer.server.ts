// The answer to a loan QR code's form posted to /q/<token>, whoever received it: the Remix
// route's action (routes/q.$token.ts) and the handler that takes the posts before Remix
// (http/loan-qr-post.server.ts) both call this, so the use case, its messages and its pages
// have one home. After a success, a redirect to the thanks page (reloading it sends nothing
// twice); after a refusal, a page that says what happened, echoing nothing sent.
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { LoanQrAnswer, type LoanQrPageProps } from '../components/loan-qr-page'
import { translator, type Locale, type MessageKey } from '../i18n/index'
import type { AppContext } from './context.server'
import { findLoanQrPageNames, type LoanQrPageNames } from '../services/loan-qr/loan-qr-codes.server'
import { localLimitsOf } from '../services/loan-qr/loan-qr-local-limits.server'
import { submitLoanQrRequest } from '../services/loan-qr/submit-loan-qr-request.server'

/** The fields the page's form posts; nothing else is read. */
export const LOAN_QR_FORM_FIELDS = ['kind', 'name', 'uscc', 'contactName', 'phone', 'amountWan', 'purpose', 'consent', 'challenge', 'nonce'] as const

/** Every page of /q/…: never kept, never indexed. */
export const LOAN_QR_PAGE_HEADERS = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' } as const

export type LoanQrPostAnswer = { status: 303; location: string } | { status: 400 | 404 | 422 | 429 | 503; html: string; retryAfterSeconds?: number }

export interface LoanQrPost {
  token: string
  /** The posted form (a FormData or URLSearchParams): only the page's own fields, as strings, are read. */
  form: { get(name: string): unknown }
  ip: string | null
  locale: Locale
  nonce: string
}

/** A page of its own: plain HTML with its doctype. */
export function loanQrHtml(element: ReturnType<typeof createElement>): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(element)}`
}

/** Where a code's page lives, for the language switch and the way back. */
export function loanQrPath(token: string): string {
  return `/q/${encodeURIComponent(token)}`
}

const REFUSALS = {
  not_found: { status: 404, heading: 'loanQr.notFound', line: 'loanQr.notFoundLine' },
  unproven: { status: 400, heading: 'loanQr.unproven', line: 'loanQr.unprovenLine' },
  limited: { status: 429, heading: 'loanQr.limited', line: 'loanQr.limitedLine' },
  // The server had no time for it: nothing written, send again shortly (loan-qr-batches.server.ts).
  busy: { status: 503, heading: 'loanQr.busy', line: 'loanQr.busyLine' },
} as const satisfies Record<string, { status: number; heading: MessageKey; line: MessageKey }>

/** A refusal's page (nothing of the post in it), kept with the names it shows: a flood of refusals renders it once a minute. */
const rendered = new Map<string, { names: LoanQrPageNames; html: string }>()
const RENDERED_KEPT = 1_000

function refusalPage(outcome: keyof typeof REFUSALS, token: string, locale: Locale, nonce: string, names: LoanQrPageNames): string {
  const key = `${outcome}\u0000${locale}\u0000${token}`
  const kept = rendered.get(key)
  // The names are the same object for a minute (findLoanQrPageNames), so a new read renders anew.
  if (kept?.names === names) return kept.html
  const { heading, line } = REFUSALS[outcome]
  const html = loanQrHtml(createElement(LoanQrAnswer, { ...pageProps(token, locale, nonce, names), heading, line }))
  if (rendered.size >= RENDERED_KEPT) rendered.clear()
  rendered.set(key, { names, html })
  return html
}

function pageProps(token: string, locale: Locale, nonce: string, names: LoanQrPageNames): LoanQrPageProps {
  return { t: translator(locale), locale, nonce, ...names, path: loanQrPath(token) }
}

export async function answerLoanQrPost(context: Pick<AppContext, 'db' | 'pii' | 'config'>, post: LoanQrPost): Promise<LoanQrPostAnswer> {
  const { token } = post
  const values: Record<string, unknown> = {}
  for (const field of LOAN_QR_FORM_FIELDS) {
    const value = post.form.get(field)
    if (typeof value === 'string') values[field] = value
  }
  const result = await submitLoanQrRequest(context.db, context.pii, { token, values, ip: post.ip, secret: context.config.sessionSecret, local: localLimitsOf(context.config) })
  if (result.outcome === 'accepted') return { status: 303, location: `${loanQrPath(token)}?sent=1` }
  // A refusal's page names the bank and outlet as read in the last minute: refusals stay cheap.
  const names = await findLoanQrPageNames(context.db, token)
  if (result.outcome === 'busy') return { status: 503, html: refusalPage('busy', token, post.locale, post.nonce, names), retryAfterSeconds: result.retryAfterSeconds }
  if (result.outcome !== 'invalid') return { status: REFUSALS[result.outcome].status, html: refusalPage(result.outcome, token, post.locale, post.nonce, names) }
  const props = pageProps(token, post.locale, post.nonce, names)
  return { status: 422, html: loanQrHtml(createElement(LoanQrAnswer, { ...props, heading: 'loanQr.invalid', line: 'loanQr.invalidLine', errors: result.errors })) }
}
