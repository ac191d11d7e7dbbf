// Both languages in full, for the server. The browser gets only the active language's
// messages, in parts (message-parts.server.ts): a `.server` module is left out of its bundle.
import { en } from './en'
import type { Locale, Messages } from './index'
import { zhCN } from './zh-CN'

export const catalogues: Record<Locale, Messages> = { 'zh-CN': zhCN, en }
