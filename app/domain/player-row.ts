// One list row → PlayerFields, or every problem the row has, each named by its field.
// Only identity decides whether a row is taken (PRODUCT.md "How a real list is read"): a
// name, and a USCC that passes its check when one is given. Any other value that fails is
// left blank with a warning naming the field and the reason, and the row is kept.
import type { Message, MessageKey, Params } from '../i18n/index'
import { checkPhone, checkResidentId, checkUscc, isHouseholdUscc, isRealDate, lostDigits } from './identifiers'
import { todayInChina } from './china-time'
import { parseIndustry } from './industry'
import type { ListColumn } from './list-columns'
import type {
  LoanHistory,
  PlayerField,
  PlayerFields,
  PlayerKind,
  RegistrationStatus,
  RowIssue,
  RowResult,
  TaxGrade,
} from './market-player'

export interface ParseRowOptions {
  /** Keep a USCC whose check character is wrong, with a warning (a manager's explicit choice). */
  acceptBadCheck?: boolean
  /** YYYY-MM-DD; dates after it are refused. Defaults to today in Beijing. */
  today?: string
  /** A form a person fills in: every bad value is refused (they are there to fix it), and an
   * enterprise needs its USCC. Lists are read leniently: only identity refuses a row. */
  strict?: boolean
}

export type ListDate = { ok: true; value: string } | { ok: false; message: Message }

const CHINA = { lng: { min: 73, max: 136 }, lat: { min: 3, max: 54 } }

/** Cell text with surrounding space removed; blank (or a lone dash, or N/A, as registry
 * exports write "not given") is null. */
function clean(text: string | undefined): string | null {
  const trimmed = (text ?? '').trim()
  return trimmed === '' || /^[-—–/]+$/.test(trimmed) || /^(#?n\/?a|null)$/i.test(trimmed) ? null : trimmed
}

/** Lower-case, full-width folded, without whitespace or punctuation: for matching words. */
function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '')
}

// Callers written before China time had a module of its own import it from here.
export { todayInChina }

const EXCEL_EPOCH = Date.UTC(1899, 11, 30)

/**
 * A date as lists write it: `2023-02-01`, `2023/2/1`, `2023年2月1日`, `2023.2.1`, `20230201`,
 * an ISO date-time (`2023-02-01T00:00:00.000Z`, its date part taken as written) or an Excel
 * serial day number (five digits, 1927–2173: shorter numbers are more likely a bare year).
 */
export function parseListDate(raw: string): ListDate {
  const text = raw.normalize('NFKC').trim()
  let parts: RegExpExecArray | null =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/.exec(text) ??
    /^(\d{4})(\d{2})(\d{2})$/.exec(text)
  if (!parts && /^\d{5}(\.\d+)?$/.test(text)) {
    const iso = new Date(EXCEL_EPOCH + Math.floor(Number(text)) * 86_400_000).toISOString().slice(0, 10)
    parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  }
  if (!parts) return { ok: false, message: { key: 'date.format', params: { value: raw.trim() } } }
  const value = `${parts[1]}-${parts[2].padStart(2, '0')}-${parts[3].padStart(2, '0')}`
  if (!isRealDate(value)) return { ok: false, message: { key: 'date.notExist', params: { value } } }
  return { ok: true, value }
}

const KIND_WORDS: [PlayerKind, string[]][] = [
  ['household', ['个体工商户', '个体户', '个体', 'household', 'individualhousehold']],
  ['enterprise', ['企业', '公司', 'enterprise', 'company']],
]

/** 企业 / 个体工商户 and their variants; a registry's legal form (`有限责任公司`) says enterprise. */
function parseKind(text: string): PlayerKind | null {
  const word = fold(text)
  for (const [kind, words] of KIND_WORDS) if (words.includes(word)) return kind
  if (word.includes('个体')) return 'household'
  if (/公司|企业|合作社|合伙/.test(word)) return 'enterprise'
  return null
}

/** Checked in order: `吊销，未注销` is deregistered, `存续（在营、开业、在册）` active. */
const STATUS_WORDS: [RegistrationStatus, RegExp][] = [
  ['deregistered', /吊销|注销|撤销|^deregistered$|^revoked$|^cancell?ed$/],
  ['in_liquidation', /清算|^inliquidation$|^liquidation$/],
  ['moved_out', /迁出|迁往|^movedout$/],
  ['suspended', /停业|歇业|^suspended$/],
  ['abnormal', /异常|^abnormal$/],
  ['active', /存续|在营|在业|开业|正常|在册|^active$/],
]

function parseStatus(text: string): RegistrationStatus | null {
  const word = fold(text)
  return STATUS_WORDS.find(([, pattern]) => pattern.test(word))?.[0] ?? null
}

const LOAN_WORDS: [LoanHistory, string[]][] = [
  ['none', ['无', '否', '没有', '无贷款', '从未贷款', 'none', 'no', 'n', 'never']],
  ['has_loan', ['有', '是', '有贷款', 'hasloan', 'yes', 'y']],
  ['unknown', ['未知', '不详', '待核实', 'unknown']],
]

