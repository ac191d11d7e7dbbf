// Users: who they are, what role they hold, where they sit. Each change is audited in the
// same transaction that makes it.
import { sql, type Kysely } from 'kysely'
import type { Database, Role } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor, type Db } from '../audit.server'
import { getOrgUnit } from '../org-units/find-org-units.server'
import { hashPassword } from '../password.server'
import { inScope } from '../scope.server'
import { endSessionsOfUser, normaliseUsername } from '../sessions.server'
import { releaseOfficer } from '../territories.server'

export interface UserListItem {
  id: number
  username: string
  name: string
  role: Role
  active: number
  orgUnitId: number
  orgName: string
  orgCode: string
  mustChangePassword: number
  employeeNumber: string | null
}

export interface UserFilter {
  q?: string
  role?: Role
  orgUnitId?: number
  active?: boolean
  limit?: number
  offset?: number
}

const userColumns = [
  'users.id',
  'users.username',
  'users.name',
  'users.role',
  'users.active',
  'users.org_unit_id as orgUnitId',
  'org_units.name as orgName',
  'org_units.code as orgCode',
  'users.must_change_password as mustChangePassword',
  'users.employee_number as employeeNumber',
] as const

export async function listUsers(db: Db, scope: Scope, filter: UserFilter = {}): Promise<UserListItem[]> {
  return filteredUsers(db, scope, filter)
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(userColumns)
    .orderBy('org_units.path')
    .orderBy('users.role', 'desc')
    .orderBy('users.username')
    .limit(filter.limit ?? 500)
    .offset(filter.offset ?? 0)
    .execute()
}

