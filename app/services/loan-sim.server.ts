// A stand-in for the bank's loan origination system, for the demo and the tests: a real
// HTTP server of its own. It takes referrals (checking their signature, and taking a
// resend with the same idempotency key as the same case), then walks each through the
// stages, reporting every one to Wanqi's events API with its bearer token. It can be told
// to be down (connections refused) or to answer 500 for a while, or to fail one call in n
// (for the benchmark): in turn a 500, a dropped connection, and a case taken whose answer
// is lost, so that the resend must be recognised as the same case. A referral carrying the
// owner's consent (a product that queries the credit report) is taken only once the consent,
// fetched with its token, checks: its hash recomputed matches, and it is still valid (else 422).
import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { CONSENT_HASH_FIELDS, type ConsentFacts } from '../domain/consent'
import { PROGRESS_STAGES } from '../domain/pipeline'
import { hashConsent, sha256Hex } from './consents/consent-hash.server'
import { verifySignature } from './outbox.server'

export interface LoanSimOptions {
  port?: number
  /** Where Wanqi's API is, for the stage reports. */
  appUrl: string
  /** The bearer token Wanqi gave this loan system. */
  token: string
  /** The secret Wanqi signs referrals with. */
  secret: string
  /** Between stages, ms. */
  stepMs?: number
  /** Share of cases declined at some stage. */
  declineRate?: number
  /** Fail every n-th referral call, in the three ways above. */
  failEvery?: number
  /** Walk the cases through the stages (default); off, it only takes them. */
  walk?: boolean
  log?: (message: string) => void
}

export interface Disbursement {
  lentYuan: number
  guaranteeType: 'credit' | 'guaranteed' | 'collateral' | 'mixed'
  /** The credit report's word on whether this is the firm's first bank loan; null: not said. */
  firstLender: boolean | null
}

export interface LoanSim {
  url: string
  /** Referrals taken, by idempotency key. */
  received: Map<string, { referralId: number; externalRef: string; copies: number }>
  /** What each disbursement report said, by referral id: lent, secured how, and the first-lender flag. */
  disbursed: Map<number, Disbursement>
  /** The consents referrals carried, as checked, by referral id: `ok`, or why not. */
  consents: Map<number, { consentId: string; verdict: 'ok' | string }>
  /** Refuses every connection until up() (or, given `ms`, for that long). */
  goDown(ms?: number): void
  /** Takes connections again. */
  up(): void
  /** Answer 500 to referrals for `ms`. */
  fail(ms: number): void
  stop(): Promise<void>
}

/**
 * Fetches the consent a referral carries with the loan system's token and checks it as a
 * bank's loan system would: the hash recomputed from the facts (and the signature's and the
 * text's own hashes) matches the one the referral sent, and the consent is still valid.
 * 'ok', or what is wrong.
 */
export async function checkCarriedConsent(appUrl: string, token: string, carried: { id?: unknown; sha256?: unknown; href?: unknown }): Promise<'ok' | string> {
  if (typeof carried.href !== 'string' || !carried.href.startsWith('/api/v1/consents/')) return 'no consent link'
  let response: Response
  try {
    response = await fetch(`${appUrl}${carried.href}`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })
  } catch (error) {
    return `consent not fetched: ${(error as Error).message}`
  }
  if (response.status !== 200) return `consent fetch answered ${response.status}`
  const body = (await response.json()) as { consent: ConsentFacts; sha256: string; standing: string; text: string; signaturePng: string }
  const facts = Object.fromEntries(CONSENT_HASH_FIELDS.map((k) => [k, body.consent[k]])) as unknown as ConsentFacts
  if (sha256Hex(Buffer.from(body.signaturePng, 'base64')) !== facts.signatureSha256) return 'the signature is not the one hashed'
  if (sha256Hex(body.text) !== facts.textSha256) return 'the text is not the one hashed'
  const hash = hashConsent(facts)
  if (hash !== body.sha256 || hash !== carried.sha256) return 'the consent hash does not match'
  if (body.standing !== 'valid') return `the consent is ${body.standing}`
  return 'ok'
}

