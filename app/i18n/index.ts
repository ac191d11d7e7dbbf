// Messages and the translate function, shared by server and browser. The server holds both
// languages in full; the browser holds what entry.client.tsx loaded of the active one.
import { catalogues as serverCatalogues } from './catalogues.server'
import type { zhCN } from './zh-CN'
import { COUNT_PARAMS, countText } from '../domain/number-text'

export type MessageKey = keyof typeof zhCN
export type Messages = Record<MessageKey, string>

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'

// In the browser `serverCatalogues` is undefined (a `.server` module is left out of its bundle).
const loaded: Record<Locale, Partial<Messages>> = { 'zh-CN': {}, en: {} }
let version = 0
const listeners = new Set<() => void>()
/** Keys asked for in the browser before any loaded part held them (read by the browser tests). */
const missing = new Set<string>()

function messagesOf(locale: Locale): Partial<Messages> {
  return (serverCatalogues as Record<Locale, Messages> | undefined)?.[locale] ?? loaded[locale]
}

/** The browser adds a part of a language's messages as it arrives; pages showing them re-render. */
export function addMessages(locale: Locale, part: Partial<Messages>): void {
  Object.assign(loaded[locale], part)
  version += 1
  for (const listener of listeners) listener()
}

export function onMessagesAdded(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function messagesVersion(): number {
  return version
}

export function missingMessages(): string[] {
  return [...missing]
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && LOCALES.some((l) => value in messagesOf(l))
}

/** A parameter is text, a number, or a message of its own, translated into the same language. */
export type Params = { [name: string]: string | number | Message }
export type Translate = (key: MessageKey, params?: Params) => string

/** Parameters that name something (a product) and read as quoted data in English when only a Chinese name exists. */
const QUOTED_PARAMS: ReadonlySet<string> = new Set(['product'])
const HAN = /\p{Script=Han}/u

export function translator(locale: Locale): Translate {
  const messages = messagesOf(locale)
  // Size bases stored before names became messages carry each language's name as `ruleZh`
  // and `ruleEn` (and `classZh`, `classEn`): `{rule}` reads those when it has no `rule`.
  const stored = locale === 'en' ? 'En' : 'Zh'
  const translate: Translate = (key, params) => {
    const found = messages[key]
    if (found === undefined) missing.add(key)
    const text = found ?? key
    if (!params) return text
    return text.replace(/\{(\w+)\}/g, (m, name: string) => {
      const value = params[name] ?? params[name + stored]
      if (value === undefined) return m
      if (typeof value === 'object') return translate(value.key, value.params)
      // Counts read alike everywhere (20,019), however the caller passed them.
      if (typeof value === 'number') return COUNT_PARAMS.has(name) ? countText(value) : String(value)
      // A name with no English one (a product an admin added) is data inside an English sentence: quoted.
      return locale === 'en' && QUOTED_PARAMS.has(name) && HAN.test(value) ? `“${value}”` : value
    })
  }
  return translate
}

/** A message as data, to be translated where it is shown (in the user's language). */
export interface Message {
  key: MessageKey
  params?: Params
}
