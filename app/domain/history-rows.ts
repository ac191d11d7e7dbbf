// The rows of a bank's history file (past visits, past referrals) as the rules see them: which
// header names which field, Chinese and English words for the choices, times in China time,
// and when a past time is sane. No database: the services match players and officers.
import type { Message } from '../i18n/index'
import { parseListDate } from './player-row'
import { checkUscc } from './identifiers'
import { chinaDateTime } from './china-time'
import type { NEED_PRODUCTS, NEED_PURPOSES, VISIT_CHANNELS, VISIT_OUTCOMES } from './visit'

export const HISTORY_KINDS = ['visits', 'referrals'] as const
export type HistoryKind = (typeof HISTORY_KINDS)[number]

/** Nothing before this is history a bank's campaign can hold. */
export const HISTORY_FLOOR = '2000-01-01T00:00:00+08:00'
/** A clock a few minutes fast is not the future. */
export const HISTORY_MAX_AHEAD_MS = 10 * 60_000

export interface HistoryIssue {
  /** The header as the file wrote it (or the field's own name when the file has no such column). */
  column: string
  message: Message
}

/** Lower-case, full-width folded, without whitespace or punctuation: for matching words. */
export function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '')
}

const VISIT_HEADERS = {
  uscc: ['统一社会信用代码', '信用代码', 'uscc', 'creditcode'],
  playerId: ['主体编号', '客户编号', 'playerid', 'player'],
  officer: ['客户经理', '客户经理用户名', '走访人', '用户名', 'officer', 'officerusername', 'username'],
  visitedAt: ['走访时间', '走访日期', 'visitedat', 'visitedon', 'visittime', 'date'],
  channel: ['走访方式', '方式', 'channel'],
  contact: ['接待人', '联系人', 'contact'],
  notes: ['走访情况', '备注', 'notes'],
  hasNeed: ['有融资需求', '是否有融资需求', '融资需求', 'hasneed', 'need'],
  needAmount: ['需求金额万元', '需求金额', 'amount', 'needamount', 'amount10kyuan'],
  needPurpose: ['用途', '资金用途', 'purpose'],
  needTermMonths: ['期限月', '期限', 'term', 'termmonths'],
  needCollateral: ['能否提供抵押或担保', '抵押担保', '抵押或担保', 'collateral', 'collateralorguarantee'],
  needProduct: ['意向产品', 'product', 'preferredproduct'],
  outcome: ['走访结果', '结果', 'outcome'],
  nextFollowUpOn: ['下次跟进日期', '下次跟进', 'nextfollowup', 'nextfollowupon'],
  clientKey: ['走访编号', '编号', 'id', 'clientkey'],
} as const
export type VisitHistoryField = keyof typeof VISIT_HEADERS

const REFERRAL_HEADERS = {
  uscc: VISIT_HEADERS.uscc,
  playerId: VISIT_HEADERS.playerId,
  officer: VISIT_HEADERS.officer,
  product: ['产品', '产品代码', '贷款产品', 'product', 'productcode'],
  amount: ['推荐金额万元', '申请金额万元', '推荐金额', '申请金额', 'amount', 'amountasked', 'amount10kyuan'],
  termMonths: ['期限月', '期限', 'term', 'termmonths'],
  referredAt: ['推荐时间', '推荐日期', '转介时间', 'referredat', 'referredon'],
  acceptedAt: ['受理时间', '受理日期', 'acceptedat', 'acceptedon'],
  accountOpenedAt: ['开户时间', '开户日期', 'accountopenedat'],
  admittedAt: ['准入时间', '准入日期', 'admittedat'],
  ratedAt: ['评级时间', '评级日期', 'ratedat'],
  approvedAt: ['授信时间', '授信日期', '审批时间', 'approvedat', 'approvedon'],
  disbursedAt: ['放款时间', '放款日期', 'disbursedat', 'disbursedon'],
  declinedAt: ['拒绝时间', '否决时间', '拒贷时间', 'declinedat', 'declinedon'],
  declineReason: ['拒绝原因', '否决原因', '拒贷原因', 'declinereason', 'reason'],
  withdrawnAt: ['撤回时间', '撤销时间', 'withdrawnat'],
  withdrawReason: ['撤回原因', 'withdrawreason'],
  externalRef: ['信贷系统编号', '贷款编号', '借据号', 'loansystemreference', 'externalref', 'loanref'],
  firstLender: ['首贷户', '是否首贷户', 'firstlender'],
  clientKey: ['推荐编号', 'clientkey', 'key'],
} as const
export type ReferralHistoryField = keyof typeof REFERRAL_HEADERS

