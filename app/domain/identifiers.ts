// Identifier checks: USCC (GB 32100-2015), resident ID (GB 11643), mobile phone.
import type { Message } from '../i18n/index'

/** The outcome of checking one identifier: the normalised value, or why it is wrong. */
export type IdentifierCheck<Reason extends string> =
  | { ok: true; value: string }
  | { ok: false; value: string; reason: Reason; expected?: string; message: Message }

// ---------------------------------------------------------------- USCC

/** 31 characters: digits and upper-case letters without I, O, S, V, Z. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_WEIGHTS = Array.from({ length: 17 }, (_, i) => 3 ** i % 31)

export type UsccReason = 'length' | 'charset' | 'check'

/** The check character for the first 17 characters of a USCC (which must be from the charset). */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError('usccCheckCharacter needs 17 characters')
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const value = USCC_CHARSET.indexOf(first17[i])
    if (value < 0) throw new RangeError(`not a USCC character: ${first17[i]}`)
    sum += value * USCC_WEIGHTS[i]
  }
  return USCC_CHARSET[(31 - (sum % 31)) % 31]
}

export function checkUscc(raw: string): IdentifierCheck<UsccReason> {
  const value = raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase()
  const chars = Array.from(value)
  if (chars.length !== 18) return fail(value, 'length', { key: 'uscc.length', params: { length: chars.length } })
  const bad = [...new Set(chars.filter((c) => !USCC_CHARSET.includes(c)))]
  if (bad.length > 0) return fail(value, 'charset', { key: 'uscc.charset', params: { chars: bad.join(' ') } })
  const expected = usccCheckCharacter(value.slice(0, 17))
  if (value[17] !== expected) return fail(value, 'check', { key: 'uscc.check', params: { expected } }, expected)
  return { ok: true, value }
}

/** A USCC issued by market regulation (9) to an individual household (2). */
export function isHouseholdUscc(uscc: string): boolean {
  return uscc.startsWith('92')
}

// ---------------------------------------------------------------- resident ID

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK_CHARACTERS = '10X98765432'

export type ResidentIdReason = 'length' | 'format' | 'date' | 'check'

/** The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID. */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('residentIdCheckCharacter needs 17 digits')
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]
  return ID_CHECK_CHARACTERS[sum % 11]
}

export function checkResidentId(raw: string): IdentifierCheck<ResidentIdReason> {
  const value = raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase()
  const length = Array.from(value).length
  if (length !== 18) return fail(value, 'length', { key: 'idNumber.length', params: { length } })
  if (!/^\d{17}[\dX]$/.test(value)) return fail(value, 'format', { key: 'idNumber.format' })
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`
  if (!isRealDate(birth)) return fail(value, 'date', { key: 'idNumber.date', params: { date: birth } })
  const expected = residentIdCheckCharacter(value.slice(0, 17))
  if (value[17] !== expected) return fail(value, 'check', { key: 'idNumber.check', params: { expected } }, expected)
  return { ok: true, value }
}

// ---------------------------------------------------------------- mobile phone

export type MobileReason = 'length' | 'format'

/** A mainland mobile number: separators and a +86 / 0086 / 86 prefix stripped, then 11 digits. */
export function checkMobile(raw: string): IdentifierCheck<MobileReason> {
  let value = raw.normalize('NFKC').replace(/[\s\-()]/g, '')
  if (value.startsWith('+86')) value = value.slice(3)
  else if (value.startsWith('0086')) value = value.slice(4)
  else if (value.startsWith('86') && value.length === 13) value = value.slice(2)
  if (/^\d+$/.test(value) && value.length !== 11) return fail(value, 'length', { key: 'phone.length', params: { value } })
  if (!/^1[3-9]\d{9}$/.test(value)) return fail(value, 'format', { key: 'phone.format', params: { value } })
  return { ok: true, value }
}

// ---------------------------------------------------------------- phone: mobile or landline

/**
 * A phone as lists give it: a mobile (checkMobile), or a landline with its area code
 * (`0572-6029388`, `05726029388`, `(0572)6029388`, an extension after 转, `-`, `ext`),
 * stored as `0572-6029388` or `0572-6029388-801`. Three-digit area codes are 010 and 02X;
 * all others have four.
 */
export function checkPhone(raw: string): IdentifierCheck<MobileReason> {
  const text = raw.normalize('NFKC').trim()
  const landline = /^\(?(0\d{2,3})\)?[\s-]?(\d{7,8})(?:\s*(?:转|-|ext\.?|x|#)\s*(\d{1,6}))?$/i.exec(text)
  if (landline) {
    let [, area, number] = landline
    const digits = area + number
    // Without a separator the split is by the area code's length.
    if (!/[\s\-()]/.test(text.slice(0, area.length + 2))) {
      const areaLength = /^0(10|2\d)/.test(digits) ? 3 : 4
      area = digits.slice(0, areaLength)
      number = digits.slice(areaLength)
    }
    if (/^[1-9]\d{6,7}$/.test(number) && /^0(10|2\d|[3-9]\d{2})$/.test(area)) {
      return { ok: true, value: landline[3] ? `${area}-${number}-${landline[3]}` : `${area}-${number}` }
    }
  }
  return checkMobile(raw)
}

// ---------------------------------------------------------------- numbers that lost digits

/**
 * Whether a code reads as a number a spreadsheet kept (15 significant digits, the rest
 * zeros, or written as 9.14101815897281E+17): its last digits may be gone for good. A
 * caller confirms with the code's check (a real code can end in zeros).
 */
export function lostDigits(raw: string): boolean {
  const text = raw.normalize('NFKC').replace(/\s/g, '')
  if (/^\d(\.\d+)?e\+?\d+$/i.test(text)) return true
  return /^\d{16,}$/.test(text) && /^0+$/.test(text.slice(15))
}

// ---------------------------------------------------------------- helpers

/** Whether `YYYY-MM-DD` names a day that exists in the Gregorian calendar. */
export function isRealDate(isoDate: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (month < 1 || month > 12 || day < 1) return false
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
  return day <= days
}

function fail<Reason extends string>(value: string, reason: Reason, message: Message, expected?: string): IdentifierCheck<Reason> {
  return expected === undefined ? { ok: false, value, reason, message } : { ok: false, value, reason, expected, message }
}