function parseLoanHistory(text: string): LoanHistory | null {
  const word = fold(text)
  return LOAN_WORDS.find(([, words]) => words.includes(word))?.[0] ?? null
}

/** Words that say "no grade yet": stored as not known, not refused. */
const NO_TAX_GRADE = ['未评', '未评价', '未评级', '无', '暂无', '未知', 'unknown', 'none']

function parseTaxGrade(text: string): { ok: true; value: TaxGrade | null } | { ok: false } {
  const word = fold(text).replace(/^纳税信用/, '').replace(/级$/, '')
  if (NO_TAX_GRADE.includes(word)) return { ok: true, value: null }
  const grade = word.toUpperCase()
  return /^[ABMCD]$/.test(grade) ? { ok: true, value: grade as TaxGrade } : { ok: false }
}

/** A non-negative decimal, thousands separators and a trailing unit word allowed. */
function parseAmount(text: string, units: RegExp): number | null {
  const plain = text.normalize('NFKC').replace(/[\s,]/g, '').replace(units, '')
  return /^(\d+(\.\d*)?|\.\d+)$/.test(plain) ? Number(plain) : null
}

function parseCoordinate(text: string): number | null {
  const plain = text.normalize('NFKC').replace(/\s/g, '').replace(/°$/, '')
  return /^-?\d+(\.\d+)?$/.test(plain) ? Number(plain) : null
}

const within = (value: number, range: { min: number; max: number }) => value >= range.min && value <= range.max

