// The staff from an HR export: every row checked (preview), then applied in one
// transaction: stored users (by employee number, else user name) updated, missing ones
// created with a one-time initial password they must change at first sign-in, and, only
// when asked, active users no longer listed deactivated. Run again, it changes only what differs.
import type { Kysely } from 'kysely'
import type { Database, Role } from '../../../db/schema'
import { checkStaffRow, REQUIRED_STAFF_FIELDS, STAFF_HEADERS, type RowIssue, type StaffField, type StaffRow } from '../../domain/hr-rows'
import { maskPhone } from '../../domain/masking'
import type { Message } from '../../i18n/index'
import { recordAudit, type Actor } from '../audit.server'
import { hashInitialPassword, hashMany, newInitialPassword } from '../password.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { endSessionsOfUser } from '../sessions.server'
import { releaseOfficer } from '../territories/release-officer.server'
import { readHrTable, reportIssues, type IssueReport } from './read-hr-table.server'

export interface StaffImportOptions {
  filePath: string
  fileName: string
  apply: boolean
  /** Deactivate active users the file does not list (administrators and the importer aside). */
  deactivateMissing: boolean
}

export interface InitialPassword {
  row: number
  username: string
  name: string
  password: string
}

export interface StaffImportResult {
  applied: boolean
  rows: number
  created: number
  updated: number
  unchanged: number
  /** Active users the file does not list: deactivated when asked, else only counted. */
  missing: number
  deactivated: number
  unknownColumns: string[]
  errors: IssueReport[]
  warnings: IssueReport[]
  fileError: Message | null
  /** Only after an apply, once: the new users' one-time passwords (only hashes are stored). */
  initialPasswords: InitialPassword[]
}

interface StoredUser {
  id: number
  username: string
  name: string
  role: Role
  org_unit_id: number
  active: number
  employee_number: string | null
  mobile_hash: string | null
}

