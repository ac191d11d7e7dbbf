// Searching and matching market player names: pinyin initials, and a folded form for de-duplication.
import { pinyin } from 'pinyin-pro'

/**
 * Lower-case pinyin initials of a name, letters and digits kept, everything else dropped:
 * `河南金穗面业有限公司` → `hnjsmyyxgs`, so an officer can type `jsmy` to find it.
 * pinyin-pro reads polyphones from their word (`重庆` → `cq`, `银行` → `yh`).
 */
export function nameInitials(name: string): string {
  const text = name.normalize('NFKC')
  if (text === '') return ''
  // Most names need no word context: every character has one initial whatever its reading.
  let initials = ''
  for (const char of text) {
    const initial = charInitial(char)
    if (initial === null) return wordInitials(text)
    initials += initial
  }
  return initials
}

function wordInitials(text: string): string {
  return pinyin(text, { pattern: 'first', toneType: 'none', type: 'array' })
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
}

/** Each character's initial, or null where its readings start with different letters
 * (行 xíng / háng) and only its word can tell. Learnt as characters are met. */
const initialOfChar = new Map<string, string | null>()

function charInitial(char: string): string | null {
  let initial = initialOfChar.get(char)
  if (initial === undefined) {
    const readings = pinyin(char, { pattern: 'first', toneType: 'none', type: 'array', multiple: true })
    const letters = new Set(readings.map((r) => r.toLowerCase().replace(/[^a-z0-9]/g, '')))
    initial = letters.size === 1 ? [...letters][0] : null
    initialOfChar.set(char, initial)
  }
  return initial
}

/**
 * A name folded for comparing two spellings of the same household: full-width to half-width
 * (NFKC), no whitespace, punctuation or symbols, lower-case. `张三 小吃（店）` = `张三小吃(店)`.
 */
export function normaliseForMatch(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}\p{C}]/gu, '')
}

/** A household without a USCC is recognised by its name, owner and address together. */
export function matchKey(facts: { name: string; owner: string | null; address: string | null }): string | null {
  if (!facts.owner || !facts.address) return null
  return [facts.name, facts.owner, facts.address].map(normaliseForMatch).join('|')
}

/** How a lead to verify (an enterprise without a USCC) is recognised: name + address, both
 * normalised; the address may be blank. */
export function leadKey(facts: { name: string; address: string | null }): string {
  return `lead|${normaliseForMatch(facts.name)}|${normaliseForMatch(facts.address ?? '')}`
}
