// The organisation tree and the staff as an HR system exports them (PRODUCT.md "Going
// live"): which headers mean what, in Chinese or English, the words HR uses for levels and
// roles, and the checks of each row. Pure: the services read the file and the database.
import type { Message } from '../i18n/index'
import type { OrgUnitKind, Role } from '../../db/schema'
import { checkMobile } from './identifiers'
import { normaliseHeader } from './list-columns'
import { childKindsOf } from './org-tree'

export const ORG_CODE_PATTERN = /^[A-Za-z0-9-]{1,20}$/
export const USERNAME_PATTERN = /^[a-z0-9._-]{2,40}$/

export const ORG_FIELDS = ['code', 'name', 'parentCode', 'level'] as const
export type OrgField = (typeof ORG_FIELDS)[number]
export const STAFF_FIELDS = ['employeeNumber', 'username', 'name', 'role', 'orgCode', 'mobile'] as const
export type StaffField = (typeof STAFF_FIELDS)[number]

export const ORG_HEADERS: Record<OrgField, readonly string[]> = {
  code: ['机构代码', '机构编码', '机构号', '机构编号', '部门代码', '部门编码', 'code', 'org code', 'unit code'],
  name: ['机构名称', '机构简称', '部门名称', '名称', 'name', 'org name', 'unit name'],
  parentCode: ['上级机构代码', '上级机构编码', '上级机构号', '上级代码', '上级机构', '父机构代码', 'parent code', 'parent', 'parent org code'],
  level: ['层级', '机构层级', '机构级别', '级别', '机构类型', 'level', 'kind', 'type'],
}

export const STAFF_HEADERS: Record<StaffField, readonly string[]> = {
  employeeNumber: ['工号', '员工号', '员工编号', '人员编号', '柜员号', 'employee number', 'employee no', 'employee id', 'staff number', 'staff id'],
  username: ['用户名', '登录名', '登录账号', '账号', '用户账号', 'username', 'user name', 'login'],
  name: ['姓名', '员工姓名', '名字', 'name', 'full name'],
  role: ['角色', '岗位', '职务', '系统角色', 'role', 'position'],
  orgCode: ['所属机构', '所属机构代码', '所属机构编码', '机构代码', '机构号', '所在机构', 'org unit', 'org unit code', 'org code', 'unit code'],
  mobile: ['手机号', '手机号码', '手机', '移动电话', '联系电话', '电话', 'mobile', 'mobile phone', 'phone'],
}

export const REQUIRED_ORG_FIELDS: readonly OrgField[] = ['code', 'name', 'level']
export const REQUIRED_STAFF_FIELDS: readonly StaffField[] = ['name', 'role', 'orgCode']

/** How an HR system names each level and role; compared without case or spaces. */
const LEVEL_WORDS: Record<OrgUnitKind, readonly string[]> = {
  hq: ['总行', '总部', '总行本部', 'hq', 'head office', 'headquarters', '1'],
  branch: ['分行', '一级分行', '二级分行', '市分行', 'branch', '2'],
  sub_branch: ['支行', '县支行', '二级支行', 'sub-branch', 'subbranch', 'sub_branch', '3'],
  outlet: ['网点', '营业网点', '分理处', '储蓄所', '营业所', 'outlet', '4'],
}
const ROLE_WORDS: Record<Role, readonly string[]> = {
  officer: ['客户经理', '信贷员', '小微客户经理', '普惠客户经理', 'officer', 'relationship officer', 'account manager'],
  manager: ['网点负责人', '网点主任', '支行行长', '支行负责人', '行长', '主任', '负责人', 'manager', 'outlet manager', 'branch manager'],
  hq: ['总行', '分行', '总行分析', '总行分析员', '总行/分行', '总分行', '分析员', 'hq', 'headquarters', 'analyst'],
  admin: ['系统管理员', '管理员', 'admin', 'administrator', 'system administrator'],
}

const word = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/g, '')
const byWord = <T extends string>(table: Record<T, readonly string[]>) => {
  const map = new Map<string, T>()
  for (const [value, words] of Object.entries(table) as [T, readonly string[]][]) for (const w of words) map.set(word(w), value)
  return map
}
const LEVEL_BY_WORD = byWord(LEVEL_WORDS)
const ROLE_BY_WORD = byWord(ROLE_WORDS)

