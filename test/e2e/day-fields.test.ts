// Issue 23 item 8: day fields read as the interface's language writes a day, whatever the
// browser's own locale. The run's Chromium draws `<input type="date">` in its interface
// language (en-US: mm/dd/yyyy) on a Chinese page; every day field is the shared DateField
// (decision 0621), which shows YYYY-MM-DD, posts YYYY-MM-DD with and without JavaScript, tidies
// a day typed the Chinese way, and offers the browser's picker.
import type { CDPSession, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { openBrowserApp } from '../support/browser-app'

const { app, session } = openBrowserApp({ env: { MAP_TILES: 'none', LOAN_SIM: 'none' } })

/** The pages with day fields an admin opens, and how to reach each field. */
const PAGES = ['/visits', '/dashboard?period=range&from=2026-11-01&to=2026-11-30', '/imports', '/admin/calendar', '/admin/audit?from=2026-11-01', '/clocks/ranking']

const MONTH_FIRST = /\b(mm|MM)\s*\/\s*(dd|DD)\s*\/\s*(yyyy|YYYY)\b|\b\d{1,2}\/\d{1,2}\/\d{4}\b/

type DomNode = { nodeType: number; nodeName: string; nodeValue: string; attributes?: string[]; children?: DomNode[]; shadowRoots?: DomNode[] }

function textBelow(node: DomNode): string {
  const own = node.nodeType === 3 ? node.nodeValue : ''
  return own + [...(node.shadowRoots ?? []), ...(node.children ?? [])].map(textBelow).join('')
}

/**
 * What each input a person can see draws, read from the rendered tree with the browser's own
 * (user-agent) shadow roots, where a date input's "mm/dd/yyyy" lives: its value or placeholder
 * and the text of its inner fields.
 */
async function drawnInputs(page: Page, cdp: CDPSession): Promise<{ name: string; type: string; drawn: string }[]> {
  await page.evaluate(() => {
    document.querySelectorAll('[data-drawn-probe]').forEach((e) => e.removeAttribute('data-drawn-probe'))
    document.querySelectorAll('input').forEach((input, i) => {
      const box = input.getBoundingClientRect()
      if (input.type !== 'hidden' && box.width > 2 && box.height > 2 && input.checkVisibility({ opacityProperty: true, visibilityProperty: true })) input.setAttribute('data-drawn-probe', String(i))
    })
  })
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode }
  const found: { name: string; type: string; drawn: string }[] = []
  const walk = (node: DomNode) => {
    if (node.nodeName === 'INPUT' && node.attributes?.includes('data-drawn-probe')) {
      const attrs = new Map<string, string>()
      for (let i = 0; i + 1 < (node.attributes?.length ?? 0); i += 2) attrs.set(node.attributes![i]!, node.attributes![i + 1]!)
      found.push({ name: attrs.get('name') ?? '', type: attrs.get('type') ?? 'text', drawn: [textBelow(node), attrs.get('placeholder') ?? ''].join(' ') })
    }
    for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) walk(child)
  }
  walk(root)
  return found
}

describe('day fields in an en-US Chromium on the Chinese pages', () => {
  it('no page draws mm/dd/yyyy; each day field reads YYYY-MM-DD', async () => {
    const { page } = await session.newPage({ chinese: true, locale: 'en-US', timezoneId: 'Asia/Shanghai' })
    const cdp = await page.context().newCDPSession(page)
    await session.signInChinese(page, 'admin')
    let dayFields = 0
    for (const path of PAGES) {
      await page.goto(`${app.url}${path}`)
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
      const inputs = await drawnInputs(page, cdp)
      for (const input of inputs) expect(input.drawn, `${path} ${input.name}`).not.toMatch(MONTH_FIRST)
      // Hydrated, each field has its picker button beside it, and still nothing month-first.
      await page.locator('.date-input .date-pick').first().waitFor()
      for (const input of await drawnInputs(page, cdp)) expect(input.drawn, `${path} ${input.name}`).not.toMatch(MONTH_FIRST)
      const days = await page.locator('.date-input input[type=text]').evaluateAll((els) => els.map((e) => ({ value: (e as HTMLInputElement).value, placeholder: (e as HTMLInputElement).placeholder })))
      expect(days.length, path).toBeGreaterThan(0)
      for (const day of days) {
        expect(day.placeholder).toBe('年-月-日')
        if (day.value) expect(day.value).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      }
      expect(inputs.filter((i) => i.type === 'date'), path).toEqual([])
      dayFields += days.length
    }
    expect(dayFields).toBeGreaterThanOrEqual(8)
  })

  it('a day typed the Chinese way posts as YYYY-MM-DD, and the picker writes its day', async () => {
    const { page } = await session.newPage({ chinese: true, locale: 'en-US', timezoneId: 'Asia/Shanghai' })
    await session.signInChinese(page, 'manager')
    await page.goto(`${app.url}/visits`)
    const day = page.getByLabel('日期')
    await page.locator('.date-input .date-pick').waitFor()
    await day.fill('2026年12月4日')
    await day.press('Enter')
    await page.waitForURL((url) => url.searchParams.get('day') === '2026-12-04')
    await expect.poll(() => day.inputValue()).toBe('2026-12-04')

    // The picker button opens the browser's own picker; what is picked there lands in the box.
    await page.getByRole('button', { name: '打开日历' }).click()
    await page.locator('.date-picker-native').evaluate((picker: HTMLInputElement) => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(picker, '2026-11-20')
      picker.dispatchEvent(new Event('input', { bubbles: true }))
      picker.dispatchEvent(new Event('change', { bubbles: true }))
    })
    await expect.poll(() => day.inputValue()).toBe('2026-11-20')
    await page.getByRole('button', { name: '应用', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('day') === '2026-11-20')
  })

  it('before JavaScript the field is a plain box that posts YYYY-MM-DD', async () => {
    const { page: first } = await session.newPage({ chinese: true })
    const context = await first.context().browser()!.newContext({ javaScriptEnabled: false, locale: 'en-US' })
    try {
      const page = await context.newPage()
      await session.signInChinese(page, 'manager')
      await page.goto(`${app.url}/visits?day=2026-12-01`)
      const day = page.getByLabel('日期')
      expect(await day.getAttribute('type')).toBe('text')
      expect(await day.inputValue()).toBe('2026-12-01')
      expect(await page.locator('.date-pick').count()).toBe(0)
      await day.fill('2026-12-03')
      await page.getByRole('button', { name: '应用', exact: true }).click()
      await page.waitForURL((url) => url.searchParams.get('day') === '2026-12-03')
      expect(await page.getByLabel('日期').inputValue()).toBe('2026-12-03')
    } finally {
      await context.close()
    }
  })
})
