// The bank's set-up on an empty database: the one-time link (service and pages), the gate
// that leads every page to /setup until then, and `npm run setup`, each refusing or saying
// "already set up" once it is done.
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkSetupLink, isSetUpNeeded, issueSetupLink, setUpBank } from '../../app/services/setup.server'
import { signIn } from '../../app/services/sessions.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, startTestServer, type TestServer } from '../support/test-server'
import { runCli } from '../support/cli'

const policy = { sessionIdleMinutes: 30, sessionMaxHours: 12 }
const bank = { bankName: '兰考农商银行', headOfficeCode: 'LK', adminUsername: 'It.Admin', adminName: '王管理' }

const databases: TestDatabase[] = []
async function emptyDatabase() {
  const t = await createTestDatabase()
  databases.push(t)
  return t
}
afterAll(async () => {
  for (const t of databases) await t.destroy()
})

describe('set-up through a one-time link', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await emptyDatabase()
  })

  it('on an empty database sets up the head office and an administrator who must choose a password, once', async () => {
    expect(await isSetUpNeeded(t.db)).toBe(true)
    const token = (await issueSetupLink(t.db))!
    expect(token).toMatch(/^[\w-]{43}$/)
    expect(await checkSetupLink(t.db, token)).toBe('valid')
    expect(await checkSetupLink(t.db, 'not-the-token')).toBe('invalid')
    // Only the hash is kept.
    const stored = await t.db.selectFrom('setup_links').select('token_hash').execute()
    expect(stored.map((s) => s.token_hash)).not.toContain(token)

    await expect(setUpBank(t.db, { ...bank, token: 'not-the-token', via: 'link' })).rejects.toMatchObject({ messageKey: 'setup.linkInvalid' })
    expect(await isSetUpNeeded(t.db)).toBe(true)

    const result = await setUpBank(t.db, { ...bank, token, via: 'link', ip: '10.0.0.9' })
    if (result.status !== 'done') throw new Error('expected the bank to be set up')
    expect(result.adminUsername).toBe('it.admin')
    expect(result.initialPassword).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/)

    const hq = await t.db.selectFrom('org_units').selectAll().executeTakeFirstOrThrow()
    expect(hq).toMatchObject({ code: 'LK', name: '兰考农商银行', kind: 'hq', parent_id: null, path: `/${hq.id}/`, depth: 0 })
    const admin = await t.db.selectFrom('users').selectAll().executeTakeFirstOrThrow()
    expect(admin).toMatchObject({ username: 'it.admin', name: '王管理', role: 'admin', org_unit_id: hq.id, active: 1, must_change_password: 1 })
    expect(admin.password_hash).not.toContain(result.initialPassword)
    const audit = await t.db.selectFrom('audit_log').select(['action', 'ip']).orderBy('id').execute()
    expect(audit).toEqual([
      { action: 'bank.set_up', ip: '10.0.0.9' },
      { action: 'user.create', ip: '10.0.0.9' },
    ])

    // The one-time password signs in.
    const signedIn = await signIn(t.db, { username: 'it.admin', password: result.initialPassword, ip: null, userAgent: null }, policy)
    expect(signedIn.ok).toBe(true)

    // Done: the link no longer works, a new one is not issued, and a second set-up changes nothing.
    expect(await checkSetupLink(t.db, token)).toBe('done')
    expect(await issueSetupLink(t.db)).toBeNull()
    const again = await setUpBank(t.db, { ...bank, headOfficeCode: 'OTHER', adminUsername: 'intruder', token, via: 'link' })
    expect(again).toEqual({ status: 'alreadySetUp', bankName: '兰考农商银行' })
    expect(await t.db.selectFrom('users').select('username').execute()).toEqual([{ username: 'it.admin' }])
    expect(await t.db.selectFrom('org_units').select('code').execute()).toEqual([{ code: 'LK' }])
  })

  it('of two set-ups at once, one sets the bank up and the other changes nothing', async () => {
    const t3 = await emptyDatabase()
    const results = await Promise.all([
      setUpBank(t3.db, { ...bank, via: 'cli' }),
      setUpBank(t3.db, { ...bank, bankName: '另一家银行', headOfficeCode: 'OTHER', adminUsername: 'other.admin', via: 'cli' }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['alreadySetUp', 'done'])
    expect(await t3.db.selectFrom('users').select('username').execute()).toHaveLength(1)
    expect(await t3.db.selectFrom('org_units').select('code').execute()).toHaveLength(1)
    expect(await t3.db.selectFrom('bank').select('id').execute()).toEqual([{ id: 1 }])
  })

  it('refuses a link that has expired', async () => {
    const t2 = await emptyDatabase()
    const token = (await issueSetupLink(t2.db, new Date(Date.now() - 25 * 3_600_000)))!
    expect(await checkSetupLink(t2.db, token)).toBe('invalid')
    await expect(setUpBank(t2.db, { ...bank, token, via: 'link' })).rejects.toMatchObject({ messageKey: 'setup.linkInvalid' })
    expect(await isSetUpNeeded(t2.db)).toBe(true)
  })
})

