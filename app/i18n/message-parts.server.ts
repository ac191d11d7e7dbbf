// Serves each language's message parts as small ES modules (`/messages/zh-CN/field-<hash>.js`),
// named by their content so browsers and the service worker keep them until they change.
import { createHash } from 'node:crypto'
import { catalogues } from './catalogues.server'
import { LOCALES, type Locale } from './index'
import { MESSAGE_PARTS, partOf, type MessagePart } from './message-parts'

interface PartModule {
  url: string
  source: string
}

const modules = new Map<string, PartModule>()

function build(locale: Locale, part: MessagePart): PartModule {
  const key = `${locale}/${part}`
  const known = modules.get(key)
  if (known) return known
  const chosen = Object.fromEntries(Object.entries(catalogues[locale]).filter(([k]) => partOf(k) === part))
  const source = `export default ${JSON.stringify(chosen)}\n`
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 10)
  const made = { url: `/messages/${locale}/${part}-${hash}.js`, source }
  modules.set(key, made)
  return made
}

/** The address of each part of a language's messages. */
export function messagePartUrls(locale: Locale): Record<MessagePart, string> {
  return { field: build(locale, 'field').url, rest: build(locale, 'rest').url }
}

/** The module at `pathname`, or null when no part (of this build) lives there. */
export function messagePartAt(pathname: string): string | null {
  for (const locale of LOCALES) {
    for (const part of MESSAGE_PARTS) {
      const made = build(locale, part)
      if (made.url === pathname) return made.source
    }
  }
  return null
}