/** How many users the same filter finds, for the page count. */
export async function countUsers(db: Db, scope: Scope, filter: UserFilter = {}): Promise<number> {
  const row = await filteredUsers(db, scope, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

function filteredUsers(db: Db, scope: Scope, filter: UserFilter) {
  let q = db.selectFrom('users').where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
  const text = filter.q?.trim()
  if (text) {
    // Literal text: % and _ typed by the user match themselves.
    const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`)
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`${eb.ref('users.username')} like ${`%${escaped.toLowerCase()}%`} escape '\\'`,
        sql<boolean>`${eb.ref('users.name')} like ${`%${escaped}%`} escape '\\'`,
        sql<boolean>`${eb.ref('users.employee_number')} like ${`%${escaped}%`} escape '\\'`,
      ]),
    )
  }
  if (filter.role) q = q.where('users.role', '=', filter.role)
  if (filter.orgUnitId) q = q.where('users.org_unit_id', '=', filter.orgUnitId)
  if (filter.active !== undefined) q = q.where('users.active', '=', filter.active ? 1 : 0)
  return q
}

/** A user the scope may see, or undefined: a record outside scope looks like no record. */
export async function getUser(db: Db, scope: Scope, id: number): Promise<UserListItem | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select(userColumns)
    .where('users.id', '=', id)
    .where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
    .executeTakeFirst()
}

/** Counts of users by role in a scope's org units, for the home pages. */
export async function countUsersByRole(db: Db, scope: Scope): Promise<Record<Role, number>> {
  const rows = await db
    .selectFrom('users')
    .select(['users.role', (eb) => eb.fn.countAll<number>().as('n')])
    .where('users.active', '=', 1)
    .where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
    .groupBy('users.role')
    .execute()
  const counts: Record<Role, number> = { officer: 0, manager: 0, hq: 0, admin: 0 }
  for (const row of rows) counts[row.role] = Number(row.n)
  return counts
}

export interface NewUserInput {
  username: string
  name: string
  role: Role
  orgUnitId: number
  password: string
  /** A password someone else chose (the admin's form): the user must replace it at first sign-in. */
  oneTimePassword?: boolean
}

export async function createUser(db: Kysely<Database>, actor: Actor, input: NewUserInput): Promise<number> {
  const username = normaliseUsername(input.username)
  const passwordHash = await hashPassword(input.password)
  return db.transaction().execute(async (trx) => {
    if (!(await getOrgUnit(trx, input.orgUnitId))) throw new AppError('bad_request', 'validation.notFound')
    const taken = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()
    if (taken) throw new AppError('conflict', 'users.usernameTaken', { username })
    const now = new Date().toISOString()
    const { id } = await trx
      .insertInto('users')
      .values({
        username,
        name: input.name,
        role: input.role,
        org_unit_id: input.orgUnitId,
        active: 1,
        password_hash: passwordHash,
        must_change_password: input.oneTimePassword ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, {
      action: 'user.create',
      entityType: 'user',
      entityId: id,
      detail: { username, name: input.name, role: input.role, orgUnitId: input.orgUnitId },
    })
    return id
  })
}

export async function updateUser(
  db: Kysely<Database>,
  actor: Actor,
  id: number,
  changes: { name: string; role: Role; orgUnitId: number },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('users').select(['name', 'role', 'org_unit_id']).where('id', '=', id).executeTakeFirst()
    if (!before) throw new AppError('not_found', 'error.notFound')
    if (!(await getOrgUnit(trx, changes.orgUnitId))) throw new AppError('bad_request', 'validation.notFound')
    await trx
      .updateTable('users')
      .set({ name: changes.name, role: changes.role, org_unit_id: changes.orgUnitId, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    // A new role or place changes what the user may see: they sign in again, and an officer
    // who moves or stops being one leaves their players visibly unassigned.
    if (before.role !== changes.role || before.org_unit_id !== changes.orgUnitId) {
      await endSessionsOfUser(trx, id)
      if (before.role === 'officer') await releaseOfficer(trx, actor, id, 'territory.reason.officerMoved')
    }
    await recordAudit(trx, actor, {
      action: 'user.update',
      entityType: 'user',
      entityId: id,
      detail: {
        before: { name: before.name, role: before.role, orgUnitId: before.org_unit_id },
        after: changes,
      },
    })
  })
}

export async function setUserActive(db: Kysely<Database>, actor: Actor, id: number, active: boolean): Promise<void> {
  if (!active && actor.id === id) throw new AppError('bad_request', 'users.cannotDeactivateSelf')
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('users')
      .set({ active: active ? 1 : 0, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) throw new AppError('not_found', 'error.notFound')
    if (!active) {
      await endSessionsOfUser(trx, id)
      await releaseOfficer(trx, actor, id, 'territory.reason.officerDeactivated')
    }
    await recordAudit(trx, actor, { action: active ? 'user.reactivate' : 'user.deactivate', entityType: 'user', entityId: id })
  })
}

/** An admin signs a user out everywhere (a lost phone, a shared password): audited with how many. */
export async function endUserSessions(db: Kysely<Database>, actor: Actor, id: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ended = await endSessionsOfUser(trx, id)
    await recordAudit(trx, actor, { action: 'user.end_sessions', entityType: 'user', entityId: id, detail: { sessions: ended } })
    return ended
  })
}

/** The admin's new password is one-time: the user must replace it at their next sign-in. */
export async function resetPassword(db: Kysely<Database>, actor: Actor, id: number, password: string): Promise<void> {
  const passwordHash = await hashPassword(password)
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: 1, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) throw new AppError('not_found', 'error.notFound')
    await endSessionsOfUser(trx, id)
    await recordAudit(trx, actor, { action: 'user.reset_password', entityType: 'user', entityId: id })
  })
}

/** Active officers and managers sitting directly in each org unit the scope may see. */
export async function countStaffPerOrgUnit(db: Db, scope: Scope): Promise<Map<number, { officers: number; managers: number }>> {
  const rows = await db
    .selectFrom('users')
    .select([
      'users.org_unit_id as orgUnitId',
      'users.role',
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('users.active', '=', 1)
    .where('users.role', 'in', ['officer', 'manager'])
    .where(inScope(scope, { orgUnit: 'users.org_unit_id', owner: 'users.id' }))
    .groupBy(['users.org_unit_id', 'users.role'])
    .execute()
  const counts = new Map<number, { officers: number; managers: number }>()
  for (const row of rows) {
    const entry = counts.get(row.orgUnitId) ?? { officers: 0, managers: 0 }
    if (row.role === 'officer') entry.officers = Number(row.n)
    else entry.managers = Number(row.n)
    counts.set(row.orgUnitId, entry)
  }
  return counts
}

/** The active managers of one org unit: who an officer reports to. */
export async function findManagersOfOrgUnit(db: Db, orgUnitId: number) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'username'])
    .where('org_unit_id', '=', orgUnitId)
    .where('role', '=', 'manager')
    .where('active', '=', 1)
    .orderBy('username')
    .execute()
}
