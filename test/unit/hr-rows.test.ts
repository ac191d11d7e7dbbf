import { describe, expect, it } from 'vitest'
import { checkOrgRow, checkOrgTree, checkStaffRow, levelOf, matchHeaders, parentsFirst, roleOf, STAFF_HEADERS, REQUIRED_STAFF_FIELDS } from '../../app/domain/hr-rows'

describe('HR exports', () => {
  it('read Chinese and English headers, report unknown ones and name the missing', () => {
    const match = matchHeaders(['工号', 'Name', '岗位', '所属机构', '手机号码', '备注', ''], STAFF_HEADERS, REQUIRED_STAFF_FIELDS)
    expect(match.fields).toEqual(['employeeNumber', 'name', 'role', 'orgCode', 'mobile', null, null])
    expect(match.unknown).toEqual(['备注'])
    expect(matchHeaders(['用户名', '姓名'], STAFF_HEADERS, REQUIRED_STAFF_FIELDS).missing).toEqual(['role', 'orgCode'])
  })

  it('map HR words for roles and levels', () => {
    expect([roleOf('客户经理'), roleOf(' 网点负责人 '), roleOf('总行'), roleOf('系统管理员'), roleOf('Officer'), roleOf('行长助理')]).toEqual(['officer', 'manager', 'hq', 'admin', 'officer', null])
    expect([levelOf('总行'), levelOf('分行'), levelOf('支行'), levelOf('网点'), levelOf('Sub-branch'), levelOf('事业部')]).toEqual(['hq', 'branch', 'sub_branch', 'outlet', 'sub_branch', null])
  })

  it('check a staff row: the user name from the employee number, a bad mobile left blank with a warning', () => {
    const ok = checkStaffRow(2, { employeeNumber: 'E0001', name: '张三', role: '客户经理', orgCode: 'LK-01', mobile: '+86 138-0013-8000' })
    expect(ok.member).toEqual({ row: 2, employeeNumber: 'E0001', username: 'e0001', name: '张三', role: 'officer', orgCode: 'LK-01', mobile: '13800138000' })
    const warned = checkStaffRow(3, { username: 'li.si', name: '李四', role: 'manager', orgCode: 'LK', mobile: '12345' })
    expect(warned.member?.mobile).toBeNull()
    expect(warned.warnings.map((w) => [w.field, w.message.key])).toEqual([['mobile', 'hr.mobileLeftBlank']])
    const bad = checkStaffRow(4, { employeeNumber: '工号一', name: '', role: '门卫', orgCode: '' })
    expect(bad.member).toBeUndefined()
    expect(bad.issues.map((i) => [i.field, i.message.key])).toEqual([
      ['employeeNumber', 'validation.username'],
      ['name', 'validation.required'],
      ['role', 'hr.unknownRole'],
      ['orgCode', 'validation.required'],
    ])
  })

  it('check the tree the file and the stored units make: unknown parents, levels out of order, cycles', () => {
    const row = (r: number, code: string, parentCode: string, level: string) => checkOrgRow(r, { code, name: code, parentCode, level }).unit!
    const stored = [{ code: 'HQ', kind: 'hq' as const, parentCode: null }]
    const units = [row(2, 'A', 'HQ', '分行'), row(3, 'A-1', 'A', '网点'), row(4, 'X', 'NOPE', '网点'), row(5, 'Y', 'A-1', '支行'), row(6, 'P', 'Q', '支行'), row(7, 'Q', 'P', '支行')]
    expect(checkOrgTree(units, stored).map((i) => [i.row, i.message.key])).toEqual([
      [4, 'hr.unknownParent'],
      [5, 'hr.levelUnderParent'],
      [6, 'hr.levelUnderParent'],
      [7, 'hr.levelUnderParent'],
    ])
    const cycle = [row(2, 'B1', 'B2', '网点'), row(3, 'B2', 'B1', '网点')]
    expect(checkOrgTree(cycle, [{ code: 'HQ', kind: 'hq', parentCode: null }]).map((i) => i.message.key)).toContain('hr.levelUnderParent')
    expect(parentsFirst([{ code: 'C', parentCode: 'B' }, { code: 'B', parentCode: 'A' }, { code: 'A', parentCode: null }]).map((u) => u.code)).toEqual(['A', 'B', 'C'])
  })
})