export function levelOf(text: string): OrgUnitKind | null {
  return LEVEL_BY_WORD.get(word(text)) ?? null
}

export function roleOf(text: string): Role | null {
  return ROLE_BY_WORD.get(word(text)) ?? null
}

export interface HeaderMatch<F extends string> {
  /** The field each header fills, by position; null for blank, unknown or repeated ones. */
  fields: (F | null)[]
  unknown: string[]
  missing: F[]
}

/** Which header is which field; unknown headers are reported, required ones missing named. */
export function matchHeaders<F extends string>(headers: readonly string[], table: Record<F, readonly string[]>, required: readonly F[]): HeaderMatch<F> {
  const byHeader = new Map<string, F>()
  for (const [field, names] of Object.entries(table) as [F, readonly string[]][]) {
    byHeader.set(normaliseHeader(field), field)
    for (const name of names) if (!byHeader.has(normaliseHeader(name))) byHeader.set(normaliseHeader(name), field)
  }
  const seen = new Set<F>()
  const unknown: string[] = []
  const fields = headers.map((header) => {
    const key = normaliseHeader(header ?? '')
    if (key === '') return null
    const field = byHeader.get(key)
    if (field === undefined) unknown.push(header)
    if (field === undefined || seen.has(field)) return null
    seen.add(field)
    return field
  })
  return { fields, unknown, missing: required.filter((f) => !seen.has(f)) }
}

/** A problem with one cell (or the row, when `field` is null); errors block the apply. */
export interface RowIssue<F extends string = string> {
  row: number
  field: F | null
  message: Message
}

export interface OrgRow {
  row: number
  code: string
  name: string
  parentCode: string | null
  kind: OrgUnitKind
}

/** One org row's own checks: what can be said without the rest of the tree. */
export function checkOrgRow(row: number, cells: Partial<Record<OrgField, string>>): { unit?: OrgRow; issues: RowIssue<OrgField>[] } {
  const issues: RowIssue<OrgField>[] = []
  const code = (cells.code ?? '').trim()
  const name = (cells.name ?? '').trim()
  const parent = (cells.parentCode ?? '').trim()
  const levelText = (cells.level ?? '').trim()
  if (code === '') issues.push({ row, field: 'code', message: { key: 'validation.required' } })
  else if (!ORG_CODE_PATTERN.test(code)) issues.push({ row, field: 'code', message: { key: 'validation.code' } })
  if (name === '') issues.push({ row, field: 'name', message: { key: 'validation.required' } })
  else if (name.length > 60) issues.push({ row, field: 'name', message: { key: 'validation.tooLong', params: { max: 60 } } })
  if (parent !== '' && !ORG_CODE_PATTERN.test(parent)) issues.push({ row, field: 'parentCode', message: { key: 'validation.code' } })
  const kind = levelOf(levelText)
  if (levelText === '') issues.push({ row, field: 'level', message: { key: 'validation.required' } })
  else if (!kind) issues.push({ row, field: 'level', message: { key: 'hr.unknownLevel', params: { value: levelText } } })
  if (issues.length > 0 || !kind) return { issues }
  return { unit: { row, code, name, parentCode: parent === '' ? null : parent, kind }, issues }
}

export interface TreeUnit {
  code: string
  kind: OrgUnitKind
  parentCode: string | null
}

/**
 * The tree the file and the units already stored make together (the file's rows win): each
 * unit's parent must exist, sit above it (a branch under the head office, an outlet under a
 * sub-branch or above), and no unit may end up under itself; one head office only.
 */