/**
 * Columns a history file may carry that have no place in the schema yet (the loan
 * system's disbursement facts): reported as not stored, never dropped in silence.
 */
const NOT_STORED_HEADERS = ['放款金额万元', '放款金额', 'amountlent', '担保方式', 'guaranteetype']

/** The name a field's column goes by (its first Chinese header), for a column the file lacks. */
export function historyColumnName(kind: HistoryKind, field: string): string {
  const aliases = (kind === 'visits' ? VISIT_HEADERS : REFERRAL_HEADERS) as Record<string, readonly string[]>
  return aliases[field]?.[0] ?? field
}

export interface HistoryHeaders<F extends string> {
  /** The field each header position holds, or null. */
  fields: (F | null)[]
  /** Headers recognised as no field: reported, never dropped in silence. */
  unknown: string[]
  /** Headers that name facts Wanqi does not keep yet. */
  notStored: string[]
  /** The header text each field was read from. */
  headerOf: Partial<Record<F, string>>
  /** Problems with the header as a whole (a required column missing). */
  issues: HistoryIssue[]
}

function mapHeaders<F extends string>(aliases: Record<F, readonly string[]>, headers: readonly string[], required: (have: Set<F>) => HistoryIssue[]): HistoryHeaders<F> {
  const lookup = new Map<string, F>()
  for (const [field, names] of Object.entries(aliases) as [F, readonly string[]][]) for (const name of names) if (!lookup.has(fold(name))) lookup.set(fold(name), field)
  const fields: (F | null)[] = []
  const unknown: string[] = []
  const notStored: string[] = []
  const headerOf: Partial<Record<F, string>> = {}
  for (const header of headers) {
    const field = lookup.get(fold(header))
    if (field && !(field in headerOf)) {
      fields.push(field)
      headerOf[field] = header
      continue
    }
    fields.push(null)
    if (header.trim() === '') continue
    if (NOT_STORED_HEADERS.includes(fold(header))) notStored.push(header)
    else unknown.push(header)
  }
  return { fields, unknown, notStored, headerOf, issues: required(new Set(Object.keys(headerOf) as F[])) }
}

const missing = (field: string): HistoryIssue => ({ column: field, message: { key: 'history.columnMissing', params: { column: field } } })

export function mapVisitHeaders(headers: readonly string[]): HistoryHeaders<VisitHistoryField> {
  return mapHeaders(VISIT_HEADERS, headers, (have) => [
    ...(have.has('uscc') || have.has('playerId') ? [] : [missing('统一社会信用代码 / uscc')]),
    ...(have.has('officer') ? [] : [missing('客户经理 / officer')]),
    ...(have.has('visitedAt') ? [] : [missing('走访时间 / visited at')]),
  ])
}

export function mapReferralHeaders(headers: readonly string[]): HistoryHeaders<ReferralHistoryField> {
  return mapHeaders(REFERRAL_HEADERS, headers, (have) => [
    ...(have.has('uscc') || have.has('playerId') ? [] : [missing('统一社会信用代码 / uscc')]),
    ...(have.has('product') ? [] : [missing('产品 / product')]),
    ...(have.has('amount') ? [] : [missing('推荐金额（万元） / amount')]),
    ...(have.has('referredAt') ? [] : [missing('推荐时间 / referred at')]),
  ])
}

/** A row's cells by field (blank cells left out). */
export function cellsByField<F extends string>(fields: readonly (F | null)[], cells: readonly string[]): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {}
  fields.forEach((field, i) => {
    const text = (cells[i] ?? '').trim()
    if (field && text !== '' && !/^[-—–/]+$/.test(text)) out[field] = text
  })
  return out
}

export type HistoryTime = { ok: true; value: string } | { ok: false; message: Message }

/**
 * A past moment as a file writes it: a date (`2026-03-02`, `2026/3/2`, `2026年3月2日`: the
 * start of that day), a date and time (`2026-03-02 14:30`, as a spreadsheet's date cell
 * reads), both in China time, or an ISO time with its offset, taken as it says.
 */
