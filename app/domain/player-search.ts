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

/**
 * LIKE patterns for pinyin initials. Chinese names are made of two-character words, so the
 * letters may stand in runs of two or more with anything between them: `hnmy` finds 河南××面业
 * (`hn…my`) but not 河南福满纺织 (h, n, m, y scattered). At most 16 patterns.
 */
export function initialsPatterns(letters: string): string[] {
  const out: string[] = []
  const split = (rest: string, prefix: string) => {
    if (out.length >= 16) return
    out.push(`${prefix}${rest}%`)
    for (let cut = 2; cut <= rest.length - 2; cut++) split(rest.slice(cut), `${prefix}${rest.slice(0, cut)}%`)
  }
  split(letters, '%')
  return out
}

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
