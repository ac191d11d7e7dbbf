// Small org trees and users for tests: two branches, each with an outlet, so scoping has
// somewhere to fail.
import type { Kysely } from 'kysely'
import type { Database, Role } from '../../db/schema'
import type { PlayerFields } from '../../app/domain/market-player'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createOrgUnit } from '../../app/services/org-units/create-org-unit.server'
import { createUser } from '../../app/services/users/create-user.server'

export const PASSWORD = 'correct horse battery'

export async function buildOrg(db: Kysely<Database>) {
  const hq = await createOrgUnit(db, SYSTEM_ACTOR, { code: 'HQ', name: '总行', kind: 'hq', parentId: null })
  const branchA = await createOrgUnit(db, SYSTEM_ACTOR, { code: 'A', name: '甲分行', kind: 'branch', parentId: hq.id })
  const outletA1 = await createOrgUnit(db, SYSTEM_ACTOR, { code: 'A-1', name: '甲一网点', kind: 'outlet', parentId: branchA.id })
  const outletA2 = await createOrgUnit(db, SYSTEM_ACTOR, { code: 'A-2', name: '甲二网点', kind: 'outlet', parentId: branchA.id })
  const branchB = await createOrgUnit(db, SYSTEM_ACTOR, { code: 'B', name: '乙分行', kind: 'branch', parentId: hq.id })
  const outletB1 = await createOrgUnit(db, SYSTEM_ACTOR, { code: 'B-1', name: '乙一网点', kind: 'outlet', parentId: branchB.id })
  return { hq, branchA, outletA1, outletA2, branchB, outletB1 }
}

export async function addUser(db: Kysely<Database>, username: string, role: Role, orgUnitId: number) {
  return createUser(db, SYSTEM_ACTOR, { username, name: username, role, orgUnitId, password: PASSWORD })
}

/** An active enterprise registered in 2020, grade B, never borrowed; override what a test is about. */
export function playerFields(name: string, overrides: Partial<PlayerFields> = {}): PlayerFields {
  return {
    uscc: null, name, kind: 'enterprise', legalRepresentative: '王五', owner: null, idNumber: null, phone: null, industry: 'C',
    industryCode: null, employees: 12, revenueYuan: 3_000_000, assetsYuan: null, registeredOn: '2020-04-01', registrationStatus: 'active',
    address: `${name}地址`, areaCode: null, lat: 33.78, lng: 114.53, taxGrade: 'B', loanHistory: 'none', loanCheckedOn: '2026-03-02',
    ...overrides,
  }
}

/** A moment `days` after now as an ISO string: stage reports must come after the hand-off, which the clock stamps. */
export function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString()
}
