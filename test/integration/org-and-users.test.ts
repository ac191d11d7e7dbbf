import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../app/domain/app-error'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createOrgUnit } from '../../app/services/org-units/create-org-unit.server'
import { listOrgUnits } from '../../app/services/org-units/find-org-units.server'
import { moveOrgUnit } from '../../app/services/org-units/move-org-unit.server'
import { renameOrgUnit } from '../../app/services/org-units/rename-org-unit.server'
import { findSessionUser, signIn } from '../../app/services/sessions.server'
import { createUser } from '../../app/services/users/create-user.server'
import { getUser } from '../../app/services/users/get-user.server'
import { listUsers } from '../../app/services/users/list-users.server'
import { resetPassword } from '../../app/services/users/reset-password.server'
import { updateUser } from '../../app/services/users/update-user.server'
import { scopeOf } from '../../app/domain/scope'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'

let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>
const admin = { id: null, username: 'admin', ip: '127.0.0.1' }
const policy = { sessionIdleMinutes: 30, sessionMaxHours: 12 }

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
})
afterAll(() => t.destroy())

async function auditOf(entityType: string, entityId: number) {
  return t.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', String(entityId))
    .orderBy('id')
    .execute()
}

describe('org units', () => {
  it('creates a unit under its parent with the parent’s path, and audits it', async () => {
    const sub = await createOrgUnit(t.db, admin, { code: 'A-S', name: '甲支行', kind: 'sub_branch', parentId: org.branchA.id })
    expect(sub.path).toBe(`${org.branchA.path}${sub.id}/`)
    expect(sub.depth).toBe(2)
    const audit = await auditOf('org_unit', sub.id)
    expect(audit.map((a) => a.action)).toEqual(['org_unit.create'])
    expect(audit[0].actor_username).toBe('admin')
  })

  it('refuses a duplicate code, a kind that cannot sit under the parent, and a second root', async () => {
    await expect(createOrgUnit(t.db, admin, { code: 'A', name: 'x', kind: 'outlet', parentId: org.hq.id })).rejects.toMatchObject({
      code: 'conflict',
      messageKey: 'org.codeTaken',
    })
    await expect(createOrgUnit(t.db, admin, { code: 'Z1', name: 'x', kind: 'branch', parentId: org.outletA1.id })).rejects.toMatchObject({
      messageKey: 'org.kindNotAllowed',
    })
    await expect(createOrgUnit(t.db, admin, { code: 'Z2', name: 'x', kind: 'hq', parentId: null })).rejects.toMatchObject({
      messageKey: 'org.kindNotAllowed',
    })
  })

  it('moves a unit with its whole subtree, rewriting every path below it', async () => {
    const sub = await createOrgUnit(t.db, admin, { code: 'A-M', name: '待迁支行', kind: 'sub_branch', parentId: org.branchA.id })
    const outlet = await createOrgUnit(t.db, admin, { code: 'A-M-1', name: '待迁网点', kind: 'outlet', parentId: sub.id })
    await moveOrgUnit(t.db, { actor: admin }, { id: sub.id, parentId: org.branchB.id })
    const units = await listOrgUnits(t.db, { kind: 'all' })
    const movedSub = units.find((u) => u.id === sub.id)!
    const movedOutlet = units.find((u) => u.id === outlet.id)!
    expect(movedSub.path).toBe(`${org.branchB.path}${sub.id}/`)
    expect(movedSub.parentId).toBe(org.branchB.id)
    expect(movedOutlet.path).toBe(`${org.branchB.path}${sub.id}/${outlet.id}/`)
    expect(movedOutlet.depth).toBe(3)
    // Branch B's manager now sees the moved outlet; branch A's does not.
    const bScope = scopeOf({ id: 0, role: 'manager', orgPath: org.branchB.path })
    const aScope = scopeOf({ id: 0, role: 'manager', orgPath: org.branchA.path })
    expect((await listOrgUnits(t.db, bScope)).map((u) => u.code)).toContain('A-M-1')
    expect((await listOrgUnits(t.db, aScope)).map((u) => u.code)).not.toContain('A-M-1')
    expect((await auditOf('org_unit', sub.id)).map((a) => a.action)).toEqual(['org_unit.create', 'org_unit.move'])
  })

  it('refuses to move a unit under its own descendant, and leaves the tree as it was', async () => {
    const before = await listOrgUnits(t.db, { kind: 'all' })
    await expect(moveOrgUnit(t.db, { actor: admin }, { id: org.branchA.id, parentId: org.outletA1.id })).rejects.toBeInstanceOf(AppError)
    expect(await listOrgUnits(t.db, { kind: 'all' })).toEqual(before)
  })

  it('renames and audits the old and new names', async () => {
    await renameOrgUnit(t.db, { actor: admin }, { id: org.outletB1.id, name: '乙一新网点' })
    const audit = await auditOf('org_unit', org.outletB1.id)
    expect(JSON.parse(audit.at(-1)!.detail!)).toEqual({ from: '乙一网点', to: '乙一新网点' })
  })
})