export function parseHistoryTime(raw: string): HistoryTime {
  const text = raw.normalize('NFKC').trim()
  const withTime = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(text)
  if (withTime) {
    const [, y, mo, d, h, mi, s, zone] = withTime
    const day = parseListDate(`${y}-${mo}-${d}`)
    if (!day.ok) return day
    if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return { ok: false, message: { key: 'history.timeFormat', params: { value: raw.trim() } } }
    const offset = zone === undefined ? '+08:00' : zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`
    const at = Date.parse(`${day.value}T${h.padStart(2, '0')}:${mi}:${s ?? '00'}${offset}`)
    if (Number.isNaN(at)) return { ok: false, message: { key: 'history.timeFormat', params: { value: raw.trim() } } }
    return { ok: true, value: new Date(at).toISOString() }
  }
  const day = parseListDate(text)
  if (!day.ok) return { ok: false, message: { key: 'history.timeFormat', params: { value: raw.trim() } } }
  return { ok: true, value: new Date(`${day.value}T00:00:00+08:00`).toISOString() }
}

/**
 * Whether a past moment is sane history: not in the future (beyond a few minutes of clock
 * skew), not before 2000, and not before `notBefore` (the player's registration, the referral).
 */
export function checkPastTime(at: string, now: Date, notBefore?: { at: string; key: 'history.beforeRegistration' | 'history.beforeReferral' }): Message | null {
  const time = Date.parse(at)
  if (time > now.getTime() + HISTORY_MAX_AHEAD_MS) return { key: 'history.inFuture' }
  if (time < Date.parse(HISTORY_FLOOR)) return { key: 'history.beforeFloor', params: { floor: '2000-01-01' } }
  if (notBefore && time < Date.parse(notBefore.at)) return { key: notBefore.key, params: { at: chinaDateTime(notBefore.at).slice(0, 16) } }
  return null
}


function wordsOf<T extends string>(entries: [T, string[]][]): Map<string, T> {
  const map = new Map<string, T>()
  for (const [value, words] of entries) for (const w of [value, ...words]) map.set(fold(w), value)
  return map
}

const CHANNEL_WORDS = wordsOf<(typeof VISIT_CHANNELS)[number]>([
  ['on_site', ['上门', '实地', '现场', '上门走访', '实地走访', 'onsite', 'visit', 'site']],
  ['phone', ['电话', '电话走访', '电访', 'phone', 'telephone', 'call']],
  ['video', ['视频', '视频走访', 'video', 'videocall']],
])
const OUTCOME_WORDS = wordsOf<(typeof VISIT_OUTCOMES)[number]>([
  ['refer', ['可推荐授信', '推荐授信', '推荐', 'refer', 'referral']],
  ['follow_up', ['需再跟进', '继续跟进', '跟进', 'followup']],
  ['no_need', ['暂无需求', '无需求', 'noneed']],
  ['declined', ['婉拒', '拒绝', 'declined']],
  ['not_met', ['未见到人', '未见到', '未遇', 'notmet']],
])
const PURPOSE_WORDS = wordsOf<(typeof NEED_PURPOSES)[number]>([
  ['working_capital', ['流动资金', '周转', 'workingcapital']],
  ['stock', ['进货备货', '进货', '备货', 'stock']],
  ['equipment', ['购置设备', '设备', 'equipment']],
  ['expansion', ['扩大经营', '扩大生产', 'expansion']],
  ['other', ['其他', 'other']],
])
const PRODUCT_WORDS = wordsOf<(typeof NEED_PRODUCTS)[number]>([
  ['tax_credit', ['税易贷', 'taxcredit', 'taxcreditloan']],
  ['household_credit', ['个体户信用贷', 'householdcredit', 'householdcreditloan']],
  ['secured', ['经营贷', 'secured', 'securedloan']],
  ['unsure', ['尚不确定', '不确定', 'unsure']],
])
const YES = new Set(['是', '有', '需要', 'y', 'yes', 'true', '1', '√', 'x'].map(fold))
const NO = new Set(['否', '无', '没有', '不需要', 'n', 'no', 'false', '0'].map(fold))

/** Yes or no as files write it; undefined when it is neither. */
export function parseYesNo(text: string): boolean | undefined {
  const word = fold(text)
  if (YES.has(word)) return true
  if (NO.has(word)) return false
  return undefined
}

export interface VisitHistoryRow {
  uscc: string | null
  playerId: number | null
  officer: string
  visitedAt: string
  clientKey: string | null
  /** The values the visit form's schema reads (app/forms/visit.ts), in its field names. */
  talk: Record<string, unknown>
}

/**
 * One row of past visits, read: identity and time checked here, the talk handed on to the
 * visit form's own schema by the service. A choice word not understood is an issue naming
 * the column (never taken as blank).
 */
export function readVisitHistoryRow(headers: HistoryHeaders<VisitHistoryField>, cells: readonly string[]): { row: VisitHistoryRow | null; issues: HistoryIssue[] } {
  const c = cellsByField(headers.fields, cells)
  const col = (f: VisitHistoryField) => headers.headerOf[f] ?? historyColumnName('visits', f)
  const issues: HistoryIssue[] = []
  const identity = readIdentity(c, (f) => col(f), issues)
  if (!c.officer) issues.push({ column: col('officer'), message: { key: 'history.required' } })
  let visitedAt = ''
  if (!c.visitedAt) issues.push({ column: col('visitedAt'), message: { key: 'history.required' } })
  else {
    const time = parseHistoryTime(c.visitedAt)
    if (time.ok) visitedAt = time.value
    else issues.push({ column: col('visitedAt'), message: time.message })
  }
  const talk: Record<string, unknown> = { contact: c.contact, notes: c.notes, needAmount: c.needAmount, needTermMonths: c.needTermMonths }
  const choose = <T extends string>(field: VisitHistoryField, words: Map<string, T>, key: string) => {
    const text = c[field]
    if (text === undefined) return
    const value = words.get(fold(text))
    if (value) talk[key] = value
    else issues.push({ column: col(field), message: { key: 'history.notAChoice', params: { value: text, choices: [...new Set(words.values())].join(', ') } } })
  }
  choose('channel', CHANNEL_WORDS, 'channel')
  choose('outcome', OUTCOME_WORDS, 'outcome')
  choose('needPurpose', PURPOSE_WORDS, 'needPurpose')
  choose('needProduct', PRODUCT_WORDS, 'needProduct')
  for (const [field, key] of [['hasNeed', 'hasNeed'], ['needCollateral', 'needCollateral']] as const) {
    const text = c[field]
    if (text === undefined) continue
    const yes = parseYesNo(text)
    if (yes === undefined) issues.push({ column: col(field), message: { key: 'history.notYesNo', params: { value: text } } })
    else talk[key] = field === 'hasNeed' ? yes : yes ? 'yes' : 'no'
  }
  // A need is what an amount says even where the file has no "has need" column.
  if (talk.hasNeed === undefined && c.needAmount !== undefined) talk.hasNeed = true
  if (c.nextFollowUpOn !== undefined) {
    const day = parseListDate(c.nextFollowUpOn)
    if (day.ok) talk.nextFollowUpOn = day.value
    else issues.push({ column: col('nextFollowUpOn'), message: day.message })
  }
  if (c.clientKey !== undefined && !/^[A-Za-z0-9_-]{8,64}$/.test(c.clientKey)) issues.push({ column: col('clientKey'), message: { key: 'visit.idFormat' } })
  if (issues.length || !identity) return { row: null, issues }
  return { row: { ...identity, officer: c.officer!.trim().toLowerCase(), visitedAt, clientKey: c.clientKey ?? null, talk }, issues }
}

function readIdentity(c: { uscc?: string; playerId?: string }, col: (f: 'uscc' | 'playerId') => string, issues: HistoryIssue[]): { uscc: string | null; playerId: number | null } | null {
  if (c.uscc !== undefined) {
    const checked = checkUscc(c.uscc)
    if (!checked.ok) {
      issues.push({ column: col('uscc'), message: checked.message })
      return null
    }
    return { uscc: checked.value, playerId: null }
  }
  if (c.playerId !== undefined) {
    const id = Number(c.playerId)
    if (!Number.isSafeInteger(id) || id <= 0) {
      issues.push({ column: col('playerId'), message: { key: 'history.badPlayerId', params: { value: c.playerId } } })
      return null
    }
    return { uscc: null, playerId: id }
  }
  issues.push({ column: col('uscc'), message: { key: 'history.noIdentity' } })
  return null
}

export interface ReferralHistoryRow {
  uscc: string | null
  playerId: number | null
  officer: string | null
  product: string
  amountYuan: number
  termMonths: number | null
  referredAt: string
  /** The stages after `referred`, each with its time (and a reason for a decline or withdrawal). */
  stages: { stage: string; at: string; reason: string | null; column: string }[]
  externalRef: string | null
  firstLender: boolean | null
  clientKey: string | null
}

const STAGE_COLUMNS = [
  ['acceptedAt', 'accepted'],
  ['accountOpenedAt', 'account_opened'],
  ['admittedAt', 'admitted'],
  ['ratedAt', 'rated'],
  ['approvedAt', 'approved'],
  ['disbursedAt', 'disbursed'],
  ['declinedAt', 'declined'],
  ['withdrawnAt', 'withdrawn'],
] as const

/** One row of past referrals: identity, product, amount, and the stages with their times. */
export function readReferralHistoryRow(headers: HistoryHeaders<ReferralHistoryField>, cells: readonly string[]): { row: ReferralHistoryRow | null; issues: HistoryIssue[] } {
  const c = cellsByField(headers.fields, cells)
  const col = (f: ReferralHistoryField) => headers.headerOf[f] ?? historyColumnName('referrals', f)
  const issues: HistoryIssue[] = []
  const identity = readIdentity(c, (f) => col(f), issues)
  if (!c.product) issues.push({ column: col('product'), message: { key: 'history.required' } })
  let amountYuan = 0
  const amount = c.amount === undefined ? NaN : Number(c.amount.replace(/,/g, ''))
  if (c.amount === undefined) issues.push({ column: col('amount'), message: { key: 'history.required' } })
  else if (!(amount >= 0.01 && amount <= 100_000)) issues.push({ column: col('amount'), message: { key: 'validation.numberBetween', params: { min: 0.01, max: 100_000 } } })
  else amountYuan = Math.round(amount * 10_000)
  let termMonths: number | null = null
  if (c.termMonths !== undefined) {
    const term = Number(c.termMonths)
    if (!Number.isInteger(term) || term < 1 || term > 360) issues.push({ column: col('termMonths'), message: { key: 'validation.wholeNumberBetween', params: { min: 1, max: 360 } } })
    else termMonths = term
  }
  const time = (field: ReferralHistoryField): string | null => {
    const text = c[field]
    if (text === undefined) return null
    const parsed = parseHistoryTime(text)
    if (parsed.ok) return parsed.value
    issues.push({ column: col(field), message: parsed.message })
    return null
  }
  const referredAt = time('referredAt')
  if (!c.referredAt) issues.push({ column: col('referredAt'), message: { key: 'history.required' } })
  const stages: ReferralHistoryRow['stages'] = []
  for (const [field, stage] of STAGE_COLUMNS) {
    const at = time(field)
    if (at === null) continue
    const reason = stage === 'declined' ? (c.declineReason ?? null) : stage === 'withdrawn' ? (c.withdrawReason ?? null) : null
    stages.push({ stage, at, reason, column: col(field) })
  }
  if (c.declinedAt !== undefined && !c.declineReason) issues.push({ column: col('declineReason'), message: { key: 'history.reasonNeeded' } })
  let firstLender: boolean | null = null
  if (c.firstLender !== undefined) {
    const yes = parseYesNo(c.firstLender)
    if (yes === undefined) issues.push({ column: col('firstLender'), message: { key: 'history.notYesNo', params: { value: c.firstLender } } })
    else firstLender = yes
  }
  if (c.clientKey !== undefined && !/^[A-Za-z0-9_.:-]{1,100}$/.test(c.clientKey)) issues.push({ column: col('clientKey'), message: { key: 'history.badKey' } })
  if (issues.length || !identity || referredAt === null) return { row: null, issues }
  return {
    row: { ...identity, officer: c.officer?.trim().toLowerCase() ?? null, product: c.product!, amountYuan, termMonths, referredAt, stages, externalRef: c.externalRef ?? null, firstLender, clientKey: c.clientKey ?? null },
    issues,
  }
}