export function checkOrgTree(fileUnits: readonly OrgRow[], stored: readonly TreeUnit[]): RowIssue<OrgField>[] {
  const issues: RowIssue<OrgField>[] = []
  const tree = new Map<string, TreeUnit>()
  for (const unit of stored) tree.set(unit.code, unit)
  for (const unit of fileUnits) tree.set(unit.code, unit)
  const roots = [...tree.values()].filter((u) => u.parentCode === null)
  for (const unit of fileUnits) {
    if (unit.parentCode === null) {
      if (unit.kind !== 'hq') issues.push({ row: unit.row, field: 'parentCode', message: { key: 'hr.parentRequired' } })
      else if (roots.length > 1) issues.push({ row: unit.row, field: 'code', message: { key: 'hr.oneHeadOffice', params: { codes: roots.map((r) => r.code).join(', ') } } })
      continue
    }
    const parent = tree.get(unit.parentCode)
    if (!parent) {
      issues.push({ row: unit.row, field: 'parentCode', message: { key: 'hr.unknownParent', params: { code: unit.parentCode } } })
      continue
    }
    if (!childKindsOf(parent.kind).includes(unit.kind)) {
      issues.push({ row: unit.row, field: 'level', message: { key: 'hr.levelUnderParent', params: { code: unit.parentCode } } })
      continue
    }
    // Walk up: a cycle comes back to this unit (or loops elsewhere) before reaching a root.
    const seen = new Set([unit.code])
    for (let up: TreeUnit | undefined = parent; up; up = up.parentCode === null ? undefined : tree.get(up.parentCode)) {
      if (seen.has(up.code)) {
        issues.push({ row: unit.row, field: 'parentCode', message: { key: 'hr.cycle', params: { code: unit.parentCode } } })
        break
      }
      seen.add(up.code)
    }
  }
  return issues
}

/** The codes in an order that puts every parent before its children (codes not in the tree last). */
export function parentsFirst<T extends { code: string; parentCode: string | null }>(units: readonly T[]): T[] {
  const byCode = new Map(units.map((u) => [u.code, u]))
  const out: T[] = []
  const placed = new Set<string>()
  const place = (unit: T, depth: number) => {
    if (placed.has(unit.code) || depth > units.length) return
    const parent = unit.parentCode === null ? undefined : byCode.get(unit.parentCode)
    if (parent) place(parent, depth + 1)
    placed.add(unit.code)
    out.push(unit)
  }
  for (const unit of units) place(unit, 0)
  return out
}

export interface StaffRow {
  row: number
  employeeNumber: string | null
  username: string
  name: string
  role: Role
  orgCode: string
  mobile: string | null
}

/** One staff row's own checks. A mobile that fails its check is left blank with a warning. */
export function checkStaffRow(
  row: number,
  cells: Partial<Record<StaffField, string>>,
): { member?: StaffRow; issues: RowIssue<StaffField>[]; warnings: RowIssue<StaffField>[] } {
  const issues: RowIssue<StaffField>[] = []
  const warnings: RowIssue<StaffField>[] = []
  const employeeNumber = (cells.employeeNumber ?? '').trim()
  const usernameText = (cells.username ?? '').trim()
  const name = (cells.name ?? '').trim()
  const roleText = (cells.role ?? '').trim()
  const orgCode = (cells.orgCode ?? '').trim()
  const mobileText = (cells.mobile ?? '').trim()

  // The user name is the one given, else the employee number: what staff sign in with.
  const username = (usernameText || employeeNumber).toLowerCase()
  if (username === '') issues.push({ row, field: 'employeeNumber', message: { key: 'hr.usernameOrNumber' } })
  else if (!USERNAME_PATTERN.test(username)) issues.push({ row, field: usernameText ? 'username' : 'employeeNumber', message: { key: 'validation.username' } })
  if (employeeNumber.length > 40) issues.push({ row, field: 'employeeNumber', message: { key: 'validation.tooLong', params: { max: 40 } } })
  if (name === '') issues.push({ row, field: 'name', message: { key: 'validation.required' } })
  else if (name.length > 40) issues.push({ row, field: 'name', message: { key: 'validation.tooLong', params: { max: 40 } } })
  const role = roleOf(roleText)
  if (roleText === '') issues.push({ row, field: 'role', message: { key: 'validation.required' } })
  else if (!role) issues.push({ row, field: 'role', message: { key: 'hr.unknownRole', params: { value: roleText } } })
  if (orgCode === '') issues.push({ row, field: 'orgCode', message: { key: 'validation.required' } })
  let mobile: string | null = null
  if (mobileText !== '') {
    const check = checkMobile(mobileText)
    if (check.ok) mobile = check.value
    else warnings.push({ row, field: 'mobile', message: { key: 'hr.mobileLeftBlank', params: { value: mobileText } } })
  }
  if (issues.length > 0 || !role) return { issues, warnings }
  return { member: { row, employeeNumber: employeeNumber || null, username, name, role, orgCode, mobile }, issues, warnings }
}
