// The sign-in, home, language and admin routes over real HTTP against the built app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../../db/migrations/index'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, startTestServer, type TestServer } from '../support/test-server'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'

let t: TestDatabase
let server: TestServer
let org: Awaited<ReturnType<typeof buildOrg>>

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  await addUser(t.db, 'root', 'admin', org.hq.id)
  await addUser(t.db, 'analyst', 'hq', org.hq.id)
  await addUser(t.db, 'boss.a', 'manager', org.branchA.id)
  await addUser(t.db, 'field.a', 'officer', org.outletA1.id)
  await addUser(t.db, 'field.b', 'officer', org.outletB1.id)
  server = await startTestServer(t)
})
afterAll(async () => {
  await server.close()
  await t.destroy()
})

const client = () => new Client(server.url)

describe('health', () => {
  it('answers without signing in, naming the dialect and the migrations applied', async () => {
    const response = await client().get('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true, db: t.dialect, migrations: Object.keys(migrations).length })
  })
})

describe('sign-in', () => {
  it('sends an anonymous visitor to the sign-in page, remembering where they were going', async () => {
    const response = await client().get('/admin/users?q=x')
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Fusers%3Fq%3Dx')
  })

  it('signs in, sets an HttpOnly SameSite=Lax session cookie and goes to the page asked for', async () => {
    const c = client()
    const response = await c.post('/login', { username: 'root', password: PASSWORD, redirectTo: '/admin/users' })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/admin/users')
    const cookie = response.headers.getSetCookie().find((h) => h.startsWith('wanqi_session='))!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).not.toMatch(/Secure/i) // plain HTTP here; Secure over HTTPS
    expect((await c.get('/admin/users')).status).toBe(200)
  })

  it('never redirects off the site after sign-in', async () => {
    const response = await client().post('/login', { username: 'root', password: PASSWORD, redirectTo: '//evil.example/x' })
    expect(response.headers.get('Location')).toBe('/')
  })

  it('refuses a wrong password and an unknown user with one message that gives no hint', async () => {
    const wrong = await client().post('/login', { username: 'analyst', password: 'not it at all' })
    const unknown = await client().post('/login', { username: 'ghost', password: PASSWORD })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const [a, b] = [await wrong.text(), await unknown.text()]
    expect(a).toContain('用户名或密码不正确。')
    expect(b).toContain('用户名或密码不正确。')
    expect(wrong.headers.getSetCookie().some((h) => h.startsWith('wanqi_session='))).toBe(false)
  })

  it('answers a missing password with the field named', async () => {
    const response = await client().post('/login', { username: 'analyst', password: '' })
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('必填。')
  })

  it('slows a (name, address) pair after repeated failures with 429 and Retry-After; an admin lets the user in again', async () => {
    const c = client()
    for (let i = 0; i < 4; i++) expect((await c.post('/login', { username: 'field.b', password: 'bad guess' })).status).toBe(401)
    const held = await c.post('/login', { username: 'field.b', password: PASSWORD })
    expect(held.status).toBe(429)
    expect(Number(held.headers.get('Retry-After'))).toBeGreaterThan(20)
    expect(await held.text()).toContain('登录失败次数过多')
    const admin = client()
    await admin.signIn('root', PASSWORD)
    const id = (await t.db.selectFrom('users').select('id').where('username', '=', 'field.b').executeTakeFirstOrThrow()).id
    expect(await (await admin.get(`/admin/users/${id}`)).text()).toContain('4 次失败尝试')
    expect((await admin.post(`/admin/users/${id}`, { intent: 'unlock_sign_in' })).status).toBe(200)
    expect((await c.post('/login', { username: 'field.b', password: PASSWORD })).status).toBe(302)
    expect(await t.db.selectFrom('audit_log').select('actor_username').where('action', '=', 'sign_in.unlocked').executeTakeFirstOrThrow()).toEqual({ actor_username: 'root' })
  })

  it('signing out ends the session on the server, not just in the browser', async () => {
    const c = client()
    await c.signIn('analyst', PASSWORD)
    const stolen = c.cookie('wanqi_session')!
    expect((await c.get('/')).status).toBe(200)
    const out = await c.post('/logout', {})
    expect(out.status).toBe(302)
    expect(out.headers.get('Location')).toBe('/login?signedOut=1')
    const replay = await fetch(`${server.url}/`, { headers: { Cookie: `wanqi_session=${stolen}` }, redirect: 'manual' })
    expect(replay.status).toBe(302)
    expect(replay.headers.get('Location')).toBe('/login')
  })

  it('ignores a forged session cookie', async () => {
    const response = await fetch(`${server.url}/`, { headers: { Cookie: 'wanqi_session=forged' }, redirect: 'manual' })
    expect(response.status).toBe(302)
  })
})

