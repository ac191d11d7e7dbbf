// GB/T 4754-2017 industry classification: the 20 sections and how lists write them.
import { INDUSTRY_SECTIONS, type IndustrySection } from './market-player'

export const INDUSTRY_SECTION_NAMES: Record<IndustrySection, { zh: string; en: string }> = {
  A: { zh: '农、林、牧、渔业', en: 'Agriculture, forestry, animal husbandry and fishery' },
  B: { zh: '采矿业', en: 'Mining' },
  C: { zh: '制造业', en: 'Manufacturing' },
  D: { zh: '电力、热力、燃气及水生产和供应业', en: 'Electricity, heat, gas and water production and supply' },
  E: { zh: '建筑业', en: 'Construction' },
  F: { zh: '批发和零售业', en: 'Wholesale and retail trade' },
  G: { zh: '交通运输、仓储和邮政业', en: 'Transport, storage and postal services' },
  H: { zh: '住宿和餐饮业', en: 'Accommodation and catering' },
  I: { zh: '信息传输、软件和信息技术服务业', en: 'Information transmission, software and information technology services' },
  J: { zh: '金融业', en: 'Finance' },
  K: { zh: '房地产业', en: 'Real estate' },
  L: { zh: '租赁和商务服务业', en: 'Leasing and business services' },
  M: { zh: '科学研究和技术服务业', en: 'Scientific research and technical services' },
  N: { zh: '水利、环境和公共设施管理业', en: 'Water conservancy, environment and public facilities management' },
  O: { zh: '居民服务、修理和其他服务业', en: 'Resident services, repair and other services' },
  P: { zh: '教育', en: 'Education' },
  Q: { zh: '卫生和社会工作', en: 'Health and social work' },
  R: { zh: '文化、体育和娱乐业', en: 'Culture, sports and entertainment' },
  S: { zh: '公共管理、社会保障和社会组织', en: 'Public administration, social security and social organisations' },
  T: { zh: '国际组织', en: 'International organisations' },
}

/** The last division (two-digit code) of each section, in order: 01–05 are A, 06–12 B, … */
const LAST_DIVISION: [number, IndustrySection][] = [
  [5, 'A'], [12, 'B'], [43, 'C'], [46, 'D'], [50, 'E'], [52, 'F'], [60, 'G'], [62, 'H'], [65, 'I'], [69, 'J'],
  [70, 'K'], [72, 'L'], [75, 'M'], [79, 'N'], [82, 'O'], [83, 'P'], [85, 'Q'], [90, 'R'], [96, 'S'], [97, 'T'],
]

/** The section a division (`52`) or finer code (`5211`) belongs to, or null when there is no such division. */
export function sectionOfCode(code: string): IndustrySection | null {
  if (!/^\d{2,4}$/.test(code)) return null
  const division = Number(code.slice(0, 2))
  if (division < 1) return null
  return LAST_DIVISION.find(([last]) => division <= last)?.[1] ?? null
}

export interface Industry {
  section: IndustrySection
  /** The finer code when known: a division (`52`) or group/class (`521`, `5211`). */
  code: string | null
}

