import { RemixBrowser } from '@remix-run/react'
import { startTransition, StrictMode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { addMessages, isLocale } from './i18n/index'

// The page names the parts of its language's messages it needs (root.tsx, preloaded with the
// page's modules): they are in place before hydration, so the first render matches the server's.
async function loadMessages(): Promise<void> {
  const links = [...document.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"][data-messages]')]
  await Promise.all(
    links.map(async (link) => {
      const locale = link.dataset.messages
      const module = (await import(/* @vite-ignore */ link.href)) as { default: Record<string, string> }
      if (isLocale(locale)) addMessages(locale, module.default)
    }),
  )
}

// Offline with a part not kept, the page still hydrates (showing keys) rather than staying inert.
void loadMessages()
  .catch(() => undefined)
  .then(() =>
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    )
  }),
)
