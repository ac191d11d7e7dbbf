// What a page makes the browser download before it runs: the module scripts named in its
// HTML (Remix's modulepreload links, the language's message parts and the entry import),
// each gzipped as the server sends it. Used by the weight test and the slow-3G benchmark.
import { gzipSync } from 'node:zlib'

export interface PageWeight {
  /** The sum of the gzipped modules, in bytes. */
  gzipBytes: number
  modules: { url: string; gzipBytes: number }[]
}

/** The module URLs in a page's HTML: modulepreload links and the entry the inline script imports. */
export function pageModules(html: string): string[] {
  const urls = new Set<string>()
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*>/g)) {
    const href = /href="([^"]+)"/.exec(m[0])?.[1]
    if (href) urls.add(href.replace(/&amp;/g, '&'))
  }
  for (const m of html.matchAll(/import\(\s*"([^"]+\.js)"\s*\)/g)) urls.add(m[1])
  for (const m of html.matchAll(/import\s+(?:\*\s+as\s+\w+\s+from\s+)?"([^"]+\.js)"/g)) urls.add(m[1])
  return [...urls]
}

/** Fetches `html`'s modules from `origin` and sums their gzipped size. */
export async function pageWeight(origin: string, html: string): Promise<PageWeight> {
  const modules = await Promise.all(
    pageModules(html).map(async (url) => {
      const response = await fetch(new URL(url, origin))
      if (!response.ok) throw new Error(`${url}: ${response.status}`)
      return { url, gzipBytes: gzipSync(Buffer.from(await response.arrayBuffer())).length }
    }),
  )
  return { gzipBytes: modules.reduce((sum, m) => sum + m.gzipBytes, 0), modules: modules.sort((a, b) => b.gzipBytes - a.gzipBytes) }
}
