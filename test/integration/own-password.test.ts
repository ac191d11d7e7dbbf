// A user's own password: held on /account/password while a one-time password must be
// replaced (pages redirect, APIs refuse), the policy checked on the server, the current
// password required, the other sessions ended, and every change audited.
import { beforeAll, describe, expect, it } from 'vitest'
import type { TestDatabase } from '../support/test-db'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'
import { routeSuite } from '../support/route-suite'

let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>

const suite = routeSuite(async (db) => {
  t = db
  org = await buildOrg(t.db)
})
const signedIn = (username: string, password = PASSWORD) => suite.signedIn(username, password)

const changeForm = (current: string, password: string, confirm = password) => ({ current, password, confirm })

describe('a one-time password', () => {
  it('opens only the password page (and sign-out) until the user chooses their own', async () => {
    const id = await addUser(t.db, 'new.officer', 'officer', org.outletA1.id)
    await t.db.updateTable('users').set({ must_change_password: 1 }).where('id', '=', id).execute()
    const client = await signedIn('new.officer')

    for (const page of ['/', '/players', '/my', '/visits', '/admin/users']) {
      const answer = await client.get(page)
      expect(answer.status, page).toBe(302)
      expect(answer.headers.get('location'), page).toBe('/account/password')
    }
    const api = await client.get('/api/v1/townships')
    expect(api.status).toBe(403)
    expect(await api.json()).toMatchObject({ error: 'password_change_required' })
    const page = await client.get('/account/password')
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('一次性初始密码')

    const changed = await client.post('/account/password', changeForm(PASSWORD, 'a walk by the yellow river'))
    expect(changed.status).toBe(302)
    expect(changed.headers.get('location')).toBe('/')
    expect((await client.get('/')).status).toBe(200)
    const user = await t.db.selectFrom('users').select('must_change_password').where('id', '=', id).executeTakeFirstOrThrow()
    expect(user.must_change_password).toBe(0)
  })

  it('lets the user sign out while held', async () => {
    const id = await addUser(t.db, 'held.officer', 'officer', org.outletA1.id)
    await t.db.updateTable('users').set({ must_change_password: 1 }).where('id', '=', id).execute()
    const client = await signedIn('held.officer')
    const out = await client.request('/logout', { method: 'POST' })
    expect(out.status).toBe(302)
    expect(out.headers.get('location')).toBe('/login?signedOut=1')
    expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', id).execute()).toEqual([])
  })
})

describe('changing one’s own password', () => {
  it('needs the current password and a new one the policy accepts, each refusal beside its field', async () => {
    await addUser(t.db, 'zhang.san', 'manager', org.outletA1.id)
    const client = await signedIn('zhang.san')
    const cases: [Record<string, string>, string, string][] = [
      [changeForm('wrong password', 'a walk by the yellow river'), 'current', '当前密码不正确'],
      [changeForm(PASSWORD, 'short'), 'password', '密码至少 10 个字符'],
      [changeForm(PASSWORD, 'zhang.san1'), 'password', '不能与用户名相同'],
      [changeForm(PASSWORD, PASSWORD), 'password', '不能与当前密码相同'],
      [changeForm(PASSWORD, 'password123'), 'password', '常见密码'],
      [changeForm(PASSWORD, '1234567890'), 'password', '常见密码'],
      [changeForm(PASSWORD, 'a walk by the yellow river', 'a walk by the yellow rive'), 'confirm', '两次输入的新密码不一致'],
    ]
    for (const [form, field, message] of cases) {
      const answer = await client.post('/account/password', form)
      expect(answer.status, JSON.stringify(form)).toBe(400)
      const html = await answer.text()
      expect(html, field).toContain(message)
      expect(html, field).toMatch(new RegExp(`name="${field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="${field}"`))
    }
    // Nothing changed: the old password still signs in.
    await signedIn('zhang.san')
  })

  it('changes it, ends the user’s other sessions but not this one, and audits it', async () => {
    const id = await addUser(t.db, 'li.si', 'officer', org.outletA1.id)
    const here = await signedIn('li.si')
    const elsewhere = await signedIn('li.si')
    const changed = await here.post('/account/password', changeForm(PASSWORD, 'plum blossoms in spring'))
    expect(changed.status).toBe(200)
    expect(await changed.text()).toContain('密码已修改')

    expect((await here.get('/')).status).toBe(200)
    const other = await elsewhere.get('/')
    expect(other.status).toBe(302)
    expect(other.headers.get('location')).toMatch(/^\/login/)

    expect((await suite.client().signIn('li.si', PASSWORD)).status).toBe(401)
    await signedIn('li.si', 'plum blossoms in spring')

    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor_id', 'detail']).where('entity_type', '=', 'user').where('entity_id', '=', String(id)).where('action', 'like', 'user.change_password%').execute()
    expect(audit).toEqual([{ action: 'user.change_password', actor_id: id, detail: JSON.stringify({ otherSessionsEnded: 1 }) }])
  })

  it('audits a wrong current password', async () => {
    const id = await addUser(t.db, 'wang.wu', 'officer', org.outletA1.id)
    const client = await signedIn('wang.wu')
    expect((await client.post('/account/password', changeForm('not my password', 'plum blossoms in spring'))).status).toBe(400)
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity_id', '=', String(id)).where('action', 'like', 'user.change_password%').execute()
    expect(audit).toEqual([{ action: 'user.change_password.failed' }])
  })
})

describe('a password an admin gives', () => {
  beforeAll(async () => {
    await addUser(t.db, 'root.admin', 'admin', org.hq.id)
  })

  /** Signs in and answers where the app sends the user next. */
  async function landing(username: string, password: string) {
    const client = suite.client()
    expect((await client.signIn(username, password)).status).toBe(302)
    return (await client.get('/')).headers.get('location')
  }

  it('from the "new user" form is one-time: the user must choose their own at first sign-in', async () => {
    const admin = await signedIn('root.admin')
    const created = await admin.post('/admin/users', { username: 'fresh.hire', name: '新人', role: 'officer', orgUnitId: String(org.outletA2.id), password: 'given by the admin 1' })
    expect(created.status).toBe(200)
    expect(await created.text()).toContain('一次性密码')
    const user = await t.db.selectFrom('users').select('must_change_password').where('username', '=', 'fresh.hire').executeTakeFirstOrThrow()
    expect(user.must_change_password).toBe(1)
    expect(await landing('fresh.hire', 'given by the admin 1')).toBe('/account/password')
  })

  it('from a reset is one-time too, even for a user who had chosen their own', async () => {
    const id = await addUser(t.db, 'forgot.it', 'officer', org.outletA1.id)
    expect(await landing('forgot.it', PASSWORD)).toBeNull()
    const admin = await signedIn('root.admin')
    expect((await admin.post(`/admin/users/${id}`, { intent: 'password', password: 'reset by the admin 2' })).status).toBe(200)
    expect(await landing('forgot.it', 'reset by the admin 2')).toBe('/account/password')
    // Once they choose their own, they are free again.
    const client = suite.client()
    await client.signIn('forgot.it', 'reset by the admin 2')
    expect((await client.post('/account/password', changeForm('reset by the admin 2', 'my own choice at last'))).status).toBe(302)
    expect((await client.get('/')).status).toBe(200)
  })
})
