// The loan QR code's form posts (/q/<token>) answered before Remix (issue 25: 100 submissions
// a second without slowing the officers' pages). Going through Remix cost each post a web
// Request, its body streamed and parsed again, the route matched and a Response copied back:
// at 100 a second that held the thread the officers' pages are answered on. Here the small
// form the limits already read whole (request-limits.server.ts, 8 KB) is parsed as it is and
// handed to the same answer the route's action gives (http/loan-qr-answer.server.ts: the use
// case, its limits and proof of work, the same pages and redirect), so the form works without
// JavaScript as before. In front of it, the server's budget (loan-qr-budget.server.ts): a post
// over it is answered 503 with Retry-After before its body is read. Decision 0561.
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { createElement } from 'react'
import { LoanQrAnswer } from '../components/loan-qr-page'
import type { AppContext } from './context.server'
import { localeOfCookies } from './guards.server'
import { answerLoanQrPost, LOAN_QR_PAGE_HEADERS, loanQrHtml, loanQrPath } from './loan-qr-answer.server'
import type { LoanQrBudget } from './loan-qr-budget.server'
import { limitedBodyOf, mediaTypeOf } from './request-limits.server'
import { translator, type Locale } from '../i18n/index'
import { logger } from '../server/logger.server'
import { keptLoanQrPageNames } from '../services/loan-qr/loan-qr-codes.server'

// A code's page, with or without a trailing slash; `.data` is Remix's own and goes to Remix.
const POST_PATH = /^\/q\/([^/]+?)\/?$/

/** The token a post's path names, decoded; null when the path is not a code's page. */
function tokenOf(path: string): string | null {
  const raw = POST_PATH.exec(path)?.[1]
  if (raw === undefined || raw.endsWith('.data')) return null
  try {
    return decodeURIComponent(raw)
  } catch {
    return null
  }
}

function send(res: Response, status: number, html: string, headers: Record<string, string> = {}) {
  res.status(status)
  for (const [name, value] of Object.entries({ ...LOAN_QR_PAGE_HEADERS, ...headers })) res.setHeader(name, value)
  // Not res.send: it would add an ETag the Remix answer never had.
  res.setHeader('Content-Length', Buffer.byteLength(html))
  res.end(html)
}

const busyPages = new Map<string, string>()
const BUSY_KEPT = 1_000

/** The busy page: the names last read for the code, or none; rendered once per code and language. */
function busyPage(context: Pick<AppContext, 'db'>, token: string, locale: Locale, nonce: string): string {
  const names = keptLoanQrPageNames(context.db, token) ?? { bankName: '', outletName: '', officerName: null }
  const key = `${locale}\u0000${token}\u0000${names.bankName}`
  let html = busyPages.get(key)
  if (html === undefined) {
    html = loanQrHtml(createElement(LoanQrAnswer, { t: translator(locale), locale, nonce, ...names, path: loanQrPath(token), heading: 'loanQr.busy', line: 'loanQr.busyLine' }))
    if (busyPages.size >= BUSY_KEPT) busyPages.clear()
    busyPages.set(key, html)
  }
  return html
}

/** The busy page's own headers: it runs no script and posts nowhere, so its policy is fixed. */
const BUSY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
}

/**
 * First of all the middleware, before the body is read: a post over the server's budget is
 * answered 503 at once, with Retry-After and a page saying to send again shortly. Its body is
 * never parsed (Node discards what is left of it, and the connection is kept).
 */
export function loanQrBudgetGate(budget: LoanQrBudget, context: Pick<AppContext, 'db'>): RequestHandler {
  let refused = 0
  let reportedAt = 0
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !req.path.startsWith('/q/')) return next()
    if (budget.take()) {
      const takenAt = performance.now()
      let told = false
      const answered = () => {
        if (told) return
        told = true
        budget.answered(performance.now() - takenAt)
      }
      res.once('finish', answered)
      res.once('close', answered)
      return next()
    }
    const token = tokenOf(req.path) ?? ''
    refused++
    // At most one line a minute, whatever the flood.
    const now = Date.now()
    if (now - reportedAt >= 60_000) {
      logger.warn('loan QR posts over the budget answered 503', { refused, perSecond: Math.round(budget.perSecond()), inFlight: budget.inFlightLimit() })
      reportedAt = now
      refused = 0
    }
    void localeOfCookies(req.get('Cookie')).then(
      // No nonce: the page has no script.
      (locale) => send(res, 503, busyPage(context, token, locale, ''), { ...BUSY_HEADERS, 'Retry-After': String(budget.retryAfterSeconds()) }),
      next,
    )
  }
}

/** A code's form posted as a form: answered here; anything else goes on to Remix. */
export function loanQrPostHandler(context: Pick<AppContext, 'db' | 'pii' | 'config'>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = tokenOf(req.path)
    const body = limitedBodyOf(req)
    if (token === null || !Buffer.isBuffer(body) || mediaTypeOf(req.get('Content-Type')) !== 'application/x-www-form-urlencoded') return next()
    const form = new URLSearchParams(body.toString('utf8'))
    void (async () => {
      const locale = await localeOfCookies(req.get('Cookie'))
      const answer = await answerLoanQrPost(context, { token, form, ip: req.ip ?? null, locale, nonce: res.locals.nonce as string })
      if ('location' in answer) {
        res.status(303).setHeader('Location', answer.location)
        res.end()
      } else send(res, answer.status, answer.html, answer.retryAfterSeconds ? { 'Retry-After': String(answer.retryAfterSeconds) } : {})
    })().catch(next)
  }
}
