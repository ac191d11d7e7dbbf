// The dashboard in Chromium against the real server on the demo county: hq sees the bank's
// figures with the funnel and the trend drawn, narrows to a branch and a quarter through the
// form (the view lands in the URL), exports it as XLSX (its figures equal the page's), and
// clicks the first-lender conversions to reach the players behind them; a manager sees only
// their own.
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { todayInChina } from '../../app/domain/china-time'
import { downloadedFile, localeCookieValue } from '../support/browser'
import { openBrowserApp } from '../support/browser-app'

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none', LOAN_SIM: 'none' } })

describe('the dashboard', () => {
  it('hq narrows to a branch and a quarter, then drills from first-lender conversions to those players', async () => {
    const { page } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signInByPost(page, 'hq', { at: null })
    // The home page's link opens the year; this test starts from the dashboard's own default.
    await page.goto(`${app.url}/dashboard`)
    const listed = await page.locator('[data-figure="listed"] .figure-value').textContent()
    const total = await seeded.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(listed).toBe(Number(total.n).toLocaleString('en'))
    expect(await page.locator('#funnel ~ .chart svg').count()).toBe(1)
    expect(await page.locator('#trend ~ .chart svg').count()).toBe(1)
    // The townships drawn on the map, each shaded; then by first-lender ratio.
    const map = page.getByTestId('township-map')
    const townships = Number(await map.getAttribute('data-townships'))
    expect(townships).toBeGreaterThan(3)
    await expect.poll(() => map.locator('path.leaflet-interactive').count()).toBe(townships)
    await page.getByLabel('Shade by').getByRole('link', { name: 'First-lender ratio', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('shade') === 'firstLenderRatio')
    await expect.poll(() => page.getByTestId('township-map').locator('path.leaflet-interactive').count()).toBe(townships)

    const branch = await seeded.selectFrom('org_units').select(['code', 'name']).where('kind', '=', 'branch').executeTakeFirstOrThrow()
    await page.getByLabel('Scope').selectOption(branch.code)
    await page.getByLabel('Period').selectOption('quarter')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.waitForURL((url) => url.searchParams.get('scope') === branch.code && url.searchParams.get('period') === 'quarter')
    await page.getByRole('heading', { name: `Dashboard · ${branch.name}` }).waitFor()

    const conversions = page.locator('[data-figure="firstLenderConversions"] .figure-value')
    const count = Number((await conversions.textContent())!.replace(/,/g, ''))
    const listedHere = Number((await page.locator('[data-figure="listed"] .figure-value').textContent())!.replace(/,/g, ''))

    // The view as XLSX: its figures are the page's, its players those in the branch.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export XLSX' }).click()])
    expect(download.suggestedFilename()).toMatch(new RegExp(`^wanqi-${branch.code}-.*\\.xlsx$`))
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(await downloadedFile(download))
    const figures = workbook.getWorksheet('Figures')!
    const valueOf = (label: string) => (figures.getSheetValues().find((row) => Array.isArray(row) && row[1] === label) as unknown[] | undefined)?.[2]
    expect(valueOf('First-lender conversions')).toBe(count)
    expect(valueOf('Listed')).toBe(listedHere)
    expect(workbook.getWorksheet('Players')!.actualRowCount).toBe(listedHere + 1)
    await conversions.click()
    await page.waitForURL(/\/dashboard\/players\?.*figure=firstLenderConversions/)
    await expect(page.getByTestId('drill-count').textContent()).resolves.toContain(`${count.toLocaleString('en')} players`)
    expect(await page.locator('tr[data-player]').count()).toBe(Math.min(count, 500))
  })

  it('this month against as many days of the last, the regulator figures first, one number format, dates as yyyy-mm-dd in Chinese', async () => {
    const { context, page } = await session.newPage()
    await session.signInByPost(page, 'hq', { at: null })
    await page.goto(`${app.url}/dashboard`)
    // Like with like: the 1st to today of last month (no further than its end), not all of it.
    const today = todayInChina()
    const [year, month, day] = today.split('-').map(Number)
    const first = new Date(Date.UTC(year, month - 2, 1))
    const lastDay = new Date(Date.UTC(year, month - 1, 0)).getUTCDate()
    const upTo = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(day, lastDay)))
    const iso = (d: Date) => d.toISOString().slice(0, 10)
    await expect(page.getByTestId('period').textContent()).resolves.toBe(`${today.slice(0, 8)}01 to ${today}, against the period before, ${iso(first)} to ${iso(upTo)}`)

    // The regulator's two figures in a section of their own, first and larger than the rest.
    const regulator = page.getByRole('region', { name: "Regulator's figures" })
    await expect(regulator.locator('[data-figure]').evaluateAll((items) => items.map((i) => i.getAttribute('data-figure')))).resolves.toEqual(['firstLenderRatio', 'creditLoanShareByCount', 'creditLoanShareByAmount'])
    const sizeOf = (selector: string) => page.locator(selector).first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
    expect(await sizeOf('[data-figure="firstLenderRatio"] .figure-value')).toBeGreaterThan(1.3 * (await sizeOf('[data-figure="listed"] .figure-value')))
    expect(await regulator.evaluate((r, grid) => Boolean(r.compareDocumentPosition(document.querySelector(grid)!) & Node.DOCUMENT_POSITION_FOLLOWING), '.figure-grid')).toBe(true)

    // The funnel writes its counts as the tiles do (20,019, not 20019).
    const listed = (await page.locator('[data-figure="listed"] .figure-value').textContent())!
    expect(listed).toContain(',')
    await expect(page.locator('#funnel ~ .chart svg').textContent()).resolves.toContain(`Listed  ${listed}`)

    // In Chinese the range's days read 年-月-日 (yyyy-mm-dd), whatever the browser's own locale (en-US here).
    await context.addCookies([{ name: 'wanqi_lang', value: localeCookieValue('zh-CN'), url: app.url }])
    await page.reload()
    const from = page.getByLabel('起', { exact: true })
    await expect(from.getAttribute('placeholder')).resolves.toBe('年-月-日')
    await page.getByLabel('期间').selectOption('range')
    await from.fill('2026-11-01')
    await page.getByLabel('止', { exact: true }).fill('2026-11-30')
    await page.getByRole('button', { name: '应用' }).click()
    await page.waitForURL((url) => url.searchParams.get('from') === '2026-11-01')
    await expect(page.getByLabel('起', { exact: true }).evaluate((input: HTMLInputElement) => ({ type: input.type, shown: input.value }))).resolves.toEqual({ type: 'text', shown: '2026-11-01' })
  })

  it('a manager sees their own outlet, not the bank', async () => {
    const { page } = await session.newPage()
    await session.signInByPost(page, 'manager', { at: null })
    await page.goto(`${app.url}/dashboard`)
    const manager = await seeded.selectFrom('users').select('org_unit_id').where('username', '=', 'manager').executeTakeFirstOrThrow()
    const own = await seeded.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('org_unit_id', '=', manager.org_unit_id).executeTakeFirstOrThrow()
    expect(await page.locator('[data-figure="listed"] .figure-value').textContent()).toBe(Number(own.n).toLocaleString('en'))
    // An officer of the league narrows the view to their players.
    const officer = await seeded.selectFrom('users').select(['id', 'name']).where('role', '=', 'officer').where('org_unit_id', '=', manager.org_unit_id).orderBy('name').executeTakeFirstOrThrow()
    await page.locator(`tr[data-league-row="${officer.name}"] a`).click()
    await page.waitForURL((url) => url.searchParams.get('officer') === String(officer.id))
    const held = await seeded.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('assigned_officer_id', '=', officer.id).executeTakeFirstOrThrow()
    await expect.poll(() => page.locator('[data-figure="listed"] .figure-value').textContent()).toBe(Number(held.n).toLocaleString('en'))
    await page.getByRole('heading', { name: new RegExp(` · ${officer.name}$`) }).waitFor()
    const response = await page.goto(`${app.url}/dashboard?scope=HQ`)
    expect(response?.status()).toBe(404)
  })
})
