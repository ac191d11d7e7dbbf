import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signIn, findSessionUser, endSessionsOfUser } from '../../app/services/sessions.server'
import { setUserActive } from '../../app/services/users/set-user-active.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { findSignInHold, unlockSignIn } from '../../app/services/sign-in-unlock.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'

const policy = { sessionIdleMinutes: 30, sessionMaxHours: 12 }
let t: TestDatabase
let officerId: number

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  officerId = await addUser(t.db, 'li.lei', 'officer', org.outletA1.id)
  await addUser(t.db, 'han.mei', 'officer', org.outletA1.id)
  await addUser(t.db, 'wang.wu', 'officer', org.outletA1.id)
})
afterAll(() => t.destroy())

const input = (username: string, password: string, ip = '10.0.0.1') => ({ username, password, ip, userAgent: 'test' })

describe('sign-in', () => {
  it('signs in with the right password, case-insensitively on the user name, and finds the user by token', async () => {
    const result = await signIn(t.db, input('  Li.Lei ', PASSWORD), policy)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const user = await findSessionUser(t.db, result.token, policy)
    expect(user).toMatchObject({ id: officerId, username: 'li.lei', role: 'officer', orgName: '甲一网点' })
    expect(user!.orgPath).toMatch(/^\/\d+\/\d+\/\d+\/$/)
  })

  it('refuses a wrong password and an unknown user with the same answer, and audits both', async () => {
    expect(await signIn(t.db, input('li.lei', 'wrong password'), policy)).toEqual({ ok: false, reason: 'invalid' })
    expect(await signIn(t.db, input('nobody', PASSWORD), policy)).toEqual({ ok: false, reason: 'invalid' })
    const failures = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'sign_in.failed').execute()
    expect(failures.map((f) => f.actor_username)).toEqual(expect.arrayContaining(['li.lei', 'nobody']))
  })

  it('slows one (name, address) pair with a growing wait; a stranger elsewhere cannot keep the user out', async () => {
    const now = new Date()
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000)
    // A stranger guesses han.mei's password from their own address, again and again: past
    // the three free tries each failure holds the pair back longer (tries while held count not).
    let clock = 0
    const waits: number[] = []
    while (waits.length < 4) {
      const tried = await signIn(t.db, input('han.mei', 'nope', '10.1.0.1'), policy, later(clock))
      if (tried.ok === false && tried.reason === 'throttled') {
        waits.push(tried.retryAfterSeconds)
        clock += tried.retryAfterSeconds
      }
    }
    expect(waits).toEqual([30, 60, 120, 240])
    // The user, from their own address, signs in at once, and so does the stranger's pair once it waited.
    expect((await signIn(t.db, input('han.mei', PASSWORD, '10.9.9.9'), policy, later(clock))).ok).toBe(true)
    expect((await signIn(t.db, input('han.mei', PASSWORD, '10.1.0.1'), policy, later(clock))).ok).toBe(true)
  })

  it('an admin clears the counters of every address of a user, audited; other users keep theirs', async () => {
    // (One failure of li.lei's from 10.0.0.1 is counted already, by the test before.)
    for (let i = 0; i < 5; i++) await signIn(t.db, input('li.lei', 'nope', '10.6.0.1'), policy)
    for (let i = 0; i < 5; i++) await signIn(t.db, input('li.lei', 'nope', '10.6.0.2'), policy)
    for (let i = 0; i < 5; i++) await signIn(t.db, input('li.lei2', 'nope', '10.6.0.3'), policy)
    expect((await signIn(t.db, input('li.lei', PASSWORD, '10.6.0.1'), policy)).ok).toBe(false)
    expect(await findSignInHold(t.db, 'li.lei')).toMatchObject({ pairs: 3, failures: 9 })
    const cleared = await unlockSignIn(t.db, { id: null, username: 'root', ip: null }, { id: officerId, username: 'li.lei' })
    expect(cleared).toBe(3)
    expect((await signIn(t.db, input('li.lei', PASSWORD, '10.6.0.1'), policy)).ok).toBe(true)
    expect(await findSignInHold(t.db, 'li.lei2')).toMatchObject({ pairs: 1 })
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'sign_in.unlocked').executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actor_username: 'root', entity_id: String(officerId) })
  })

  it('slows a client after twenty failures across user names', async () => {
    for (let i = 0; i < 21; i++) await signIn(t.db, input(`guess${i}`, 'nope', '10.2.2.2'), policy)
    const result = await signIn(t.db, input('wang.wu', PASSWORD, '10.2.2.2'), policy)
    expect(result.ok === false && result.reason).toBe('throttled')
    expect((await signIn(t.db, input('wang.wu', PASSWORD, '10.3.3.3'), policy)).ok).toBe(true)
  })

  it('a success clears the user name’s failures', async () => {
    const u = await addUser(t.db, 'zhao.liu', 'officer', (await t.db.selectFrom('org_units').select('id').where('code', '=', 'A-2').executeTakeFirstOrThrow()).id)
    expect(u).toBeGreaterThan(0)
    for (let i = 0; i < 3; i++) await signIn(t.db, input('zhao.liu', 'nope', '10.4.0.1'), policy)
    expect((await signIn(t.db, input('zhao.liu', PASSWORD, '10.4.0.1'), policy)).ok).toBe(true)
    // Three more free tries: the count started again.
    for (let i = 0; i < 3; i++) await signIn(t.db, input('zhao.liu', 'nope', '10.4.0.1'), policy)
    expect((await signIn(t.db, input('zhao.liu', PASSWORD, '10.4.0.1'), policy)).ok).toBe(true)
  })
})

