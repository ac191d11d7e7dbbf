import { useRouteLoaderData } from '@remix-run/react'
import { useSyncExternalStore } from 'react'
import { DEFAULT_LOCALE, messagesVersion, onMessagesAdded, translator, type Locale, type Message, type Translate } from './index'

export function useLocale(): Locale {
  const data = useRouteLoaderData('root') as { locale?: Locale } | undefined
  return data?.locale ?? DEFAULT_LOCALE
}

export function useT(): Translate {
  // Re-render when a part of the messages arrives (the rest follows the officer's first part).
  useSyncExternalStore(onMessagesAdded, messagesVersion, messagesVersion)
  return translator(useLocale())
}

export function useTranslateMessage(): (m: Message) => string {
  const t = useT()
  return (m) => t(m.key, m.params)
}