describe('home pages', () => {
  it('shows each role who they are and where they sit', async () => {
    const cases = [
      { username: 'field.a', role: '客户经理', org: '甲一网点' },
      { username: 'boss.a', role: '网点负责人', org: '甲分行' },
      { username: 'analyst', role: '总行/分行', org: '总行' },
      { username: 'root', role: '系统管理员', org: '总行' },
    ]
    for (const c of cases) {
      const http = client()
      await http.signIn(c.username, PASSWORD)
      const html = await (await http.get('/')).text()
      expect(html, c.username).toContain(`${c.role} · ${c.org}`)
    }
  })

  it('a manager sees the officers of their branch and no one else’s', async () => {
    const http = client()
    await http.signIn('boss.a', PASSWORD)
    const html = await (await http.get('/')).text()
    expect(html).toContain('field.a')
    expect(html).not.toContain('field.b')
    expect(html).not.toContain('乙分行')
  })
})

describe('administration', () => {
  it('is refused to everyone but admin', async () => {
    for (const username of ['field.a', 'boss.a', 'analyst']) {
      const http = client()
      await http.signIn(username, PASSWORD)
      for (const path of ['/admin/users', '/admin/org-units']) {
        expect((await http.get(path)).status, `${username} ${path}`).toBe(403)
        expect((await http.post(path, { intent: 'create' })).status, `${username} POST ${path}`).toBe(403)
      }
    }
  })

  it('creates a user who can then sign in, with field errors for bad input', async () => {
    const http = client()
    await http.signIn('root', PASSWORD)
    const bad = await http.post('/admin/users', { username: 'A B', name: '', role: 'officer', orgUnitId: String(org.outletA2.id), password: 'short' })
    expect(bad.status).toBe(400)
    const text = await bad.text()
    expect(text).toContain('用户名只能包含小写字母')
    expect(text).toContain('密码至少 10 个字符。')
    const ok = await http.post('/admin/users', {
      username: 'new.hire',
      name: '新人',
      role: 'officer',
      orgUnitId: String(org.outletA2.id),
      password: 'welcome aboard 2026',
    })
    expect(ok.status).toBe(200)
    expect((await client().signIn('new.hire', 'welcome aboard 2026')).status).toBe(302)
    const dup = await http.post('/admin/users', { username: 'new.hire', name: '重复', role: 'officer', orgUnitId: String(org.outletA2.id), password: 'welcome aboard 2026' })
    expect(dup.status).toBe(409)
  })

  it('deactivating a user ends their signed-in session at the next request', async () => {
    const victim = client()
    await victim.signIn('field.a', PASSWORD)
    expect((await victim.get('/')).status).toBe(200)
    const admin = client()
    await admin.signIn('root', PASSWORD)
    const id = (await t.db.selectFrom('users').select('id').where('username', '=', 'field.a').executeTakeFirstOrThrow()).id
    expect((await admin.post(`/admin/users/${id}`, { intent: 'deactivate' })).status).toBe(200)
    expect((await victim.get('/')).status).toBe(302)
    expect((await admin.post(`/admin/users/${id}`, { intent: 'reactivate' })).status).toBe(200)
  })

  it('answers 404 for a user that does not exist', async () => {
    const admin = client()
    await admin.signIn('root', PASSWORD)
    expect((await admin.get('/admin/users/999999')).status).toBe(404)
    expect((await admin.get('/admin/users/abc')).status).toBe(404)
  })

  it('creates, renames and refuses a bad move of org units through the page', async () => {
    const admin = client()
    await admin.signIn('root', PASSWORD)
    const created = await admin.post('/admin/org-units', { intent: 'create', parentId: String(org.branchB.id), kind: 'outlet', code: 'B-2', name: '乙二网点' })
    expect(created.status).toBe(200)
    const unit = await t.db.selectFrom('org_units').selectAll().where('code', '=', 'B-2').executeTakeFirstOrThrow()
    expect(unit.path).toBe(`${org.branchB.path}${unit.id}/`)
    const badMove = await admin.post('/admin/org-units', { intent: 'move', id: String(org.branchB.id), parentId: String(unit.id) })
    expect(badMove.status).toBe(400)
    expect(await badMove.text()).toContain('不能把机构移到它自己或其下级机构之下')
  })
})

describe('language', () => {
  it('switches to English and remembers it', async () => {
    const http = client()
    const switched = await http.post('/lang', { locale: 'en', redirectTo: '/login' })
    expect(switched.status).toBe(302)
    expect(switched.headers.get('Location')).toBe('/login')
    const html = await (await http.get('/login')).text()
    expect(html).toContain('<html lang="en"')
    expect(html).toContain('Sign in')
    const wrong = await http.post('/login', { username: 'analyst', password: 'nope nope nope' })
    expect(await wrong.text()).toContain('The username or password is not correct.')
  })
})
