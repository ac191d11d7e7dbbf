// Wanqi's service worker: keeps the officer's list usable with no signal.
// - the app's built files (/build/*, content-hashed) and the messages' parts (/messages/*,
//   likewise) are served from the cache once fetched;
// - "My list" and the day's route (each page and its data) are fetched from the network when
//   there is one and from the cache when not, so they open in a village with no connection;
// - the API is never cached: visits saved offline, and consents signed offline (the text comes
//   with "My list"), wait in the page's IndexedDB outbox (app/offline/outbox.ts), not here.
const CACHE = 'wanqi-v1'
const OFFLINE_PAGES = ['/my', '/my.data', '/my/route', '/my/route.data', '/_root.data']

self.addEventListener('install', () => self.skipWaiting())

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name)
      await self.clients.claim()
    })(),
  )
})

// The page says what it loaded before this worker controlled it, and what it will need.
// Every page says it, so the asks are taken one after another: a page opened while the last
// one's list is still downloading finds it kept instead of downloading it again beside it, and
// a sign-out's forgetting is never followed by a put that was under way.
let queue = Promise.resolve()
function inTurn(work) {
  const run = queue.then(work)
  queue = run.catch(() => undefined)
  return run
}

self.addEventListener('message', (event) => {
  const message = event.data || {}
  if (message.type === 'cache' && Array.isArray(message.urls)) {
    event.waitUntil(inTurn(() => cacheAll(message.urls)))
  } else if (message.type === 'forget') {
    // Signed out: the cached list holds personal data; the outbox (IndexedDB) stays.
    event.waitUntil(inTurn(() => caches.delete(CACHE)))
  }
})

async function cacheAll(urls) {
  const cache = await caches.open(CACHE)
  for (const raw of urls) {
    const url = new URL(raw, self.location.origin)
    if (url.origin !== self.location.origin || !isCachable(url)) continue
    if ((url.pathname.startsWith('/build/') || url.pathname.startsWith('/messages/')) && (await cache.match(url.href))) continue
    // A page kept minutes ago (opening it keeps it as it passes) is not fetched again on every
    // page: on a weak signal that was the whole list downloaded twice per page. The day's
    // route, kept ahead of its first visit, follows the same rule.
    if (OFFLINE_PAGES.includes(url.pathname) && fresh(await cache.match(url.href))) continue
    try {
      const response = await fetch(url.href, { credentials: 'same-origin' })
      if (!response.ok || response.redirected) continue
      // A page kept for offline names the built files it runs on: keep them too, so a page
      // of the officer's not yet opened (the day's route) still works with no signal.
      const isPage = (response.headers.get('Content-Type') || '').startsWith('text/html')
      const files = isPage ? [...new Set((await response.clone().text()).match(/\/build\/[\w./-]+\.(?:js|css)/g) || [])] : []
      await cache.put(url.href, response)
      for (const file of files) {
        const href = new URL(file, self.location.origin).href
        if (await cache.match(href)) continue
        const built = await fetch(href)
        if (built.ok) await cache.put(href, built)
      }
    } catch {
      // offline: the next page load says it again
    }
  }
}

const FRESH_MS = 5 * 60 * 1000

function fresh(response) {
  const at = response ? Date.parse(response.headers.get('Date') || '') : NaN
  return Number.isFinite(at) && Date.now() - at < FRESH_MS
}

function isCachable(url) {
  return url.pathname.startsWith('/build/') || url.pathname.startsWith('/messages/') || url.pathname === '/favicon.svg' || OFFLINE_PAGES.includes(url.pathname)
}

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return
  // Built files and the messages' parts are named by their content: kept once fetched.
  if (url.pathname.startsWith('/build/') || url.pathname.startsWith('/messages/') || url.pathname === '/favicon.svg') {
    event.respondWith(cacheFirst(request))
  } else if (OFFLINE_PAGES.includes(url.pathname)) {
    event.respondWith(networkFirst(request))
  } else if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(() => offlinePage()))
  }
})

async function cacheFirst(request) {
  const cache = await caches.open(CACHE)
  const hit = await cache.match(request)
  if (hit) return hit
  const response = await fetch(request)
  if (response.ok) await cache.put(request, response.clone())
  return response
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE)
  try {
    const response = await fetch(request)
    // A redirect (to sign in) or an error page is not the list: keep the last good one.
    if (response.ok && !response.redirected) await cache.put(request, response.clone())
    return response
  } catch (error) {
    const hit = (await cache.match(request)) || (await cache.match(request, { ignoreSearch: true }))
    if (hit) return fromCache(hit)
    if (request.mode === 'navigate') return offlinePage()
    throw error
  }
}

/** A cached answer, marked so that a page (and a test) can tell it was not fresh. */
function fromCache(response) {
  const headers = new Headers(response.headers)
  headers.set('X-Wanqi-From-Cache', '1')
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

function offlinePage() {
  // Styled inline (the app's stylesheet may not be cached): the bar, a card, the same colours.
  const html = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>离线 Offline · 万企通</title>
<style>
body { margin: 0; font-family: system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif; background: #f4f6f8; color: #1b2430; line-height: 1.6; }
header { background: #b4232a; color: #fff; padding: 0.6rem 1rem; font-weight: 700; font-size: 1.1rem; }
main { max-width: 32rem; margin: 1.5rem auto; padding: 0 1rem; }
.card { background: #fff; border: 1px solid #d9dee5; border-radius: 10px; padding: 1.25rem; }
h1 { font-size: 1.4rem; margin: 0 0 0.5rem; }
.pill { display: inline-block; background: #fff6e0; color: #7a5100; border: 1px solid #f0d48a; border-radius: 999px; padding: 0.1rem 0.6rem; font-weight: 600; font-size: 0.9rem; }
p { margin: 0.75rem 0; }
.muted { color: #56636f; }
a.button { display: inline-flex; align-items: center; min-height: 44px; padding: 0.5rem 1rem; border-radius: 6px; background: #b4232a; color: #fff; font-weight: 600; text-decoration: none; }
</style>
<body class="offline-page"><header>万企通</header><main><div class="card">
<span class="pill">离线 · Offline</span>
<h1>没有网络</h1><p>这个页面需要网络。我的清单可离线使用，离线登记的走访会在恢复网络后自动发送。</p>
<p><a class="button" href="/my">打开我的清单</a></p>
<p lang="en" class="muted">This page needs a connection. My list works offline; visits saved offline are sent when the connection returns. <a href="/my">My list</a></p>
</div></main></body></html>`
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } })
}
