// A loan system for crash tests, over real HTTP in the test's own process: it checks each
// referral's signature, opens one application per idempotency key (a resend with the same
// key is the same application, answered with the same reference) and counts every copy.
// It can hold its answer to one application (the case is opened, the answer not sent),
// so a test can kill the sender while that delivery is in flight.
import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifySignature } from '../../app/services/outbox.server'

export interface Application {
  referralId: number
  externalRef: string
  /** How many times it was sent (the first included). */
  copies: number
}

export interface LoanStandIn {
  url: string
  /** By idempotency key. */
  applications: Map<string, Application>
  /** Refusals (bad signature, no key, not JSON), which a test expects none of. */
  refused: string[]
  /**
   * Opens the n-th new application (1-based, counted from now) and holds the answer until
   * release(); resolves with its key once that request has arrived.
   */
  holdAnswerTo(n: number): Promise<string>
  /** Sends the held answers (to whoever still listens). */
  release(): void
  stop(): Promise<void>
}

export async function startLoanStandIn(secret: string): Promise<LoanStandIn> {
  const applications = new Map<string, Application>()
  const refused: string[] = []
  let hold: { left: number; arrived: (key: string) => void } | null = null
  let held: (() => void)[] = []

  const server = http.createServer((req, res) => {
    // A sender killed mid-request cuts the connection: nothing to answer, nothing to report.
    req.on('error', () => {})
    res.on('error', () => {})
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      const answer = (status: number, text: string) => {
        if (!res.destroyed) res.writeHead(status, { 'Content-Type': 'application/json' }).end(text)
      }
      if (req.method !== 'POST' || req.url !== '/referrals') return answer(404, '{"error":"not found"}')
      if (!verifySignature(secret, body, (req.headers['x-wanqi-signature'] as string | undefined) ?? null)) {
        refused.push('bad signature')
        return answer(401, '{"error":"bad signature"}')
      }
      const key = req.headers['idempotency-key']
      if (typeof key !== 'string' || !key) {
        refused.push('no Idempotency-Key')
        return answer(400, '{"error":"Idempotency-Key is required"}')
      }
      let payload: { referralId?: unknown }
      try {
        payload = JSON.parse(body) as { referralId?: unknown }
      } catch {
        refused.push(`${key}: not JSON`)
        return answer(400, '{"error":"not JSON"}')
      }
      const known = applications.get(key)
      if (known) {
        known.copies++
        return answer(200, JSON.stringify({ externalRef: known.externalRef }))
      }
      const application = { referralId: Number(payload.referralId), externalRef: `LOS-${crypto.randomBytes(4).toString('hex').toUpperCase()}`, copies: 1 }
      applications.set(key, application)
      const send = () => answer(201, JSON.stringify({ externalRef: application.externalRef }))
      if (hold && --hold.left === 0) {
        held.push(send)
        hold.arrived(key)
        hold = null
        return
      }
      send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/referrals`,
    applications,
    refused,
    holdAnswerTo(n) {
      return new Promise<string>((resolve) => (hold = { left: n, arrived: resolve }))
    },
    release() {
      for (const send of held.splice(0)) send()
    },
    async stop() {
      held = []
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
