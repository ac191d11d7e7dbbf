// Issue 23's words and dates in Chromium against the real server on the demo county: counts
// with thousands separators wherever they show (the workload wrote 2996 where tiles say 2,996),
// and each page naming its language for the browser (a date input is drawn in the browser's).
import { describe, expect, it } from 'vitest'
import { openBrowserApp } from '../support/browser-app'

const PHONE = { width: 390, height: 844 }

const { app, session } = openBrowserApp({ env: { MAP_TILES: 'none', LOAN_SIM: 'none' } })

describe('counts', () => {
  it('the territories page writes every count with thousands separators', async () => {
    const { page } = await session.newPage({ chinese: true })
    await session.signInChinese(page, 'admin')
    await page.goto(`${app.url}/territories`)
    const unassigned = (await page.getByTestId('unassigned').textContent())!
    // The demo county leaves thousands of players unassigned: the figure is grouped.
    expect(unassigned).toMatch(/\d,\d{3}/)
    const cells = await page.locator('table.workload td.num').allTextContents()
    expect(cells.length).toBeGreaterThan(0)
    for (const text of [unassigned, ...cells]) expect(text).not.toMatch(/\d{4}/)
  })
})

describe('dates', () => {
  it('a Chinese page says so to a browser set to Chinese in China time', async () => {
    // Chromium draws a date input's fields in its own interface language, not the page's lang
    // nor an emulated locale (decision 0571); the page still names its language, and a date
    // input's value is the ISO day whatever the drawing.
    const { page } = await session.newPage({ chinese: true, viewport: PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    await session.signInChinese(page, 'manager')
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    await page.goto(`${app.url}/visits`)
    await page.getByLabel('日期').fill('2026-12-04')
    await page.getByRole('button', { name: '应用', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('day') === '2026-12-04')
  })

  it('English pages say so, for the browser to read them in English', async () => {
    const { page } = await session.newPage({ locale: 'en-US', timezoneId: 'Asia/Shanghai' })
    await session.signInByPost(page, 'manager')
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
  })
})
