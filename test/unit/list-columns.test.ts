import { describe, expect, it } from 'vitest'
import { HEADER_SYNONYMS, LIST_COLUMNS, normaliseHeader, recogniseHeaders } from '../../app/domain/list-columns'
import { en } from '../../app/i18n/en'
import { zhCN } from '../../app/i18n/zh-CN'

describe('list headers', () => {
  it('recognises the Chinese headers of PRODUCT.md, in any order', () => {
    const headers = [
      '经营者', '统一社会信用代码', '名称', '主体类型', '法定代表人', '身份证号', '行业门类', '从业人数', '营业收入（万元）',
      '资产总额（万元）', '成立日期', '登记状态', '住所', '行政区划代码', '经度', '纬度', '纳税信用等级', '有无贷款',
      '征信查询日期', '联系电话',
    ]
    const result = recogniseHeaders(headers)
    expect(result.columns).toEqual([
      'owner', 'uscc', 'name', 'kind', 'legalRepresentative', 'idNumber', 'industry', 'employees', 'revenue',
      'assets', 'registeredOn', 'registrationStatus', 'address', 'areaCode', 'lng', 'lat', 'taxGrade', 'loanHistory',
      'loanCheckedOn', 'phone',
    ])
    expect(result).toMatchObject({ unknown: [], duplicates: [], missing: [] })
  })

  it('recognises English headers, whatever their case and spacing', () => {
    const headers = [
      'Name', 'USCC', 'Type', 'Legal Representative', 'OWNER', 'ID Number', 'industry', 'Employees', 'Revenue (10k yuan)',
      'Assets (10k yuan)', 'Registered  on', 'Status', 'Address', 'Area code', 'lng', 'Lat', 'Tax grade', 'Loan history',
      'Checked on', 'Phone', 'Tax grade year', 'Application no',
    ]
    const result = recogniseHeaders(headers)
    expect(new Set(result.columns)).toEqual(new Set(LIST_COLUMNS))
    expect(result.columns[0]).toBe('name')
    expect(result.columns[8]).toBe('revenue')
    expect(result.unknown).toEqual([])
  })

  it('recognises every listed synonym', () => {
    for (const column of LIST_COLUMNS) {
      for (const header of HEADER_SYNONYMS[column]) expect(recogniseHeaders([header]).columns, header).toEqual([column])
    }
  })

  it('treats full-width and ASCII parentheses, a BOM and a required-field star alike', () => {
    expect(normaliseHeader('营业收入（万元）')).toBe(normaliseHeader('营业收入(万元)'))
    expect(normaliseHeader(' Revenue ( 10K Yuan ) ')).toBe('revenue(10kyuan)')
    const result = recogniseHeaders(['\uFEFF统一社会信用代码', '*企业名称', '资产总额(万元)', '信用代码：'])
    expect(result.columns).toEqual(['uscc', 'name', 'assets', null])
    expect(result.duplicates).toEqual(['uscc'])
  })

  it('does not take a money column without its unit: yuan and 10,000 yuan differ 10,000 times', () => {
    const result = recogniseHeaders(['名称', '营业收入', 'revenue', '营业收入（元）'])
    expect(result.columns).toEqual(['name', null, null, null])
    expect(result.unknown.map((u) => u.header)).toEqual(['营业收入', 'revenue', '营业收入（元）'])
  })

  it('reports unknown headers by position and keeps blank ones quiet', () => {
    const result = recogniseHeaders(['名称', '备注', '', '  ', '网点'])
    expect(result.columns).toEqual(['name', null, null, null, null])
    expect(result.unknown).toEqual([
      { index: 1, header: '备注' },
      { index: 4, header: '网点' },
    ])
  })

  it('reports a column named twice and uses its first header', () => {
    const result = recogniseHeaders(['名称', '企业名称', '联系电话', '手机号', 'phone'])
    expect(result.columns).toEqual(['name', null, 'phone', null, null])
    expect(result.duplicates).toEqual(['name', 'phone'])
  })

  it('reports a missing name column', () => {
    expect(recogniseHeaders(['统一社会信用代码', '地址']).missing).toEqual(['name'])
    expect(recogniseHeaders([]).missing).toEqual(['name'])
  })

  it('applies a manager’s remembered choices first, including ignoring a column', () => {
    const remembered = { [normaliseHeader('商户全称')]: 'name', '营业收入': 'revenue', 备注: 'ignore', 电话: 'ignore' } as const
    const result = recogniseHeaders(['商户全称', '营业收入', '备注', '电话', '手机号'], remembered)
    expect(result.columns).toEqual(['name', 'revenue', null, null, 'phone'])
    expect(result).toMatchObject({ unknown: [], duplicates: [], missing: [] })
  })

  it('has a label for every column in both languages', () => {
    for (const column of LIST_COLUMNS) {
      expect(zhCN[`column.${column}`]).toBeTruthy()
      expect(en[`column.${column}`]).toBeTruthy()
    }
  })
})
