// What the phone benchmarks share: a phone-sized window, DevTools' slow-3G figures with a
// 4× slower CPU, the two profiles every such benchmark compares (the unthrottled one is the
// baseline in the same run), and the median of a few runs.
import type { CDPSession } from 'playwright-core'

export const PHONE = { width: 390, height: 844 }
export const SLOW_3G = { offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8 }
export const UNTHROTTLED = { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }
export const CPU_SLOWDOWN = 4

export const PROFILES = [
  { label: 'no throttling (baseline)', throttled: false },
  { label: `slow 3G + ${CPU_SLOWDOWN}× CPU`, throttled: true },
] as const

export const SLOW_3G_NOTE = `slow 3G: ${SLOW_3G.latency} ms latency, 400 kbit/s down and up (CDP Network.emulateNetworkConditions), CPU ${CPU_SLOWDOWN}× slower`

/** The page's network and CPU as the profile says (both back to full speed when not throttled). */
export async function throttle(cdp: CDPSession, on: boolean): Promise<void> {
  await cdp.send('Network.emulateNetworkConditions', on ? SLOW_3G : UNTHROTTLED)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: on ? CPU_SLOWDOWN : 1 })
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Each profile `runs` times, in order (the baseline first); the results per profile. */
export async function eachProfile<T>(runs: number, log: (message: string) => void, run: (throttled: boolean) => Promise<T>): Promise<{ label: string; throttled: boolean; results: T[] }[]> {
  const out = []
  for (const { label, throttled } of PROFILES) {
    const results: T[] = []
    for (let i = 0; i < runs; i++) {
      log(`${label}: run ${i + 1} of ${runs}`)
      results.push(await run(throttled))
    }
    out.push({ label, throttled, results })
  }
  return out
}
