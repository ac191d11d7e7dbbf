// Users as an admin or manager lists them: filtered, paged and counted within scope.
import { sql } from 'kysely'
import type { Role } from '../../../db/schema'
import type { Scope } from '../../domain/scope'
import type { Db } from '../audit.server'
import { inScope } from '../scope.server'

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

export const userColumns = [
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