export async function startLoanSim(options: LoanSimOptions): Promise<LoanSim> {
  const log = options.log ?? (() => {})
  const received: LoanSim['received'] = new Map()
  const consents: LoanSim['consents'] = new Map()
  const disbursed: LoanSim['disbursed'] = new Map()
  let failingUntil = 0
  let downUntil = 0
  let calls = 0
  let failures = 0
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, work: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      work()
    }, ms)
    timers.add(timer)
  }

  const report = async (referralId: number, body: Record<string, unknown>, tries = 0): Promise<void> => {
    try {
      const response = await fetch(`${options.appUrl}/api/v1/referrals/${referralId}/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.token}` },
        body: JSON.stringify(body),
      })
      if (response.status >= 500 && tries < 5) {
        log(`stage report for referral ${referralId} answered ${response.status}; again in ${2 ** tries} s`)
        later(1000 * 2 ** tries, () => void report(referralId, body, tries + 1))
      } else if (response.status >= 400) log(`stage report for referral ${referralId} refused: ${response.status}`)
    } catch (error) {
      log(`stage report for referral ${referralId} not sent (${(error as Error).message}); ${tries < 5 ? `again in ${2 ** tries} s` : 'giving up'}`)
      if (tries < 5) later(1000 * 2 ** tries, () => void report(referralId, body, tries + 1))
    }
  }

  /**
   * What the stand-in lends: most of what was asked (to the thousand), credit products as
   * credit loans and the others secured one of three ways, and the first-lender flag as its
   * credit report would say: the referral's own loan history, wrong one time in eight (a
   * list's "never borrowed" is not always right), and now and then no flag at all.
   */
  const disbursement = (referral: { amountYuan?: number; credit?: boolean; firstLender?: boolean }): Disbursement => {
    const asked = typeof referral.amountYuan === 'number' && referral.amountYuan > 0 ? referral.amountYuan : 100_000
    const lentYuan = Math.max(1_000, Math.round((asked * (0.7 + 0.3 * Math.random())) / 1_000) * 1_000)
    const guaranteeType = referral.credit ? 'credit' : (['guaranteed', 'collateral', 'mixed'] as const)[Math.floor(Math.random() * 3)]
    const roll = Math.random()
    const firstLender = roll < 0.05 ? null : roll < 0.175 ? !referral.firstLender : referral.firstLender === true
    return { lentYuan, guaranteeType, firstLender }
  }

  const walk = (referralId: number, externalRef: string, referral: { amountYuan?: number; credit?: boolean; firstLender?: boolean }) => {
    if (options.walk === false) return
    const step = options.stepMs ?? 3000
    const declineAt = Math.random() < (options.declineRate ?? 0.1) ? 1 + Math.floor(Math.random() * (PROGRESS_STAGES.length - 2)) : -1
    // Each stage a moment after the one before, as in a loan system: on a busy machine the
    // timers fire late, several in one turn of the loop, and the same millisecond would leave
    // the stages' order to whichever report the app stored first.
    let lastAt = 0
    PROGRESS_STAGES.slice(1).forEach((stage, i) => {
      if (declineAt !== -1 && i + 1 > declineAt) return
      const declined = i + 1 === declineAt
      later(step * (i + 1), () => {
        lastAt = Math.max(Date.now(), lastAt + 1)
        const lent = stage === 'disbursed' && !declined ? disbursement(referral) : null
        if (lent) disbursed.set(referralId, lent)
        void report(referralId, {
          stage: declined ? 'declined' : stage,
          at: new Date(lastAt).toISOString(),
          reason: declined ? '授信审查未通过 (stand-in)' : null,
          externalRef,
          ...lent,
        })
      })
    })
  }

  const server = http.createServer((req, res) => {
    if (Date.now() < downUntil) return req.socket.destroy()
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => void take())
    const take = async () => {
      const url = new URL(req.url ?? '/', 'http://sim')
      if (req.method === 'GET' && url.pathname === '/health') return res.writeHead(200).end('ok')
      if (req.method !== 'POST' || url.pathname !== '/referrals') return res.writeHead(404).end('not found')
      if (Date.now() < failingUntil) return res.writeHead(500).end('the loan system is having a moment')
      // One call in n fails; the third way, after the case is taken (below).
      const failure = options.failEvery && ++calls % options.failEvery === 0 ? ['500', 'drop', 'lost'][failures++ % 3] : null
      if (failure === '500') return res.writeHead(500).end('the loan system is having a moment')
      if (failure === 'drop') return req.socket.destroy()
      if (!verifySignature(options.secret, body, (req.headers['x-wanqi-signature'] as string | undefined) ?? null)) return res.writeHead(401).end('bad signature')
      const key = req.headers['idempotency-key']
      if (typeof key !== 'string' || !key) return res.writeHead(400).end('Idempotency-Key is required')
      let payload: { referralId?: number; amountYuan?: number; credit?: boolean; firstLender?: boolean; consent?: { id?: string; sha256?: string; href?: string } }
      try {
        payload = JSON.parse(body) as typeof payload
      } catch {
        return res.writeHead(400).end('not JSON')
      }
      if (!Number.isInteger(payload.referralId)) return res.writeHead(422).end('referralId is required')
      const known = received.get(key)
      if (known) {
        known.copies++
        if (failure === 'lost') return req.socket.destroy()
        return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ externalRef: known.externalRef }))
      }
      if (payload.consent) {
        // A product that queries the credit report: no case without a consent that checks.
        const verdict = await checkCarriedConsent(options.appUrl, options.token, payload.consent)
        consents.set(payload.referralId!, { consentId: String(payload.consent.id), verdict })
        if (verdict !== 'ok') {
          log(`referral ${payload.referralId} refused: ${verdict}`)
          return res.writeHead(422, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'consent', message: verdict }))
        }
      }
      const externalRef = `LOS-${crypto.randomBytes(4).toString('hex').toUpperCase()}`
      received.set(key, { referralId: payload.referralId!, externalRef, copies: 1 })
      log(`referral ${payload.referralId} taken as ${externalRef}`)
      walk(payload.referralId!, externalRef, payload)
      if (failure === 'lost') return req.socket.destroy()
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ externalRef }))
    }
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/referrals`,
    received,
    disbursed,
    consents,
    goDown: (ms) => (downUntil = ms === undefined ? Infinity : Date.now() + ms),
    up: () => (downUntil = 0),
    fail: (ms) => (failingUntil = Date.now() + ms),
    async stop() {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
