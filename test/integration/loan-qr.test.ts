// The loan QR code over real HTTP: a manager issues and re-issues codes (the old poster stops),
// the public page is small and plain, a firm's need lands as a `loan_qr` player in the
// officer's list (or the outlet's unassigned one), a USCC already known gets the request on
// its player with the same answer, and the page holds against abuse: proof of work, spent
// challenges, limits per address and per phone kept in the database (two servers share them),
// a size limit, and answers that echo nothing. Tries arriving together are written a batch per
// transaction, each answered as if written alone (two firms sending one new USCC included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOAN_QR_CONSENT_VERSION, LOAN_QR_LIMITS } from '../../app/domain/loan-qr'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { issueLoanQrCode } from '../../app/services/loan-qr/issue-loan-qr-code.server'
import { loanQrBatchCounts, setLoanQrBatchWaits } from '../../app/services/loan-qr/loan-qr-batches.server'
import { issueLoanQrChallenge, solveLoanQrChallenge, wrongLoanQrNonce } from '../../app/services/loan-qr/loan-qr-challenge.server'
import { submitLoanQrRequest } from '../../app/services/loan-qr/submit-loan-qr-request.server'
import { addUser, buildOrg, PASSWORD, playerFields } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let server: TestServer
let second: TestServer
let org: Awaited<ReturnType<typeof buildOrg>>
let officerId: number
let officerToken: string
let outletToken: string
let address = 0

/** A fresh client address for each call unless one is given: the limits under test pick theirs. */
async function fetchPage(base: string, token: string, ip: string) {
  const response = await fetch(`${base}/q/${token}`, { headers: { 'X-Forwarded-For': ip } })
  const html = await response.text()
  const challenge = /name="challenge" value="([^"]+)"/.exec(html)?.[1]
  return { response, html, challenge }
}

async function submit(token: string, fields: Record<string, string>, options: { ip?: string; base?: string; solve?: boolean; challenge?: string } = {}) {
  const base = options.base ?? server.url
  const ip = options.ip ?? `10.0.${Math.floor(++address / 250)}.${address % 250}`
  const challenge = options.challenge ?? (await fetchPage(base, token, ip)).challenge!
  const nonce = options.solve === false ? wrongLoanQrNonce(challenge) : solveLoanQrChallenge(challenge)
  const body = new URLSearchParams({ kind: 'enterprise', amountWan: '50', purpose: '进货周转', consent: LOAN_QR_CONSENT_VERSION, challenge, nonce, ...fields })
  const response = await fetch(`${base}/q/${token}`, { method: 'POST', body, redirect: 'manual', headers: { Origin: base, 'X-Forwarded-For': ip } })
  return { response, html: await response.text(), challenge }
}

let phoneSerial = 0
const nextPhone = () => `139${String(10_000_000 + ++phoneSerial).slice(-8)}`

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  officerId = await addUser(t.db, 'qr-officer', 'officer', org.outletA1.id)
  await addUser(t.db, 'qr-manager', 'manager', org.branchA.id)
  server = await startTestServer(t, { trustProxy: true })
  second = await startTestServer(t, { trustProxy: true })
  const manager = new Client(server.url)
  await manager.signIn('qr-manager', PASSWORD)
  for (const fields of [{ orgUnitId: String(org.outletA1.id), officerId: '' }, { orgUnitId: '', officerId: String(officerId) }]) {
    const answer = await manager.post('/loan-qr', { intent: 'issue', ...fields })
    expect(answer.status).toBe(200)
  }
  const codes = await t.db.selectFrom('loan_qr_codes').selectAll().where('revoked_at', 'is', null).execute()
  officerToken = codes.find((c) => c.officer_id === officerId)!.token
  outletToken = codes.find((c) => c.officer_id === null)!.token
})

afterAll(async () => {
  await second?.close()
  await server?.close()
  await t?.destroy()
})

