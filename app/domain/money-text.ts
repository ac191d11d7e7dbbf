// An amount of money as a person reads it: in Chinese by the 万 (10,000 yuan) the bank counts
// in, in English in plain yuan ("500,000 yuan", never "50 × 10k yuan"). Amounts are integer yuan.

export function moneyText(yuan: number, locale: 'zh-CN' | 'en'): string {
  if (locale === 'en') return `${Math.round(yuan).toLocaleString('en')} yuan`
  return `${(yuan / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 万元`
}
