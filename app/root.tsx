import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import {
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
  useMatches,
  useRouteLoaderData,
} from '@remix-run/react'
import { useEffect } from 'react'
import { AppShell } from './components/app-shell'
import { useNonce } from './components/nonce'
import { OfflineSupport } from './components/offline-support'
import { can } from './domain/roles'
import { getLocale, getUser } from './http/guards.server'
import { addMessages, DEFAULT_LOCALE, isMessageKey } from './i18n/index'
import { isFieldPage } from './i18n/message-parts'
import { messagePartUrls } from './i18n/message-parts.server'
import { useT } from './i18n/use-t'
import tokens from './styles/tokens.css'
import stylesheet from './styles/app.css'
import pagesStylesheet from './styles/pages.css'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: tokens },
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'stylesheet', href: pagesStylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const meta: MetaFunction = () => [{ title: '万企通 Wanqi' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [locale, user] = await Promise.all([getLocale(request), getUser(request, context)])
  return {
    locale,
    messages: messagePartUrls(locale),
    requestId: context.requestId,
    user: user ? { name: user.name, username: user.username, role: user.role, orgName: user.orgName, mustChangePassword: user.mustChangePassword } : null,
  }
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root')
  const nonce = useNonce()
  const matches = useMatches()
  // The officer's pages hydrate with their own part of the messages; the rest comes after (App).
  const fieldOnly = matches.every((m) => m.id === 'root' || isFieldPage(m.handle))
  const parts = data ? (fieldOnly ? [data.messages.field] : [data.messages.field, data.messages.rest]) : []
  return (
    <html lang={data?.locale ?? DEFAULT_LOCALE}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        {parts.map((href) => (
          <link key={href} rel="modulepreload" href={href} data-messages={data?.locale} />
        ))}
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  const data = useRouteLoaderData<typeof loader>('root')
  const locale = data?.locale
  const rest = data?.messages.rest
  useEffect(() => {
    // After the page is usable: the messages the officer's pages did not need, for the next page.
    // Offline and not yet kept, it fails quietly: the next page load asks again.
    if (locale && rest) {
      import(/* @vite-ignore */ rest).then(
        (m: { default: Record<string, string> }) => addMessages(locale, m.default),
        () => undefined,
      )
    }
  }, [locale, rest])
  return (
    <AppShell user={data?.user ?? null}>
      <OfflineSupport signedIn={Boolean(data?.user)} keepsList={data?.user ? can(data.user.role, 'visits:log') : false} />
      <Outlet />
    </AppShell>
  )
}

export function ErrorBoundary() {
  const error = useRouteError()
  const data = useRouteLoaderData<typeof loader>('root')
  return (
    <AppShell user={data?.user ?? null}>
      <ErrorPanel error={error} requestId={data?.requestId} />
    </AppShell>
  )
}

function ErrorPanel({ error, requestId }: { error: unknown; requestId?: string }) {
  const t = useT()
  let message = t('error.server')
  let status = 500
  if (isRouteErrorResponse(error)) {
    status = error.status
    const key: unknown = (error.data as { messageKey?: unknown } | null)?.messageKey
    if (isMessageKey(key)) message = t(key)
    else if (status === 404) message = t('error.notFound')
    else if (status === 403) message = t('error.forbidden')
    else if (status < 500) message = t('error.badRequest')
  }
  return (
    <section className="card error-panel">
      <h1>
        {t('error.title')} <small>({status})</small>
      </h1>
      <p>{message}</p>
      {status >= 500 && requestId ? <p className="muted">{t('error.requestId', { id: requestId })}</p> : null}
      <p>
        <a href="/">{t('nav.home')}</a>
      </p>
    </section>
  )
}