// Names as lists write them, besides the section names themselves; a code marks a division.
const SHORT_NAMES: [string, IndustrySection, string | null][] = [
  ['农林牧渔业', 'A', null], ['农林牧渔', 'A', null], ['农业', 'A', '01'], ['林业', 'A', '02'], ['畜牧业', 'A', '03'],
  ['渔业', 'A', '04'], ['农林牧渔专业及辅助性活动', 'A', '05'], ['agriculture', 'A', null],
  ['采矿', 'B', null], ['mining', 'B', null],
  ['制造', 'C', null],
  ['电力热力燃气及水生产和供应', 'D', null], ['电力热力生产和供应业', 'D', '44'], ['燃气生产和供应业', 'D', '45'],
  ['水的生产和供应业', 'D', '46'],
  ['建筑', 'E', null],
  ['批发零售业', 'F', null], ['批发和零售', 'F', null], ['批发零售', 'F', null], ['wholesale and retail', 'F', null],
  ['批发业', 'F', '51'], ['批发', 'F', '51'], ['wholesale', 'F', '51'],
  ['零售业', 'F', '52'], ['零售', 'F', '52'], ['retail', 'F', '52'],
  ['交通运输仓储和邮政', 'G', null], ['交通运输业', 'G', null], ['交通运输', 'G', null], ['运输业', 'G', null],
  ['物流', 'G', null], ['transport', 'G', null], ['道路运输业', 'G', '54'], ['装卸搬运和仓储业', 'G', '59'],
  ['仓储业', 'G', '59'], ['warehousing', 'G', '59'], ['邮政业', 'G', '60'], ['postalservices', 'G', '60'],
  ['住宿餐饮业', 'H', null], ['住宿和餐饮', 'H', null], ['住宿餐饮', 'H', null],
  ['住宿业', 'H', '61'], ['住宿', 'H', '61'], ['accommodation', 'H', '61'], ['lodging', 'H', '61'],
  ['餐饮业', 'H', '62'], ['餐饮', 'H', '62'], ['catering', 'H', '62'],
  ['信息传输软件和信息技术服务', 'I', null], ['信息技术', 'I', null],
  ['电信广播电视和卫星传输服务', 'I', '63'], ['互联网和相关服务', 'I', '64'],
  ['软件和信息技术服务业', 'I', '65'], ['软件和信息技术服务', 'I', '65'], ['软件业', 'I', '65'],
  ['软件', 'I', '65'], ['software', 'I', '65'],
  ['金融', 'J', null], ['房地产', 'K', null], ['房地产开发经营', 'K', '701'], ['物业管理', 'K', '702'],
  ['租赁和商务服务', 'L', null], ['租赁业', 'L', '71'], ['商务服务业', 'L', '72'],
  ['科学研究和技术服务', 'M', null], ['科技服务业', 'M', null],
  ['水利环境和公共设施管理', 'N', null],
  ['居民服务修理和其他服务', 'O', null], ['居民服务业', 'O', '80'], ['机动车电子产品和日用产品修理业', 'O', '81'],
  ['其他服务业', 'O', '82'],
  ['卫生', 'Q', null], ['文化体育和娱乐', 'R', null], ['文化体育娱乐业', 'R', null],
]

/** Lower-case, full-width folded, without whitespace or punctuation: `农、林、牧、渔业` → `农林牧渔业`. */
function foldName(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '')
}

const BY_NAME = new Map<string, Industry>()
for (const section of INDUSTRY_SECTIONS) {
  BY_NAME.set(foldName(INDUSTRY_SECTION_NAMES[section].zh), { section, code: null })
  BY_NAME.set(foldName(INDUSTRY_SECTION_NAMES[section].en), { section, code: null })
}
for (const [name, section, code] of SHORT_NAMES) BY_NAME.set(foldName(name), { section, code })

/** A section letter (`F`), a code with or without its letter (`F52`, `5211`, `52`), or null. */
function parseCode(text: string): Industry | null {
  const match = /^([A-Za-z])?(\d{2,4})?$/.exec(text)
  if (!match || (!match[1] && !match[2])) return null
  const letter = match[1]?.toUpperCase()
  const digits = match[2] ?? null
  if (digits === null) return (INDUSTRY_SECTIONS as readonly string[]).includes(letter!) ? { section: letter as IndustrySection, code: null } : null
  const section = sectionOfCode(digits)
  if (!section || (letter && letter !== section)) return null
  return { section, code: digits }
}

/**
 * An industry as a list writes it: a section letter (`F`), a section name in full or short
 * (`批发和零售业`, `零售业`), a code (`F52`, `5211`, `52`), or a code followed by a name
 * (`F52 零售业`). Null when it is none of these.
 */
export function parseIndustry(raw: string): Industry | null {
  const text = raw.normalize('NFKC').trim()
  if (text === '') return null
  const compact = text.replace(/\s+/g, '')
  const byCode = parseCode(compact)
  if (byCode) return byCode
  const byName = BY_NAME.get(foldName(text))
  if (byName) return { ...byName }
  // `F52 零售业`, `C-制造业`: a code, then a name that must agree with it.
  const prefixed = /^([A-Za-z]?\d{0,4})[\s\-—:.、·]*(\p{Script=Han}.*)$/u.exec(compact)
  if (prefixed && prefixed[1] !== '') {
    const code = parseCode(prefixed[1])
    const name = BY_NAME.get(foldName(prefixed[2]))
    if (code && (!name || name.section === code.section)) {
      return { section: code.section, code: code.code ?? name?.code ?? null }
    }
  }
  return null
}

/** The section's name in the given language. */
export function industrySectionName(section: IndustrySection, locale: 'zh-CN' | 'en'): string {
  return INDUSTRY_SECTION_NAMES[section][locale === 'en' ? 'en' : 'zh']
}
