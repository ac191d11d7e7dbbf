// Real-shaped lists for import tests: Chinese headers, valid and invalid identifiers.
import fs from 'node:fs'
import { residentIdCheckCharacter, usccCheckCharacter } from '../../app/domain/identifiers'

export const CHINESE_HEADERS = [
  '统一社会信用代码',
  '企业名称',
  '主体类型',
  '法定代表人',
  '经营者',
  '行业门类',
  '从业人数',
  '营业收入（万元）',
  '注册日期',
  '登记状态',
  '住所',
  '行政区划代码',
  '经度',
  '纬度',
  '纳税信用等级',
  '有无贷款',
  '征信查询日期',
  '联系电话',
  '经营者身份证号',
]

/** A valid USCC for a serial number: enterprise (`91`) or household (`92`). */
export function makeUscc(serial: number, household = false): string {
  const body = `9${household ? 2 : 1}411622${String(serial).padStart(9, '0')}`
  return body + usccCheckCharacter(body)
}

export function makeIdNumber(serial: number): string {
  const body = `41162219800101${String(serial % 1000).padStart(3, '0')}`
  return body + residentIdCheckCharacter(body)
}

export interface ListRow {
  uscc?: string
  name: string
  kind?: string
  legal?: string
  owner?: string
  industry?: string
  employees?: string
  revenue?: string
  registeredOn?: string
  status?: string
  address?: string
  area?: string
  lng?: string
  lat?: string
  grade?: string
  loan?: string
  checkedOn?: string
  phone?: string
  idNumber?: string
}

export function listRows(rows: ListRow[]): string[][] {
  return [
    CHINESE_HEADERS,
    ...rows.map((r) => [
      r.uscc ?? '',
      r.name,
      r.kind ?? '',
      r.legal ?? '',
      r.owner ?? '',
      r.industry ?? '',
      r.employees ?? '',
      r.revenue ?? '',
      r.registeredOn ?? '',
      r.status ?? '',
      r.address ?? '',
      r.area ?? '',
      r.lng ?? '',
      r.lat ?? '',
      r.grade ?? '',
      r.loan ?? '',
      r.checkedOn ?? '',
      r.phone ?? '',
      r.idNumber ?? '',
    ]),
  ]
}

/** The tax list of the tests: two good enterprises, a good household, and one bad row of each kind. */
export function taxList(): ListRow[] {
  return [
    { uscc: makeUscc(1), name: '河南金穗面业有限公司', kind: '企业', legal: '王伟', industry: 'C', employees: '25', revenue: '350', registeredOn: '2019/3/5', status: '存续', address: '城关镇人民路1号', area: '411622100', lng: '114.52', lat: '33.79', grade: 'B', loan: '无', checkedOn: '2026年3月2日', phone: '13812345678' },
    { uscc: makeUscc(2), name: '西华华盛商贸有限公司', kind: '企业', legal: '李娜', industry: '批发业', employees: '6', revenue: '1200', registeredOn: '2018-07-01', status: '在营', area: '411622101', grade: 'M', loan: '有' },
    { uscc: makeUscc(3, true), name: '红花集王记面馆', kind: '个体工商户', owner: '王芳', industry: 'H', registeredOn: '2021-05-20', status: '开业', address: '红花集镇解放街8号', area: '411622102', loan: '无', phone: '+86 139 0000 1111', idNumber: makeIdNumber(1) },
    // Rejections, one reason each:
    { uscc: '91110000600037341N', name: '校验位错误有限公司', kind: '企业', status: '存续' },
    { uscc: makeUscc(5), name: '电话错误有限公司', kind: '企业', phone: '1381234567' },
    { uscc: makeUscc(6), name: '日期错误有限公司', kind: '企业', registeredOn: '2023-02-30' },
    { uscc: makeUscc(7), name: '', kind: '企业' },
  ]
}

/**
 * A plain tax list written to `file`: `count` enterprises from serial `first`, the columns a
 * bank's list has at least, CRLF line ends. Returns its size in bytes.
 */
export function writeEnterpriseList(file: string, first: number, count: number): number {
  const lines = ['统一社会信用代码,企业名称,法定代表人,注册日期,营业收入（万元）,地址']
  for (let i = first; i < first + count; i++) lines.push(`${makeUscc(900_000 + i)},某某市第${i}号商贸有限公司,张${i % 97},2023-02-01,${(i % 5000) + 0.5},某某省某某市某某路${i}号`)
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n')
  return fs.statSync(file).size
}