describe('the pages before and after set-up', () => {
  let t: TestDatabase
  let server: TestServer
  beforeAll(async () => {
    t = await emptyDatabase()
    server = await startTestServer(t)
  })
  afterAll(() => server?.close())

  it('lead every page to /setup until the bank is set up; then the form sets it up and the admin must change the password', async () => {
    const client = new Client(server.url)
    for (const page of ['/', '/login', '/players', '/admin/users']) {
      const answer = await client.get(page)
      expect(answer.status, page).toBe(303)
      expect(answer.headers.get('location'), page).toBe('/setup')
    }
    expect((await client.get('/api/v1/townships')).status).toBe(503)
    expect((await client.post('/login', { username: 'x', password: 'y' })).status).toBe(503)
    expect((await client.get('/healthz')).status).toBe(200)

    const howTo = await client.get('/setup')
    expect(howTo.status).toBe(200)
    const howToText = await howTo.text()
    expect(howToText).toContain('npm run setup')
    expect(howToText).not.toContain('name="bankName"')
    expect(await (await client.get('/setup?token=forged')).text()).toContain('开通链接无效')

    const token = (await issueSetupLink(t.db))!
    const form = await client.get(`/setup?token=${token}`)
    expect(await form.text()).toContain('name="bankName"')

    const invalid = await client.post('/setup', { token, bankName: '', headOfficeCode: 'bad code!', adminUsername: 'Admin', adminName: '王' })
    expect(invalid.status).toBe(400)
    expect(await isSetUpNeeded(t.db)).toBe(true)

    const done = await client.post('/setup', { token, ...bank })
    expect(done.status).toBe(200)
    expect(done.headers.get('cache-control')).toBe('no-store')
    const password = /id="initial-password"[^>]*>([^<]+)</.exec(await done.text())?.[1]
    expect(password).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/)

    // Pages work now; the admin signs in and is held on the password page.
    const admin = new Client(server.url)
    expect((await admin.get('/login')).status).toBe(200)
    expect((await admin.signIn('it.admin', password!)).status).toBe(302)
    const home = await admin.get('/')
    expect(home.status).toBe(302)
    expect(home.headers.get('location')).toBe('/account/password')

    // The link refuses now, and so does a second set-up.
    expect(await (await client.get(`/setup?token=${token}`)).text()).toContain('银行已开通')
    expect((await client.post('/setup', { token, ...bank, adminUsername: 'second' })).status).toBe(409)
    expect(await t.db.selectFrom('users').select('username').execute()).toEqual([{ username: 'it.admin' }])
  })
})

describe('npm run setup', () => {
  it('sets the bank up and prints the one-time password; run again it says so and changes nothing', async () => {
    const t = await emptyDatabase()
    const env = { ...process.env, DATABASE_URL: t.url, WANQI_SECRETS_FILE: path.join(os.tmpdir(), 'wanqi-setup-test-secrets.json'), DATA_KEY: 'x'.repeat(43), SESSION_SECRET: 's', LOAN_SYSTEM_SECRET: 'l' }
    const setup = (...args: string[]) => runCli('app/cli/setup.server.ts', args, { env })

    await expect(setup('--bank-name', '兰考农商银行')).rejects.toMatchObject({ code: 2 })
    expect(await isSetUpNeeded(t.db)).toBe(true)

    const first = await runCli('app/cli/setup.server.ts', ['--bank-name', '兰考农商银行', '--bank-code', 'LK', '--admin-username', 'root.admin'], { env, tsx: true })
    const password = /One-time password: (\S+)/.exec(first.stdout)?.[1]
    expect(password).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/)
    const user = await t.db.selectFrom('users').select(['username', 'role', 'must_change_password']).executeTakeFirstOrThrow()
    expect(user).toEqual({ username: 'root.admin', role: 'admin', must_change_password: 1 })
    expect((await signIn(t.db, { username: 'root.admin', password: password!, ip: null, userAgent: null }, policy)).ok).toBe(true)

    const second = await setup('--bank-name', '别的银行', '--bank-code', 'XX', '--admin-username', 'other')
    expect(second.stdout).toContain('already set up: 兰考农商银行. Nothing changed.')
    expect(await t.db.selectFrom('users').select('username').execute()).toEqual([{ username: 'root.admin' }])
    expect(await t.db.selectFrom('org_units').select('code').execute()).toEqual([{ code: 'LK' }])
    // No link either, once set up.
    expect((await setup('--link')).stdout).toContain('already set up')
  })
})
