// The loan QR code's form posts answered before Remix (http/loan-qr-post.server.ts, decision
// 0561), over real HTTP against a real database: on a server whose Remix route would fail
// any post it received, a valid form still lands and is redirected, and a form that is
// wrong, without its proof of work, or over a phone's limit gets the page the route's action
// gives for the same post (the same status, words and headers; nothing sent echoed back), in
// Chinese first and in English by the language cookie. Over the server's budget
// (LOAN_QR_PER_SECOND) a post is answered 503 with Retry-After before its body is read.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequestHandler, type ServerBuild } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LOAN_QR_CONSENT_VERSION, LOAN_QR_LIMITS } from '../../app/domain/loan-qr'
import type { AppContext } from '../../app/http/context.server'
import { createHttpApp } from '../../app/http/http-app.server'
import type { AppConfig } from '../../app/server/config.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { issueLoanQrCode } from '../../app/services/loan-qr/issue-loan-qr-code.server'
import { issueLoanQrChallenge, solveLoanQrChallenge, wrongLoanQrNonce } from '../../app/services/loan-qr/loan-qr-challenge.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { setLoanQrBatchWaits } from '../../app/services/loan-qr/loan-qr-batches.server'
import { foregroundInFlight, foregroundStarted } from '../../app/server/foreground.server'
import { addUser, buildOrg } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { ROOT, TEST_DATA_KEY, loadBuild, testConfig } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const SECRET = 'test-secret'
/** The language cookie as the language switch sets it (a Remix cookie: base64 of its JSON). */
const ENGLISH = `wanqi_lang=${Buffer.from(JSON.stringify('en')).toString('base64')}`

let t: TestDatabase
let build: ServerBuild
let token: string
const servers: http.Server[] = []
/** Posts that reached the Remix route's action on the servers below (it fails them). */
let reachedRemix = 0

/** The built app whose `/q/<token>` action fails every post: an answer proves the post never reached it. */
function withoutRemixAction(real: ServerBuild): ServerBuild {
  const id = 'routes/q.$token'
  const route = real.routes[id]!
  const action = () => {
    reachedRemix++
    throw new Error('the post reached the Remix route')
  }
  return { ...real, routes: { ...real.routes, [id]: { ...route, module: { ...route.module, action } } } }
}

async function serve(overrides: Partial<AppConfig>): Promise<string> {
  const app = createHttpApp({ build: withoutRemixAction(build), db: t.db, dialect: t.dialect, config: testConfig({ trustProxy: true, ...overrides }), rootDir: ROOT })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The same post as the Remix route's action answers it (the real build, in this process). */
async function remixAnswer(body: URLSearchParams, ip: string, cookie?: string): Promise<Response> {
  const handle = createRequestHandler(build, 'production')
  const context: AppContext = { db: t.db, dialect: t.dialect, config: testConfig({ trustProxy: true }), pii, clientIp: ip, requestId: 'remix', nonce: 'remix-nonce' }
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie ? { Cookie: cookie } : {}) }
  return handle(new Request(`http://127.0.0.1/q/${token}`, { method: 'POST', body, headers }), context)
}

let serial = 0
/** A form as the page posts it; a fresh address and phone unless given. */
function form(fields: Record<string, string> = {}, options: { solve?: boolean } = {}) {
  const n = ++serial
  const challenge = issueLoanQrChallenge(SECRET, token)
  const nonce = options.solve === false ? wrongLoanQrNonce(challenge) : solveLoanQrChallenge(challenge)
  const body = new URLSearchParams({
    kind: 'enterprise', name: `直答企业${n}`, uscc: makeUscc(70_000 + n), contactName: '孙七', phone: `137${String(10_000_000 + n).slice(-8)}`,
    amountWan: '30', purpose: '备货', consent: LOAN_QR_CONSENT_VERSION, challenge, nonce, ...fields,
  })
  return { body, ip: `10.61.${Math.floor(n / 250)}.${n % 250}` }
}

async function post(base: string, sent: { body: URLSearchParams; ip: string }, cookie?: string) {
  const response = await fetch(`${base}/q/${token}`, {
    method: 'POST', body: sent.body, redirect: 'manual',
    headers: { Origin: base, 'X-Forwarded-For': sent.ip, ...(cookie ? { Cookie: cookie } : {}) },
  })
  return { response, html: await response.text() }
}

const PAGE_HEADERS = ['content-type', 'cache-control', 'x-robots-tag'] as const

let base: string

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  const officer = await addUser(t.db, 'qr-direct-officer', 'officer', org.outletA1.id)
  ;({ token } = await issueLoanQrCode(t.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId: officer }))
  build = await loadBuild()
  base = await serve({ loanQrPerSecond: 10_000 })
})

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  await t?.destroy()
})