describe('codes', () => {
  it('re-issuing revokes the old code, whose page then says it no longer works; a manager elsewhere cannot issue here', async () => {
    const manager = new Client(server.url)
    await manager.signIn('qr-manager', PASSWORD)
    const spare = await addUser(t.db, 'qr-spare', 'officer', org.outletA2.id)
    await manager.post('/loan-qr', { intent: 'issue', orgUnitId: '', officerId: String(spare) })
    const first = await t.db.selectFrom('loan_qr_codes').select(['id', 'token']).where('officer_id', '=', spare).executeTakeFirstOrThrow()
    expect((await fetchPage(server.url, first.token, '10.9.0.1')).response.status).toBe(200)
    await manager.post('/loan-qr', { intent: 'issue', orgUnitId: '', officerId: String(spare) })
    const old = await fetchPage(server.url, first.token, '10.9.0.1')
    expect(old.response.status).toBe(404)
    expect(old.html).toContain('该贷款码已失效')
    const live = await t.db.selectFrom('loan_qr_codes').select(['id', 'token']).where('officer_id', '=', spare).where('revoked_at', 'is', null).execute()
    expect(live).toHaveLength(1)
    const poster = await manager.get(`/loan-qr/${live[0]!.id}/poster`)
    expect(poster.status).toBe(200)
    const posterHtml = await poster.text()
    expect(posterHtml).toContain('<svg')
    expect(posterHtml).toContain(`/q/${live[0]!.token}`)

    await addUser(t.db, 'qr-manager-b', 'manager', org.branchB.id)
    const other = new Client(server.url)
    await other.signIn('qr-manager-b', PASSWORD)
    expect((await other.post('/loan-qr', { intent: 'issue', orgUnitId: '', officerId: String(spare) })).status).toBe(404)
    expect((await other.get(`/loan-qr/${live[0]!.id}/poster`)).status).toBe(404)
  })
})

describe('the public page', () => {
  it('is plain HTML under 50 KB with no app bundle, a challenge and a way forward without JavaScript', async () => {
    const { response, html, challenge } = await fetchPage(server.url, officerToken, '10.8.0.1')
    expect(response.status).toBe(200)
    expect(Buffer.byteLength(html)).toBeLessThan(50 * 1024)
    expect(html).not.toMatch(/<script[^>]+src=/)
    expect(html).not.toMatch(/<link[^>]+stylesheet/)
    expect(html).toContain('<noscript>')
    expect(challenge).toBeTruthy()
    expect(html).toContain('qr-officer')
  })
})