export async function importStaff(db: Kysely<Database>, actor: Actor, pii: PersonalDataCipher, input: StaffImportOptions): Promise<StaffImportResult> {
  const read = await readHrTable(input.filePath, input.fileName, STAFF_HEADERS, REQUIRED_STAFF_FIELDS)
  const nothing = { applied: false, rows: 0, created: 0, updated: 0, unchanged: 0, missing: 0, deactivated: 0, unknownColumns: [], errors: [], warnings: [], initialPasswords: [] }
  if (!read.ok) return { ...nothing, fileError: read.fileError }
  const { rows, headerOf, unknownHeaders } = read.table

  const issues: RowIssue<StaffField>[] = []
  const warnings: RowIssue<StaffField>[] = []
  const members: StaffRow[] = []
  const rowOfUsername = new Map<string, number>()
  const rowOfNumber = new Map<string, number>()
  for (const { row, cells } of rows) {
    const checked = checkStaffRow(row, cells)
    issues.push(...checked.issues)
    warnings.push(...checked.warnings)
    const m = checked.member
    if (!m) continue
    const sameName = rowOfUsername.get(m.username)
    const sameNumber = m.employeeNumber === null ? undefined : rowOfNumber.get(m.employeeNumber)
    if (sameName !== undefined) issues.push({ row, field: headerOf.username ? 'username' : 'employeeNumber', message: { key: 'hr.duplicateUsername', params: { username: m.username, row: sameName } } })
    else if (sameNumber !== undefined) issues.push({ row, field: 'employeeNumber', message: { key: 'hr.duplicateNumber', params: { number: m.employeeNumber!, row: sameNumber } } })
    else {
      rowOfUsername.set(m.username, row)
      if (m.employeeNumber !== null) rowOfNumber.set(m.employeeNumber, row)
      members.push(m)
    }
  }

  // Hashing is the slow part (milliseconds each): done before the transaction, in parallel
  // off the event loop, for those not stored when the file was checked.
  const passwords = new Map<string, { password: string; hash: string }>()
  if (input.apply && issues.length === 0) {
    const stored = await findStoredUsers(db)
    const fresh = members.filter((m) => !matchOf(m, stored))
    const plain = fresh.map(() => newInitialPassword())
    const hashes = await hashMany(plain, hashInitialPassword)
    fresh.forEach((m, i) => passwords.set(m.username, { password: plain[i], hash: hashes[i] }))
  }

  const outcome = await db.transaction().execute(async (trx) => {
    const units = await trx.selectFrom('org_units').select(['id', 'code']).execute()
    const unitOf = new Map(units.map((u) => [u.code, u.id]))
    const stored = await findStoredUsers(trx)
    const plan: { member: StaffRow; orgUnitId: number; user: StoredUser | undefined; mobileHash: string | null }[] = []
    for (const member of members) {
      const orgUnitId = unitOf.get(member.orgCode)
      if (orgUnitId === undefined) {
        issues.push({ row: member.row, field: 'orgCode', message: { key: 'hr.unknownOrgUnit', params: { code: member.orgCode } } })
        continue
      }
      const user = matchOf(member, stored)
      const byName = stored.byUsername.get(member.username)
      if (user && byName && byName.id !== user.id) {
        issues.push({ row: member.row, field: headerOf.username ? 'username' : 'employeeNumber', message: { key: 'users.usernameTaken', params: { username: member.username } } })
        continue
      }
      const byNumber = member.employeeNumber === null ? undefined : stored.byNumber.get(member.employeeNumber)
      if (user && byNumber && byNumber.id !== user.id) {
        issues.push({ row: member.row, field: 'employeeNumber', message: { key: 'hr.numberTaken', params: { number: member.employeeNumber!, username: byNumber.username } } })
        continue
      }
      plan.push({ member, orgUnitId, user, mobileHash: member.mobile === null ? null : pii.blindIndex('phone', member.mobile) })
    }
    const changed = (p: (typeof plan)[number]) =>
      p.user !== undefined &&
      (p.user.name !== p.member.name ||
        p.user.role !== p.member.role ||
        p.user.org_unit_id !== p.orgUnitId ||
        p.user.username !== p.member.username ||
        (p.member.employeeNumber !== null && p.user.employee_number !== p.member.employeeNumber) ||
        (p.member.mobile !== null && p.user.mobile_hash !== p.mobileHash))
    const listed = new Set(plan.flatMap((p) => (p.user ? [p.user.id] : [])))
    const missing = [...stored.byId.values()].filter((u) => u.active === 1 && u.role !== 'admin' && u.id !== actor.id && !listed.has(u.id))
    const counts = {
      created: plan.filter((p) => !p.user).length,
      updated: plan.filter(changed).length,
      unchanged: plan.filter((p) => p.user && !changed(p)).length,
      missing: missing.length,
    }
    if (issues.length > 0 || !input.apply) return { applied: false, ...counts, deactivated: 0, initialPasswords: [] }

    const now = new Date().toISOString()
    const initialPasswords: InitialPassword[] = []
    for (const p of plan) {
      const { member } = p
      const mobile = member.mobile === null ? {} : { mobile_enc: pii.encrypt(member.mobile), mobile_hash: p.mobileHash, mobile_masked: maskPhone(member.mobile) }
      if (!p.user) {
        // Stored by someone else since the file was checked: hashed here (rare).
        const given = passwords.get(member.username) ?? (await (async () => {
          const password = newInitialPassword()
          return { password, hash: await hashInitialPassword(password) }
        })())
        const { id } = await trx
          .insertInto('users')
          .values({
            username: member.username,
            name: member.name,
            role: member.role,
            org_unit_id: p.orgUnitId,
            active: 1,
            password_hash: given.hash,
            must_change_password: 1,
            employee_number: member.employeeNumber,
            ...mobile,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        initialPasswords.push({ row: member.row, username: member.username, name: member.name, password: given.password })
        await recordAudit(trx, actor, { action: 'user.create', entityType: 'user', entityId: id, detail: { username: member.username, name: member.name, role: member.role, orgUnitId: p.orgUnitId, via: 'import' } })
        continue
      }
      if (!changed(p)) continue
      const before = p.user
      await trx
        .updateTable('users')
        .set({ username: member.username, name: member.name, role: member.role, org_unit_id: p.orgUnitId, ...(member.employeeNumber === null ? {} : { employee_number: member.employeeNumber }), ...mobile, updated_at: now })
        .where('id', '=', before.id)
        .execute()
      // As on the user's page: a new role or place ends their sessions, and an officer who
      // moves or stops being one leaves their players visibly unassigned.
      if (before.role !== member.role || before.org_unit_id !== p.orgUnitId) {
        await endSessionsOfUser(trx, before.id)
        if (before.role === 'officer') await releaseOfficer(trx, { actor }, { officerId: before.id, reason: 'territory.reason.officerMoved' })
      }
      await recordAudit(trx, actor, {
        action: 'user.update',
        entityType: 'user',
        entityId: before.id,
        detail: {
          before: { username: before.username, name: before.name, role: before.role, orgUnitId: before.org_unit_id },
          after: { username: member.username, name: member.name, role: member.role, orgUnitId: p.orgUnitId },
          mobileChanged: member.mobile !== null && before.mobile_hash !== p.mobileHash,
          via: 'import',
        },
      })
    }
    let deactivated = 0
    if (input.deactivateMissing) {
      for (const user of missing) {
        await trx.updateTable('users').set({ active: 0, updated_at: now }).where('id', '=', user.id).execute()
        await endSessionsOfUser(trx, user.id)
        await releaseOfficer(trx, { actor }, { officerId: user.id, reason: 'territory.reason.officerDeactivated' })
        await recordAudit(trx, actor, { action: 'user.deactivate', entityType: 'user', entityId: user.id, detail: { via: 'import', reason: 'not listed' } })
        deactivated++
      }
    }
    await recordAudit(trx, actor, {
      action: 'user.import',
      entityType: 'user',
      detail: { file: input.fileName, rows: rows.length, ...counts, deactivated, deactivateMissing: input.deactivateMissing },
    })
    return { applied: true, ...counts, deactivated, initialPasswords }
  })

  return {
    ...outcome,
    rows: rows.length,
    unknownColumns: unknownHeaders,
    errors: reportIssues(issues, headerOf),
    warnings: reportIssues(warnings, headerOf),
    fileError: null,
  }
}

interface StoredUsers {
  byId: Map<number, StoredUser>
  byUsername: Map<string, StoredUser>
  byNumber: Map<string, StoredUser>
}

async function findStoredUsers(db: Kysely<Database>): Promise<StoredUsers> {
  const users = await db.selectFrom('users').select(['id', 'username', 'name', 'role', 'org_unit_id', 'active', 'employee_number', 'mobile_hash']).execute()
  return {
    byId: new Map(users.map((u) => [u.id, u])),
    byUsername: new Map(users.map((u) => [u.username, u])),
    byNumber: new Map(users.flatMap((u) => (u.employee_number === null ? [] : [[u.employee_number, u] as const]))),
  }
}

/** The stored user a row is: by employee number when it has one, else by user name. */
function matchOf(member: StaffRow, stored: StoredUsers): StoredUser | undefined {
  return (member.employeeNumber === null ? undefined : stored.byNumber.get(member.employeeNumber)) ?? stored.byUsername.get(member.username)
}
