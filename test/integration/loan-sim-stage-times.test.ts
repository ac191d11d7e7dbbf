// The stand-in loan system dates each stage report a moment after the one before, even when
// its timers fire together (a busy machine runs late timers in one turn of the loop), so the
// app, ordering a referral's events by their dates, never sees two stages at one instant and
// their order never depends on which report it happened to store first.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { PROGRESS_STAGES } from '../../app/domain/pipeline'
import { startLoanSim, type LoanSim } from '../../app/services/loan-sim.server'
import { signBody } from '../../app/services/outbox.server'

const SECRET = 'stage-times-secret'
const reports: { stage: string; at: string }[] = []
let app: http.Server
let sim: LoanSim

beforeAll(async () => {
  // The app's events API, as far as the stand-in sees it: every report taken.
  app = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      if (req.method === 'POST' && /^\/api\/v1\/referrals\/\d+\/events$/.test(req.url ?? '')) reports.push(JSON.parse(body) as { stage: string; at: string })
      res.writeHead(201, { 'Content-Type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()))
  sim = await startLoanSim({ appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`, token: 't', secret: SECRET, stepMs: 1, declineRate: 0 })
})

afterAll(async () => {
  vi.useRealTimers()
  await sim?.stop()
  await new Promise((resolve) => app?.close(resolve))
})

describe('the stand-in loan system', () => {
  it('dates each stage after the one before, though every report is made in the same instant', async () => {
    // The clock stands still (timers still run): every stage is reported "at the same time".
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-05T02:00:00.000Z') })
    const body = JSON.stringify({ referralId: 41, amountYuan: 200_000, credit: true, firstLender: true })
    const taken = await fetch(sim.url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Wanqi-Signature': signBody(SECRET, body), 'Idempotency-Key': 'referral-41' }, body })
    expect(taken.status).toBe(201)
    await vi.waitFor(() => expect(reports).toHaveLength(PROGRESS_STAGES.length - 1), { timeout: 30_000, interval: 20 })
    const byTime = [...reports].sort((a, b) => a.at.localeCompare(b.at))
    expect(byTime.map((r) => r.stage)).toEqual(PROGRESS_STAGES.slice(1))
    expect(new Set(reports.map((r) => r.at)).size).toBe(reports.length)
  })
})
