// An amount of money as a person reads it: in Chinese by the 万 (10,000 yuan) the bank counts
// in, in English in plain yuan ("500,000 yuan", never "50 × 10k yuan"). Amounts are integer yuan.

// Made once: `toLocaleString` with a locale builds a formatter each call, and a list calls
// this once a row (decision 0551).
const EN = new Intl.NumberFormat('en')
const ZH = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 })

export function moneyText(yuan: number, locale: 'zh-CN' | 'en'): string {
  if (locale === 'en') return `${EN.format(Math.round(yuan))} yuan`
  return `${ZH.format(yuan / 10_000)} 万元`
}
