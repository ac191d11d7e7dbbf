// Which list column a header names (PRODUCT.md "List columns"): Chinese or English, any order.

export const LIST_COLUMNS = [
  'uscc',
  'name',
  'kind',
  'legalRepresentative',
  'owner',
  'idNumber',
  'industry',
  'employees',
  'revenue',
  'assets',
  'registeredOn',
  'registrationStatus',
  'address',
  'areaCode',
  'lng',
  'lat',
  'taxGrade',
  'taxGradeYear',
  'loanHistory',
  'loanCheckedOn',
  'phone',
  'applicationRef',
] as const
export type ListColumn = (typeof LIST_COLUMNS)[number]

/** Every list needs these; a row without a name cannot be a market player. */
export const REQUIRED_COLUMNS: readonly ListColumn[] = ['name']

/**
 * Headers each column answers to. Compared after normaliseHeader, so case, spaces, `_`, `-`
 * and full-width forms do not matter. Money columns only with their unit: a bare
 * `营业收入` may be in yuan, and guessing would be off by 10,000 times.
 */
export const HEADER_SYNONYMS: Record<ListColumn, readonly string[]> = {
  uscc: ['统一社会信用代码', '信用代码', '社会信用代码', 'uscc', 'credit code', 'unified social credit code'],
  name: ['企业名称', '公司名称', '名称', '公司', '单位名称', '字号名称', '个体户名称', '主体名称', '市场主体名称', '商户名称', 'name', 'company name', 'enterprise name'],
  kind: ['主体类型', '市场主体类型', '企业类型', '类型', 'kind', 'type'],
  legalRepresentative: ['法定代表人', '法人代表', '法人', '法定代表人姓名', 'legal representative'],
  owner: ['经营者', '负责人', '经营者姓名', 'owner', 'operator'],
  idNumber: ['身份证号', '经营者身份证号', '身份证号码', '经营者身份证号码', 'id number', 'id no', 'resident id'],
  industry: ['行业', '行业门类', '行业代码', '所属行业', '国民经济行业', 'industry', 'industry code'],
  employees: ['从业人数', '员工人数', '从业人员', '从业人员数', '职工人数', 'employees', 'staff'],
  revenue: ['营业收入（万元）', '年营业收入（万元）', '营业收入万元', 'revenue (10k yuan)', 'revenue (10,000 yuan)', 'revenue (10000 yuan)'],
  assets: ['资产总额（万元）', '总资产（万元）', '资产总额万元', 'assets (10k yuan)', 'total assets (10k yuan)', 'assets (10,000 yuan)', 'total assets (10,000 yuan)'],
  registeredOn: ['成立日期', '注册日期', '登记日期', '开业日期', 'registered on', 'registration date', 'established on'],
  registrationStatus: ['登记状态', '经营状态', '企业状态', 'status', 'registration status'],
  address: ['地址', '住所', '经营场所', '注册地址', '企业地址', '经营地址', '公司地址', 'address'],
  areaCode: ['行政区划代码', '区划代码', 'area code'],
  lng: ['经度', 'lng', 'lon', 'longitude'],
  lat: ['纬度', 'lat', 'latitude'],
  taxGrade: ['纳税信用等级', '纳税缴费信用等级', '纳税等级', 'tax grade', 'tax credit grade'],
  taxGradeYear: ['评价年度', '评定年度', 'tax grade year', 'evaluation year'],
  loanHistory: ['贷款记录', '有无贷款', 'loan history'],
  loanCheckedOn: ['征信查询日期', 'checked on', 'loan checked on'],
  // A credit platform's application number (its feedback goes back under it).
  applicationRef: ['申请编号', '申请号', '平台申请编号', '申请单号', '融资申请编号', '需求编号', 'application reference', 'application no', 'application id'],
  phone: ['联系电话', '手机号', '手机号码', '手机', '电话', '固定电话', '座机', '办公电话', 'phone', 'mobile', 'tel'],
}

/**
 * A header in the one form used for matching and for remembering a manager's choice:
 * NFKC (full-width `（）` become `()`), lower-case, `【】[]` as `()`, without whitespace,
 * `_`, `-`, a byte-order mark, a required-field `*` or a trailing colon.
 */
export function normaliseHeader(header: string): string {
  return header
    .replace(/[\uFEFF\u200B-\u200D]/g, '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[【[]/g, '(')
    .replace(/[】\]]/g, ')')
    .replace(/[\s_\-*]/g, '')
    .replace(/[:：]$/, '')
}

const COLUMN_BY_HEADER = new Map<string, ListColumn>()
const MONEY_COLUMNS: readonly ListColumn[] = ['revenue', 'assets']
for (const column of LIST_COLUMNS) {
  // The field's own name (`areaCode`, `area_code`) too, except bare money names: no unit.
  if (!MONEY_COLUMNS.includes(column)) COLUMN_BY_HEADER.set(normaliseHeader(column), column)
  for (const header of HEADER_SYNONYMS[column]) COLUMN_BY_HEADER.set(normaliseHeader(header), column)
}

/** Whether a header names a list column by itself (no manager's choice needed): how the
 * header row is told from a title above it. */
export function isKnownHeader(header: string): boolean {
  return COLUMN_BY_HEADER.has(normaliseHeader(header))
}

export type RememberedHeaders = Record<string, ListColumn | 'ignore'>

export interface HeaderRecognition {
  /** The column each header fills, by position; null for ignored, blank, unknown or repeated headers. */
  columns: (ListColumn | null)[]
  /** Headers neither recognised nor remembered: a manager should map or ignore them. */
  unknown: { index: number; header: string }[]
  /** Columns named by more than one header; the first of them is used. */
  duplicates: ListColumn[]
  /** Required columns no header names. */
  missing: ListColumn[]
}

/**
 * Recognises a list's header row. `remembered` maps a normalised header to the column (or
 * `ignore`) a manager chose for this source before; it wins over the built-in synonyms.
 * Blank headers are skipped without being reported (spreadsheets often carry empty columns).
 */
export function recogniseHeaders(headers: string[], remembered: RememberedHeaders = {}): HeaderRecognition {
  const choices = new Map<string, ListColumn | 'ignore'>()
  for (const [header, choice] of Object.entries(remembered)) choices.set(normaliseHeader(header), choice)

  const columns: (ListColumn | null)[] = []
  const unknown: { index: number; header: string }[] = []
  const duplicates = new Set<ListColumn>()
  const seen = new Set<ListColumn>()
  headers.forEach((header, index) => {
    const key = normaliseHeader(header ?? '')
    const choice = key === '' ? 'ignore' : (choices.get(key) ?? COLUMN_BY_HEADER.get(key))
    if (choice === undefined) unknown.push({ index, header })
    const column = choice === undefined || choice === 'ignore' ? null : choice
    if (column !== null && seen.has(column)) duplicates.add(column)
    columns.push(column !== null && !seen.has(column) ? column : null)
    if (column !== null) seen.add(column)
  })
  const missing = REQUIRED_COLUMNS.filter((column) => !seen.has(column))
  return { columns, unknown, duplicates: [...duplicates], missing }
}
