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

export type Params = Record<string, string | number>
export type Translate = (key: MessageKey, params?: Params) => string

export function translator(locale: Locale): Translate {
  const messages = catalogues[locale]
  return (key, params) => {
    const text = messages[key] ?? key
    return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text
  }
}

/** A message as data, to be translated where it is shown (in the user's language). */
export interface Message {
  key: MessageKey
  params?: Params
}
