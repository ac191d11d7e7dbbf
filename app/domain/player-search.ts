// What a search box entry is: a USCC, a phone or ID number, pinyin initials, or a piece of
// a name. Each kind is answered by a different index.
import { checkMobile, checkResidentId } from './identifiers'

export type SearchTerm =
  | { kind: 'uscc'; value: string }
  | { kind: 'usccPrefix'; value: string }
  | { kind: 'phone'; value: string }
  | { kind: 'idNumber'; value: string }
  | { kind: 'initials'; value: string }
  | { kind: 'text'; value: string }

const USCC_CHARS = /^[0-9A-HJ-NPQRTUWXY]+$/

export function classifySearch(raw: string): SearchTerm | null {
  const q = raw.normalize('NFKC').trim()
  if (q === '') return null
  const compact = q.replace(/\s+/g, '')
  const mobile = checkMobile(compact)
  if (mobile.ok) return { kind: 'phone', value: mobile.value }
  if (/^\d{17}[\dXx]$/.test(compact) && checkResidentId(compact).ok) return { kind: 'idNumber', value: compact.toUpperCase() }
  const upper = compact.toUpperCase()
  if (upper.length === 18 && USCC_CHARS.test(upper)) return { kind: 'uscc', value: upper }
  if (upper.length >= 6 && /\d/.test(upper) && USCC_CHARS.test(upper)) return { kind: 'usccPrefix', value: upper }
  if (/^[a-z]{2,}$/i.test(compact)) return { kind: 'initials', value: compact.toLowerCase() }
  return { kind: 'text', value: q.replace(/[%_\\]/g, '') }
}