describe('a loan QR form post, answered before Remix', () => {
  it('that is valid lands as a loan_qr player and is redirected to the thanks page, as before', async () => {
    const sent = form()
    const { response, html } = await post(base, sent)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/q/${token}?sent=1`)
    expect(html).toBe('')
    const player = await t.db.selectFrom('market_players').select(['channel', 'source']).where('name', '=', sent.body.get('name')!).executeTakeFirstOrThrow()
    expect(player).toEqual({ channel: 'loan_qr', source: 'loan_qr' })
    expect(reachedRemix).toBe(0)
  })

  it('that is wrong names each field in Chinese, echoes nothing sent, writes nothing, and is the route\'s own page', async () => {
    const wrong = { name: '<b>回显直答公司</b>', uscc: '91110000600037341N', phone: '12345' }
    const sent = form(wrong)
    const { response, html } = await post(base, sent)
    expect(response.status).toBe(422)
    expect(html).toContain('有信息需要修改')
    expect(html).toContain('data-field="uscc"')
    expect(html).toContain('data-field="phone"')
    for (const value of Object.values(wrong)) expect(html).not.toContain(value)
    expect(await t.db.selectFrom('market_players').select('id').where('name', '=', wrong.name).execute()).toEqual([])
    const remix = await remixAnswer(form(wrong).body, '10.62.0.1')
    expect(response.status).toBe(remix.status)
    expect(html).toBe(await remix.text())
    for (const header of PAGE_HEADERS) expect(response.headers.get(header)).toBe(remix.headers.get(header))
    expect(reachedRemix).toBe(0)
  })

  it('without its proof of work is refused 400, in English by the language cookie, as the route refuses it', async () => {
    const { response, html } = await post(base, form({}, { solve: false }))
    expect(response.status).toBe(400)
    expect(html).toContain('安全校验未完成')
    const english = await post(base, form({}, { solve: false }), ENGLISH)
    expect(english.response.status).toBe(400)
    expect(english.html).toContain('The security check did not finish')
    const remix = await remixAnswer(form({}, { solve: false }).body, '10.62.0.2', ENGLISH)
    expect(english.html).toBe(await remix.text())
    for (const header of PAGE_HEADERS) expect(english.response.headers.get(header)).toBe(remix.headers.get(header))
    expect(reachedRemix).toBe(0)
  })

  it('over a phone\'s limit is refused 429 without echoing it, and writes nothing more', async () => {
    const phone = '13761234567'
    for (let i = 0; i < LOAN_QR_LIMITS.perPhone.count; i++) expect((await post(base, form({ phone }))).response.status).toBe(303)
    const over = form({ phone, name: '超限直答企业' })
    const { response, html } = await post(base, over)
    expect(response.status).toBe(429)
    expect(html).toContain('提交过于频繁')
    expect(html).not.toContain(phone)
    expect(html).not.toContain('超限直答企业')
    expect(await t.db.selectFrom('loan_qr_requests').select('id').where('firm_name', '=', '超限直答企业').execute()).toEqual([])
    expect(reachedRemix).toBe(0)
  })
})

describe('the server\'s budget for loan QR posts', () => {
  it('answers a post over it 503 with Retry-After before its body is read, echoing nothing', async () => {
    const budgeted = await serve({ loanQrPerSecond: 1 })
    const { port } = new URL(budgeted)
    // Posts whose bodies never finish: a post the budget lets through waits for its body; one over it is answered at once.
    const secret = 'unfinished-字段-13799998888'
    const requests: http.ClientRequest[] = []
    const refused = await new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
      for (let i = 0; i < 10; i++) {
        const request = http.request({ host: '127.0.0.1', port, path: `/q/${token}`, method: 'POST', headers: {
          'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '2000', Origin: budgeted, 'X-Forwarded-For': `10.63.0.${i + 1}`,
        } })
        request.on('response', (response) => {
          let body = ''
          response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
          response.on('end', () => resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'], body }))
        })
        request.on('error', (error) => reject(error))
        request.write(`name=${encodeURIComponent(secret)}&phone=`)
        requests.push(request)
      }
    })
    for (const request of requests) request.destroy()
    expect(refused.status).toBe(503)
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(refused.body).toContain('当前提交人数较多')
    expect(refused.body).not.toContain('unfinished')
    expect(refused.body).not.toContain('13799998888')
    expect(reachedRemix).toBe(0)
  })
})

describe('what the server takes follows its thread\'s real delay (decision 0641)', () => {
  afterAll(() => setLoanQrBatchWaits(t.db, {}))

  it('writes a try only once no other request is being answered, then accepts it', async () => {
    // However long the requests take: the try waits for them (a real server waits at most 100 ms).
    setLoanQrBatchWaits(t.db, { yieldMaxMs: 600_000 })
    const officerRequest = foregroundStarted()
    const sent = form({ name: '让行企业' })
    let answered = false
    const posted = post(base, sent).then((result) => ((answered = true), result))
    // Another request is answered meanwhile, and the try is still waiting, nothing written.
    expect((await fetch(`${base}/livez`)).status).toBe(200)
    await vi.waitFor(() => expect(foregroundInFlight()).toBe(1))
    expect(answered).toBe(false)
    expect(await t.db.selectFrom('loan_qr_requests').select('id').where('firm_name', '=', '让行企业').execute()).toEqual([])
    officerRequest()
    const { response } = await posted
    expect(response.status).toBe(303)
    expect(await t.db.selectFrom('loan_qr_requests').select('id').where('firm_name', '=', '让行企业').execute()).toHaveLength(1)
  })

  it('answers a try that waited too long for its turn 503 with Retry-After, writing and counting nothing', async () => {
    setLoanQrBatchWaits(t.db, { yieldMaxMs: 600_000, waitMaxMs: 0 })
    const officerRequest = foregroundStarted()
    const sent = form({ name: '久等企业' })
    const posted = post(base, sent)
    expect((await fetch(`${base}/livez`)).status).toBe(200)
    const counted = () => t.db.selectFrom('loan_qr_throttle').select('count').where('key', 'like', 'phone:%').execute()
    const before = await counted()
    officerRequest()
    const { response, html } = await posted
    expect(response.status).toBe(503)
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(html).toContain('当前提交人数较多')
    expect(html).not.toContain('久等企业')
    expect(await t.db.selectFrom('loan_qr_requests').select('id').where('firm_name', '=', '久等企业').execute()).toEqual([])
    expect(await counted()).toEqual(before)
    // The same form sent again once the server has time lands: nothing of it was spent.
    setLoanQrBatchWaits(t.db, {})
    expect((await post(base, sent)).response.status).toBe(303)
    expect(reachedRemix).toBe(0)
  })
})
