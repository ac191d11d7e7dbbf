import { useRouteLoaderData } from '@remix-run/react'
import { DEFAULT_LOCALE, translator, type Locale, type Message, type Translate } from './index'

export function useLocale(): Locale {
  const data = useRouteLoaderData('root') as { locale?: Locale } | undefined
  return data?.locale ?? DEFAULT_LOCALE
}

export function useT(): Translate {
  return translator(useLocale())
}

export function useTranslateMessage(): (m: Message) => string {
  const t = useT()
  return (m) => t(m.key, m.params)
}