describe('a need sent', () => {
  it('lands as a loan_qr player in the officer\'s list, the phone encrypted, the consent on record', async () => {
    const uscc = makeUscc(9101)
    const phone = nextPhone()
    const before = Date.now()
    const { response } = await submit(officerToken, { name: '扫码商贸有限公司', uscc, contactName: '李四', phone })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/q/${officerToken}?sent=1`)
    const player = await t.db.selectFrom('market_players').selectAll().where('uscc', '=', uscc).executeTakeFirstOrThrow()
    expect(player).toMatchObject({ name: '扫码商贸有限公司', channel: 'loan_qr', source: 'loan_qr', assigned_officer_id: officerId, org_unit_id: org.outletA1.id })
    expect(Date.parse(player.channel_at!)).toBeGreaterThanOrEqual(before - 1000)
    expect(pii.decrypt(player.phone_enc!)).toBe(phone)
    expect(player.phone_masked).not.toContain(phone)
    const request = await t.db.selectFrom('loan_qr_requests').selectAll().where('player_id', '=', player.id).executeTakeFirstOrThrow()
    expect(request).toMatchObject({ contact_name: '李四', purpose: '进货周转', consent_version: LOAN_QR_CONSENT_VERSION, new_player: 1 })
    expect(Number(request.amount_yuan)).toBe(500_000)
    expect(request.phone_enc).not.toContain(phone)
    expect(pii.decrypt(request.phone_enc)).toBe(phone)
    // Its clocks start with it, in the same transaction: accept, contact and decide, all due later.
    const clock = await t.db.selectFrom('player_clocks').selectAll().where('player_id', '=', player.id).executeTakeFirstOrThrow()
    expect(clock).toMatchObject({ channel: 'loan_qr', started_at: player.channel_at })
    for (const due of [clock.accept_due_at, clock.contact_due_at, clock.decide_due_at]) expect(Date.parse(due!)).toBeGreaterThan(Date.parse(player.channel_at!))
    expect(Date.parse(clock.accept_due_at!)).toBeLessThan(Date.parse(clock.decide_due_at!))
    const thanks = await fetch(`${server.url}/q/${officerToken}?sent=1`)
    expect(await thanks.text()).toContain('已收到您的需求')
  })

  it('from an outlet\'s code, lands unassigned in that outlet; a household may leave the USCC out', async () => {
    const { response } = await submit(outletToken, { kind: 'household', name: '张记早餐店', uscc: '', contactName: '张三', phone: nextPhone() })
    expect(response.status).toBe(303)
    const player = await t.db.selectFrom('market_players').selectAll().where('name', '=', '张记早餐店').executeTakeFirstOrThrow()
    expect(player).toMatchObject({ kind: 'household', uscc: null, channel: 'loan_qr', assigned_officer_id: null, org_unit_id: org.outletA1.id })
  })

  it('for a USCC already known, is recorded on that player, which keeps its officer, with the same answer', async () => {
    const uscc = makeUscc(9102)
    const known = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields('已知企业', { uscc }), orgUnitId: org.outletB1.id })
    const fresh = await submit(officerToken, { name: '随便写的名字', uscc: makeUscc(9103), contactName: '王五', phone: nextPhone() })
    const repeat = await submit(officerToken, { name: '随便写的名字', uscc, contactName: '王五', phone: nextPhone() })
    expect(repeat.response.status).toBe(fresh.response.status)
    expect(repeat.response.headers.get('Location')).toBe(fresh.response.headers.get('Location'))
    expect(repeat.html).toBe(fresh.html)
    const players = await t.db.selectFrom('market_players').select(['id', 'name', 'channel', 'org_unit_id', 'assigned_officer_id']).where('uscc', '=', uscc).execute()
    expect(players).toEqual([{ id: known, name: '已知企业', channel: 'own_list', org_unit_id: org.outletB1.id, assigned_officer_id: null }])
    const requests = await t.db.selectFrom('loan_qr_requests').select(['new_player', 'firm_name']).where('player_id', '=', known).execute()
    expect(requests).toEqual([{ new_player: 0, firm_name: '随便写的名字' }])
  })

  it('that is wrong is refused naming each field, echoing nothing sent and writing nothing', async () => {
    const count = await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    const { response, html } = await submit(officerToken, { name: '<b>回显测试公司</b>', uscc: '91110000600037341N', contactName: '赵六', phone: '12345' })
    expect(response.status).toBe(422)
    expect(html).toContain('data-field="uscc"')
    expect(html).toContain('data-field="phone"')
    expect(html).not.toContain('回显测试公司')
    expect(html).not.toContain('91110000600037341N')
    expect(html).not.toContain('12345')
    const after = await t.db.selectFrom('market_players').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(count.n))
  })
})

describe('consent', () => {
  it('missing, or to an older notice than the page shows, refuses the need and writes nothing', async () => {
    const count = async () => Number((await t.db.selectFrom('loan_qr_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    const before = await count()
    for (const consent of ['', 'not-the-notice-shown']) {
      const uscc = makeUscc(9650 + consent.length)
      const { response, html } = await submit(officerToken, { name: '未同意企业', uscc, contactName: '钱七', phone: nextPhone(), consent })
      expect(response.status).toBe(422)
      expect(html).toContain('data-field="consent"')
      expect(html).not.toContain('未同意企业')
      expect(await t.db.selectFrom('market_players').select('id').where('uscc', '=', uscc).execute()).toEqual([])
    }
    expect(await count()).toBe(before)
  })
})

describe('abuse', () => {
  it('without the proof of work, or with a challenge spent or forged, is refused and writes nothing', async () => {
    const name = '无证明企业'
    expect((await submit(officerToken, { name, uscc: makeUscc(9201), contactName: '甲', phone: nextPhone() }, { solve: false })).response.status).toBe(400)
    const first = await submit(officerToken, { name: '证明企业一', uscc: makeUscc(9202), contactName: '乙', phone: nextPhone() })
    expect(first.response.status).toBe(303)
    const replay = await submit(officerToken, { name, uscc: makeUscc(9203), contactName: '丙', phone: nextPhone() }, { challenge: first.challenge })
    expect(replay.response.status).toBe(400)
    const [issued, random] = first.challenge.split('.')
    const forged = await submit(officerToken, { name, uscc: makeUscc(9204), contactName: '丁', phone: nextPhone() }, { challenge: `${issued}.${random}x.AAAAAAAAAAAAAAAAAAAAAA` })
    expect(forged.response.status).toBe(400)
    // A challenge made for another code does not answer this one.
    const elsewhere = (await fetchPage(server.url, outletToken, '10.7.0.1')).challenge!
    expect((await submit(officerToken, { name, uscc: makeUscc(9205), contactName: '戊', phone: nextPhone() }, { challenge: elsewhere })).response.status).toBe(400)
    expect(await t.db.selectFrom('market_players').select('id').where('name', '=', name).execute()).toEqual([])
  })

  it('limits each phone and each address, counted in the database so a second server refuses too', async () => {
    const phone = nextPhone()
    for (let i = 0; i < LOAN_QR_LIMITS.perPhone.count; i++) {
      const { response } = await submit(officerToken, { name: `同号企业${i}`, uscc: makeUscc(9300 + i), contactName: '甲', phone }, { base: i % 2 ? second.url : server.url })
      expect(response.status).toBe(303)
    }
    const over = await submit(officerToken, { name: '同号企业超', uscc: makeUscc(9310), contactName: '甲', phone }, { base: second.url })
    expect(over.response.status).toBe(429)
    expect(over.html).not.toContain('同号企业超')

    const ip = '10.200.0.1'
    for (let i = 0; i < LOAN_QR_LIMITS.perAddress.count; i++) {
      const { response } = await submit(officerToken, { name: `同址企业${i}`, uscc: makeUscc(9400 + i), contactName: '乙', phone: nextPhone() }, { ip, base: i % 2 ? second.url : server.url })
      expect(response.status).toBe(303)
    }
    expect((await submit(officerToken, { name: '同址企业超', uscc: makeUscc(9420), contactName: '乙', phone: nextPhone() }, { ip, base: second.url })).response.status).toBe(429)
    expect(await t.db.selectFrom('market_players').select('id').where('name', 'in', ['同号企业超', '同址企业超']).execute()).toEqual([])
  })

  it('refuses an address over its limit on the server that counted it without writing to the database', async () => {
    const ip = '10.201.0.1'
    for (let i = 0; i < LOAN_QR_LIMITS.perAddress.count; i++) {
      const { response } = await submit(officerToken, { name: `本机同址企业${i}`, uscc: makeUscc(9500 + i), contactName: '丙', phone: nextPhone() }, { ip })
      expect(response.status).toBe(303)
    }
    const counted = async () => Number((await t.db.selectFrom('loan_qr_throttle').select((eb) => eb.fn.sum<number>('count').as('n')).executeTakeFirstOrThrow()).n)
    const before = await counted()
    const over = await submit(officerToken, { name: '本机同址企业超', uscc: makeUscc(9520), contactName: '丙', phone: nextPhone() }, { ip })
    expect(over.response.status).toBe(429)
    expect(await counted()).toBe(before)
    // The other server has counted none of these tries: the database's counter refuses there.
    expect((await submit(officerToken, { name: '本机同址企业超', uscc: makeUscc(9521), contactName: '丙', phone: nextPhone() }, { ip, base: second.url })).response.status).toBe(429)
    expect(await counted()).toBe(before + 1)
    expect(await t.db.selectFrom('market_players').select('id').where('name', '=', '本机同址企业超').execute()).toEqual([])
  })

  it('refuses a body over 8 KB before reading it, and a revoked code\'s post', async () => {
    const big = await fetch(`${server.url}/q/${officerToken}`, { method: 'POST', body: new URLSearchParams({ purpose: 'x'.repeat(9000) }), headers: { Origin: server.url } })
    expect(big.status).toBe(413)
    expect(await big.text()).not.toContain('xxxx')
    // Without a proof, refused before the database is read; with one for a code revoked since, 404.
    expect((await submit('A'.repeat(24), { name: 'x' }, { challenge: 'a.b.c' })).response.status).toBe(400)
    const spare = await addUser(t.db, 'qr-revoked', 'officer', org.outletA2.id)
    const { token } = await issueLoanQrCode(t.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId: spare })
    const { challenge } = await fetchPage(server.url, token, '10.9.0.2')
    await issueLoanQrCode(t.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId: spare })
    expect((await submit(token, { name: '失效码企业', phone: nextPhone() }, { challenge, ip: '10.9.0.2' })).response.status).toBe(404)
  })
})

describe('tries arriving together', () => {
  it('are written a batch per transaction, each answered as if alone: accepted, limited, unproven, one new USCC sent twice', async () => {
    const secret = 'batch-test-secret-'.repeat(3)
    const code = await issueLoanQrCode(t.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId })
    const values = (i: number, extra: Record<string, string> = {}) => {
      const challenge = issueLoanQrChallenge(secret, code.token)
      return { kind: 'enterprise', name: `同批企业${i}`, uscc: makeUscc(9700 + i), contactName: '丁', phone: nextPhone(), amountWan: '20', purpose: '周转', consent: LOAN_QR_CONSENT_VERSION, challenge, nonce: solveLoanQrChallenge(challenge), ...extra }
    }
    const tries = [
      ...Array.from({ length: 8 }, (_, i) => values(i)),
      // Two firms send the same new USCC at once: one player, two requests.
      values(20, { uscc: makeUscc(9790) }),
      values(21, { uscc: makeUscc(9790) }),
      // The phone's fourth try of the day is over its limit.
      ...Array.from({ length: 4 }, (_, i) => values(30 + i, { phone: '13900009999' })),
      // A challenge answered wrong.
      ((v) => ({ ...v, nonce: wrongLoanQrNonce(v.challenge) }))(values(40)),
    ]
    // What a batch commits is the subject here, not what the server sheds: no try is answered
    // busy however long it waits (on a busy machine, PostgreSQL's batch retried try by try took
    // over LOAN_QR_WAIT_MAX_MS and most tries were shed). loan-qr-post.test.ts tests the shedding.
    setLoanQrBatchWaits(t.db, { waitMaxMs: 3_600_000 })
    const before = loanQrBatchCounts(t.db)
    const answers = await Promise.all(tries.map((v, i) => submitLoanQrRequest(t.db, pii, { token: code.token, values: v, ip: `10.77.0.${i}`, secret }))).finally(() =>
      setLoanQrBatchWaits(t.db, {}),
    )
    expect(answers.slice(0, 10).map((a) => a.outcome)).toEqual(Array(10).fill('accepted'))
    // Which of one phone's four tries came fourth is the order they reached the database in.
    expect(answers.slice(10, 14).map((a) => a.outcome).sort()).toEqual(['accepted', 'accepted', 'accepted', 'limited'])
    expect(answers[14].outcome).toBe('unproven')
    const after = loanQrBatchCounts(t.db)
    // Fourteen tries reached the database (the unproven one did not), in fewer transactions.
    expect(after.tries - before.tries).toBe(14)
    expect(after.batches - before.batches).toBeLessThan(14)
    const twice = await t.db.selectFrom('market_players').select('id').where('uscc', '=', makeUscc(9790)).execute()
    expect(twice).toHaveLength(1)
    const requests = await t.db.selectFrom('loan_qr_requests').select(['new_player']).where('player_id', '=', twice[0].id).orderBy('id').execute()
    expect(requests.map((r) => r.new_player)).toEqual([1, 0])
    const landed = await t.db.selectFrom('market_players').innerJoin('player_clocks', 'player_clocks.player_id', 'market_players.id').select('market_players.id').where('market_players.name', 'like', '同批企业%').execute()
    expect(landed).toHaveLength(12)
  })
})