describe('sessions', () => {
  async function freshToken(now: Date) {
    const result = await signIn(t.db, input('wang.wu', PASSWORD, '10.5.0.1'), policy, now)
    if (!result.ok) throw new Error('sign-in failed')
    return result.token
  }

  it('ends after the idle limit, and activity keeps it alive', async () => {
    const start = new Date()
    const token = await freshToken(start)
    const later = (minutes: number) => new Date(start.getTime() + minutes * 60_000)
    expect(await findSessionUser(t.db, token, policy, later(20))).not.toBeNull()
    expect(await findSessionUser(t.db, token, policy, later(45))).not.toBeNull() // 25 min after the last touch
    expect(await findSessionUser(t.db, token, policy, later(80))).toBeNull() // 35 min idle
    expect(await findSessionUser(t.db, token, policy, later(81))).toBeNull() // and it stays gone
  })

  it('ends at the absolute limit however active it is', async () => {
    const start = new Date()
    const token = await freshToken(start)
    for (let m = 25; m < 12 * 60; m += 25) {
      expect(await findSessionUser(t.db, token, policy, new Date(start.getTime() + m * 60_000))).not.toBeNull()
    }
    expect(await findSessionUser(t.db, token, policy, new Date(start.getTime() + 12 * 3_600_000))).toBeNull()
  })

  it('ends when the user is deactivated, and deactivated users cannot sign in', async () => {
    const token = await freshToken(new Date())
    const id = (await t.db.selectFrom('users').select('id').where('username', '=', 'wang.wu').executeTakeFirstOrThrow()).id
    await setUserActive(t.db, { actor: SYSTEM_ACTOR }, { id: id, active: false })
    expect(await findSessionUser(t.db, token, policy)).toBeNull()
    expect(await signIn(t.db, input('wang.wu', PASSWORD, '10.6.0.1'), policy)).toEqual({ ok: false, reason: 'invalid' })
    await setUserActive(t.db, { actor: SYSTEM_ACTOR }, { id: id, active: true })
    const again = await freshToken(new Date())
    expect(await endSessionsOfUser(t.db, id)).toBeGreaterThanOrEqual(1)
    expect(await findSessionUser(t.db, again, policy)).toBeNull()
  })

  it('does not accept an unknown token', async () => {
    expect(await findSessionUser(t.db, 'not-a-token', policy)).toBeNull()
  })
})
