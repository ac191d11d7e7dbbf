// Messages and the translate function, shared by server and browser.
import { en } from './en'
import { zhCN } from './zh-CN'

export type MessageKey = keyof typeof zhCN
export type Messages = Record<MessageKey, string>

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'

const catalogues: Record<Locale, Messages> = { 'zh-CN': zhCN, en }

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && value in zhCN
}

/** A parameter is text, a number, or a message of its own, translated into the same language. */
export type Params = { [name: string]: string | number | Message }
export type Translate = (key: MessageKey, params?: Params) => string

export function translator(locale: Locale): Translate {
  const messages = catalogues[locale]
  // Size bases stored before names became messages carry each language's name as `ruleZh`
  // and `ruleEn` (and `classZh`, `classEn`): `{rule}` reads those when it has no `rule`.
  const stored = locale === 'en' ? 'En' : 'Zh'
  const translate: Translate = (key, params) => {
    const text = messages[key] ?? key
    if (!params) return text
    return text.replace(/\{(\w+)\}/g, (m, name: string) => {
      const value = params[name] ?? params[name + stored]
      if (value === undefined) return m
      return typeof value === 'object' ? translate(value.key, value.params) : String(value)
    })
  }
  return translate
}

/** A message as data, to be translated where it is shown (in the user's language). */
export interface Message {
  key: MessageKey
  params?: Params
}