/** Turns one row's cells (by column) into the fields of a market player, collecting every problem. */
export function parsePlayerRow(cells: Partial<Record<ListColumn, string>>, options: ParseRowOptions = {}): RowResult {
  const errors: RowIssue[] = []
  const warnings: RowIssue[] = []
  const today = options.today ?? todayInChina()
  const cell = (column: ListColumn) => clean(cells[column])
  const refuse = (field: PlayerField, key: MessageKey, params?: Params) =>
    errors.push({ field, message: params ? { key, params } : { key } })
  /** A value that is not identity and fails: left blank, the row kept, a warning says why. */
  const blank = (field: PlayerField, key: MessageKey, params?: Params) =>
    (options.strict ? errors : warnings).push({ field, message: params ? { key, params } : { key } })

  // USCC, and what it says about the kind.
  const usccText = cell('uscc')
  let uscc: string | null = null
  let usccForKind: string | null = null
  // A real code may end in zeros: only one that then fails its check lost them.
  if (usccText !== null && lostDigits(usccText) && !checkUscc(usccText).ok) {
    // Accepting bad check characters never covers this: the real code is gone.
    refuse('uscc', 'row.lostDigits', { value: usccText })
  } else if (usccText !== null) {
    const check = checkUscc(usccText)
    if (check.ok) {
      uscc = usccForKind = check.value
    } else if (check.reason === 'check') {
      usccForKind = check.value
      const params = { value: check.value, expected: check.expected ?? '' }
      if (options.acceptBadCheck) {
        uscc = check.value
        warnings.push({ field: 'uscc', message: { key: 'uscc.checkAccepted', params } })
      } else errors.push({ field: 'uscc', message: check.message })
    } else errors.push({ field: 'uscc', message: check.message })
  }

  const kindText = cell('kind')
  let statedKind = kindText === null ? null : parseKind(kindText)
  if (kindText !== null && statedKind === null) blank('kind', 'row.kind', { value: kindText })
  const usccKind: PlayerKind | null = usccForKind === null ? null : isHouseholdUscc(usccForKind) ? 'household' : 'enterprise'
  if (statedKind && usccKind && statedKind !== usccKind) {
    // The code's own entity type is the better witness.
    blank('kind', statedKind === 'household' ? 'row.kindConflict.household' : 'row.kindConflict.enterprise', { uscc: usccForKind! })
    statedKind = null
  }
  const kind: PlayerKind = statedKind ?? usccKind ?? 'enterprise'
  // An enterprise without a USCC is kept as a lead to verify (player-record.server.ts).
  if (options.strict && kind === 'enterprise' && usccText === null && !(kindText !== null && statedKind === null)) refuse('uscc', 'row.usccRequired')

  const name = cell('name')
  if (name === null) refuse('name', 'row.nameRequired')

  const idText = cell('idNumber')
  const idLost = idText !== null && lostDigits(idText) && !checkResidentId(idText).ok
  if (idLost) refuse('idNumber', 'row.lostDigits', { value: idText! })
  const idNumber = idLost ? null : checked(idText, 'idNumber', checkResidentId)
  const phone = checked(cell('phone'), 'phone', checkPhone)

  const industryText = cell('industry')
  const industry = industryText === null ? null : parseIndustry(industryText)
  if (industryText !== null && industry === null) blank('industry', 'row.industry', { value: industryText })

  const employeesText = cell('employees')
  let employees: number | null = null
  if (employeesText !== null) {
    const amount = parseAmount(employeesText, /人$/)
    if (amount === null || !Number.isInteger(amount) || !Number.isSafeInteger(amount)) {
      blank('employees', 'row.employees', { value: employeesText })
    } else employees = amount
  }

  const revenueYuan = tenThousandYuan(cell('revenue'), 'revenueYuan', 'row.revenue')
  const assetsYuan = tenThousandYuan(cell('assets'), 'assetsYuan', 'row.assets')
  const registeredOn = date(cell('registeredOn'), 'registeredOn')
  const loanCheckedOn = date(cell('loanCheckedOn'), 'loanCheckedOn')

  const statusText = cell('registrationStatus')
  const registrationStatus = statusText === null ? null : parseStatus(statusText)
  if (statusText !== null && registrationStatus === null) blank('registrationStatus', 'row.registrationStatus', { value: statusText })

  const areaText = cell('areaCode')
  let areaCode = areaText === null ? null : areaText.normalize('NFKC').replace(/\s/g, '')
  if (areaCode !== null && !/^(\d{6}|\d{9}|\d{12})$/.test(areaCode)) {
    blank('areaCode', 'row.areaCode', { value: areaText! })
    areaCode = null
  }

  const { lng, lat } = coordinates(cell('lng'), cell('lat'))

  const taxText = cell('taxGrade')
  let taxGrade: TaxGrade | null = null
  if (taxText !== null) {
    const grade = parseTaxGrade(taxText)
    if (grade.ok) taxGrade = grade.value
    else blank('taxGrade', 'row.taxGrade', { value: taxText })
  }
  const yearText = cell('taxGradeYear')
  let taxGradeYear: number | null = null
  if (yearText !== null) {
    const year = /^(\d{4})(\s*年度?)?$/.exec(yearText.normalize('NFKC'))
    if (year && Number(year[1]) >= 2000 && Number(year[1]) <= Number(today.slice(0, 4))) taxGradeYear = Number(year[1])
    else blank('taxGradeYear', 'row.taxGradeYear', { value: yearText })
  }

  const loanText = cell('loanHistory')
  const loanHistory = loanText === null ? null : parseLoanHistory(loanText)
  if (loanText !== null && loanHistory === null) blank('loanHistory', 'row.loanHistory', { value: loanText })

  if (errors.length > 0 || name === null) return { ok: false, errors, warnings }
  const fields: PlayerFields = {
    uscc,
    name,
    kind,
    legalRepresentative: cell('legalRepresentative'),
    owner: cell('owner'),
    idNumber,
    phone,
    industry: industry?.section ?? null,
    industryCode: industry?.code ?? null,
    employees,
    revenueYuan,
    assetsYuan,
    registeredOn,
    registrationStatus,
    address: cell('address'),
    areaCode,
    lat,
    lng,
    taxGrade,
    taxGradeYear,
    channelRef: cell('applicationRef')?.slice(0, 100) ?? null,
    loanHistory,
    loanCheckedOn,
  }
  return { ok: true, fields, warnings }

  function checked(
    text: string | null,
    field: PlayerField,
    check: (raw: string) => { ok: true; value: string } | { ok: false; message: Message },
  ): string | null {
    if (text === null) return null
    const result = check(text)
    if (result.ok) return result.value
    ;(options.strict ? errors : warnings).push({ field, message: result.message })
    return null
  }

  function tenThousandYuan(text: string | null, field: PlayerField, key: MessageKey): number | null {
    if (text === null) return null
    const amount = parseAmount(text, /万元?$/)
    const yuan = amount === null ? null : Math.round(amount * 10000)
    if (yuan === null || !Number.isSafeInteger(yuan)) {
      blank(field, key, { value: text })
      return null
    }
    return yuan
  }

  function date(text: string | null, field: PlayerField): string | null {
    if (text === null) return null
    const parsed = parseListDate(text)
    if (!parsed.ok) {
      ;(options.strict ? errors : warnings).push({ field, message: parsed.message })
      return null
    }
    if (parsed.value > today) {
      blank(field, 'date.future', { value: parsed.value })
      return null
    }
    return parsed.value
  }

  function coordinates(lngText: string | null, latText: string | null): { lng: number | null; lat: number | null } {
    if (lngText === null && latText === null) return { lng: null, lat: null }
    if (lngText === null || latText === null) {
      blank(lngText === null ? 'lng' : 'lat', 'row.lngLatPair')
      return { lng: null, lat: null }
    }
    const lngValue = parseCoordinate(lngText)
    const latValue = parseCoordinate(latText)
    if (lngValue !== null && latValue !== null && within(lngValue, CHINA.lat) && within(latValue, CHINA.lng)) {
      blank('lng', 'row.lngLatSwapped', { lng: lngText, lat: latText })
      return { lng: null, lat: null }
    }
    const lngOk = lngValue !== null && within(lngValue, CHINA.lng)
    const latOk = latValue !== null && within(latValue, CHINA.lat)
    if (!lngOk) blank('lng', 'row.lng', { value: lngText })
    if (!latOk) blank('lat', 'row.lat', { value: latText })
    return lngOk && latOk ? { lng: lngValue, lat: latValue } : { lng: null, lat: null }
  }
}
