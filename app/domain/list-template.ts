// The list template offered for download on the imports page: one header per column, in the
// words the importer recognises (domain/list-columns.ts), Chinese or English.
import { HEADER_SYNONYMS, LIST_COLUMNS } from './list-columns'

const HAS_CJK = /[\u3400-\u9fff]/

export function templateHeaders(locale: 'zh-CN' | 'en'): string[] {
  return LIST_COLUMNS.map((column) => {
    const names = HEADER_SYNONYMS[column]
    const picked = locale === 'en' ? names.find((n) => !HAS_CJK.test(n)) : names.find((n) => HAS_CJK.test(n))
    return picked ?? names[0]!
  })
}