describe('users', () => {
  it('lists users by scope: a manager sees the subtree, an officer only themselves, admin all', async () => {
    const managerA = await addUser(t.db, 'mgr.a', 'manager', org.branchA.id)
    const officerA = await addUser(t.db, 'off.a', 'officer', org.outletA1.id)
    await addUser(t.db, 'off.b', 'officer', org.outletB1.id)
    const managerScope = scopeOf({ id: managerA, role: 'manager', orgPath: org.branchA.path })
    const officerScope = scopeOf({ id: officerA, role: 'officer', orgPath: org.outletA1.path })
    const names = async (scope: ReturnType<typeof scopeOf>) => (await listUsers(t.db, scope)).map((u) => u.username).sort()
    expect(await names(managerScope)).toEqual(['mgr.a', 'off.a'])
    expect(await names(officerScope)).toEqual(['off.a'])
    expect(await names({ kind: 'all' })).toEqual(expect.arrayContaining(['mgr.a', 'off.a', 'off.b']))
    const offB = (await listUsers(t.db, { kind: 'all' }, { q: 'off.b' }))[0]
    expect(await getUser(t.db, { scope: managerScope }, { id: offB.id })).toBeUndefined()
  })

  it('refuses a user name already taken, whatever its case', async () => {
    await expect(
      createUser(t.db, SYSTEM_ACTOR, { username: 'OFF.A', name: 'x', role: 'officer', orgUnitId: org.outletA1.id, password: PASSWORD }),
    ).rejects.toMatchObject({ code: 'conflict', messageKey: 'users.usernameTaken' })
  })

  it('changing a role ends the user’s sessions and audits before and after', async () => {
    const id = await addUser(t.db, 'promote.me', 'officer', org.outletA1.id)
    const signedIn = await signIn(t.db, { username: 'promote.me', password: PASSWORD, ip: null, userAgent: null }, policy)
    if (!signedIn.ok) throw new Error('sign-in failed')
    await updateUser(t.db, { actor: admin }, { id, name: '升职', role: 'manager', orgUnitId: org.outletA1.id })
    expect(await findSessionUser(t.db, signedIn.token, policy)).toBeNull()
    const audit = await auditOf('user', id)
    expect(audit.at(-1)!.action).toBe('user.update')
    expect(JSON.parse(audit.at(-1)!.detail!)).toMatchObject({
      before: { role: 'officer', name: 'promote.me' },
      after: { role: 'manager', name: '升职' },
    })
    const again = await signIn(t.db, { username: 'promote.me', password: PASSWORD, ip: null, userAgent: null }, policy)
    expect(again.ok && (await findSessionUser(t.db, again.token, policy))?.role).toBe('manager')
  })

  it('a password reset replaces the password and ends sessions', async () => {
    const id = await addUser(t.db, 'forgetful', 'officer', org.outletA2.id)
    const signedIn = await signIn(t.db, { username: 'forgetful', password: PASSWORD, ip: null, userAgent: null }, policy)
    if (!signedIn.ok) throw new Error('sign-in failed')
    await resetPassword(t.db, { actor: admin }, { id, password: 'a brand new passphrase' })
    expect(await findSessionUser(t.db, signedIn.token, policy)).toBeNull()
    expect((await signIn(t.db, { username: 'forgetful', password: PASSWORD, ip: null, userAgent: null }, policy)).ok).toBe(false)
    expect((await signIn(t.db, { username: 'forgetful', password: 'a brand new passphrase', ip: null, userAgent: null }, policy)).ok).toBe(true)
    // The admin chose it, so it is one-time: the user must replace it first.
    expect((await t.db.selectFrom('users').select('must_change_password').where('id', '=', id).executeTakeFirstOrThrow()).must_change_password).toBe(1)
    const audit = await auditOf('user', id)
    expect(audit.map((a) => a.action)).toContain('user.reset_password')
    expect(audit.every((a) => !(a.detail ?? '').includes('passphrase'))).toBe(true)
  })
})
