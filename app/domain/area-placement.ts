// Where a player without an area code lies (PRODUCT.md, "How a real list is read"): the
// township its address names, among the divisions the bank serves (the longest name found,
// only within the division of its USCC when the bank serves townships there); else the
// division of the USCC's positions 3–8. Pure: the divisions come in as plain data.
import type { RowResult } from './market-player'

/** What a player's area code comes from: a list, its address, its USCC, a person. */
export type AreaBasis = 'list' | 'address' | 'uscc' | 'manual'

/** The divisions the bank serves, as plain data (it crosses to import threads). */
export interface PlacementDivisions {
  /** 9-digit townships: [code, name]. */
  townships: [string, string][]
  /** 6-digit provinces, cities and counties: [code, name], to name a USCC's division. */
  counties: [string, string][]
}

export interface Placement {
  areaCode: string
  basis: 'address' | 'uscc'
  /** The township's name the address holds, or the USCC division's name when known. */
  matchedName: string | null
}

export type AreaPlacer = (player: { address: string | null; uscc: string | null }) => Placement | null

interface Pattern {
  text: string
  code: string
  name: string
  /** 0: the name as it stands; 1: its other suffix or 办事处; 2: a shortened form (no 东/西/南/北, no suffix). */
  rank: number
}

const SUFFIXES = ['街道办事处', '街道', '办事处', '民族乡', '镇', '乡']

/** Characters addresses write either way in place names (阎楼/闫楼, 堌阳/固阳): both sides are read folded. */
const VARIANTS: Record<string, string> = { 阎: '闫', 堌: '固' }
const fold = (text: string) => text.replace(/[阎堌]/g, (c) => VARIANTS[c])

/**
 * The ways an address writes a township, each with how far it is from the name: its name;
 * for a 镇 or 乡 the other of the two (a 乡 made a 镇 keeps its old name on many addresses),
 * and a 街道 as its 办事处; and for a stem of three characters or more, the stem alone
 * (兰考县东坝头黄河创业园区) and, when it begins with a direction, the name without it
 * (坝头乡 for 东坝头镇: a direction is often added when a township is renamed).
 */
function spellings(name: string): [text: string, rank: number][] {
  const out = new Map<string, number>([[name, 0]])
  const add = (text: string, rank: number) => {
    if (!out.has(text)) out.set(text, rank)
  }
  const suffix = SUFFIXES.find((s) => name.endsWith(s))
  const stem = suffix ? name.slice(0, -suffix.length) : null
  if (stem && stem.length >= 2) {
    if (suffix === '镇') add(`${stem}乡`, 1)
    if (suffix === '乡') add(`${stem}镇`, 1)
    if (suffix === '街道') add(`${stem}办事处`, 1)
  }
  if (stem && stem.length >= 3 && (suffix === '镇' || suffix === '乡')) {
    add(stem, 2)
    if ('东西南北'.includes(stem[0])) for (const s of ['镇', '乡']) add(`${stem.slice(1)}${s}`, 2)
  }
  return [...out]
}

/** The division prefix a USCC names: 2, 4 or 6 digits (a province, a city, a county). */
export function usccDivision(uscc: string | null): string | null {
  if (!uscc || uscc.length !== 18) return null
  const code = uscc.slice(2, 8)
  if (!/^\d{6}$/.test(code) || code.startsWith('00')) return null
  return code
}

function prefixOf(division: string): string {
  if (division.endsWith('0000')) return division.slice(0, 2)
  if (division.endsWith('00')) return division.slice(0, 4)
  return division
}

export function createAreaPlacer(divisions: PlacementDivisions): AreaPlacer {
  // Patterns by their first two characters: an address is read once, position by position,
  // and a province's 2,500 townships share few such pairs.
  const byStart = new Map<string, Pattern[]>()
  for (const [code, name] of divisions.townships) {
    for (const [text, rank] of spellings(fold(name))) {
      if (text.length < 2) continue
      const list = byStart.get(text.slice(0, 2)) ?? []
      list.push({ text, code, name, rank })
      byStart.set(text.slice(0, 2), list)
    }
  }
  const prefixes = new Set<string>()
  for (const [code] of divisions.townships) for (const n of [2, 4, 6]) prefixes.add(code.slice(0, n))
  const divisionNames = new Map(divisions.counties)

  return ({ address, uscc }) => {
    const division = usccDivision(uscc)
    const within = division && prefixes.has(prefixOf(division)) ? prefixOf(division) : ''
    if (address) {
      const text = fold(address.normalize('NFKC').replace(/\s/g, ''))
      let best: Pattern[] = []
      for (let i = 0; i + 1 < text.length; i++) {
        const candidates = byStart.get(text.slice(i, i + 2))
        if (!candidates) continue
        for (const p of candidates) {
          if (!p.code.startsWith(within) || !text.startsWith(p.text, i)) continue
          // The longest text wins; of equal length, the spelling nearest a real name.
          const order = best.length === 0 ? 1 : p.text.length - best[0].text.length || best[0].rank - p.rank
          if (order > 0) best = [p]
          else if (order === 0 && !best.some((b) => b.code === p.code)) best.push(p)
        }
      }
      // Two townships of one name the USCC cannot tell apart: the address does not decide.
      if (best.length === 1) return { areaCode: best[0].code, basis: 'address', matchedName: best[0].name }
    }
    if (division) return { areaCode: division, basis: 'uscc', matchedName: divisionNames.get(division) ?? null }
    return null
  }
}

/** A read row without an area code, given the one its address or USCC places it in. */
export function withPlacedArea(result: RowResult, place: AreaPlacer): RowResult {
  if (!result.ok || result.fields.areaCode !== null) return result
  const placement = place(result.fields)
  if (!placement) return result
  return { ...result, fields: { ...result.fields, areaCode: placement.areaCode, areaBasis: placement.basis } }
}

const RANK: Record<AreaBasis, number> = { uscc: 1, address: 2, list: 3, manual: 3 }

/**
 * Whether an area code found one way may replace the one stored: what a list or a person
 * states always may; a derived one only a derived one no finer than itself.
 */
export function mayReplaceArea(stored: { areaCode: string | null; basis: AreaBasis | null }, incoming: AreaBasis): boolean {
  if (stored.areaCode === null) return true
  // A code stored before bases were kept came from a list or a form.
  const storedRank = RANK[stored.basis ?? 'list']
  return incoming === 'list' || incoming === 'manual' || RANK[incoming] >= storedRank
}
