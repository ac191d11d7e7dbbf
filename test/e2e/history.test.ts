// Bringing the history in a real browser, on a phone, against the real server and the demo
// county: a manager uploads a file of past visits with Chinese headers, reads the preview
// (nothing written yet, the bad row named by row, column and reason), applies it, and the
// visit is stored once; nothing scrolls sideways.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowserApp } from '../support/browser-app'
import { makeTempDir, type TempDir } from '../support/spreadsheets'

let dir: TempDir

const { app, session, seeded } = openBrowserApp()

beforeAll(async () => {
  dir = await makeTempDir('wanqi-e2e-history-')
})

afterAll(async () => {
  await dir?.remove()
})

const sidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)

describe('the history page', () => {
  it('previews past visits with the bad row named, then applies them once', async () => {
    // A player of the manager's outlet with a USCC, and an officer of that outlet.
    const manager = await seeded.selectFrom('users').select('org_unit_id').where('username', '=', 'manager').executeTakeFirstOrThrow()
    const player = await seeded.selectFrom('market_players').select(['id', 'uscc', 'last_visited_at']).where('org_unit_id', '=', manager.org_unit_id).where('uscc', 'is not', null).where('registered_on', '<', '2025-01-01').orderBy('id').executeTakeFirstOrThrow()
    const file = dir.path('过往走访.csv')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(file, ['统一社会信用代码,客户经理,走访时间,走访方式,有融资需求,需求金额（万元）,走访结果,下次跟进日期', `${player.uscc},officer,2025-11-03 10:30,上门,是,20,需再跟进,2025-11-20`, '91110000600037341N,officer,2025-11-04,电话,否,,暂无需求,'].join('\n'), 'utf8')
    const stored = () => seeded.selectFrom('visits').select('id').where('player_id', '=', player.id).where('visited_at', '=', '2025-11-03T02:30:00.000Z').execute()

    const { page } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signInByPost(page, 'manager', { at: null })
    await page.goto(`${app.url}/imports`)
    await page.getByRole('link', { name: /Import past visits and referrals/ }).click()
    await page.getByLabel('What to import').selectOption('visits')
    await page.getByLabel('File (CSV or Excel)').setInputFiles(file)
    await page.getByRole('button', { name: 'Upload and preview' }).click()
    await page.getByTestId('history-preview').waitFor()
    await expect.poll(() => page.getByTestId('history-preview').textContent()).toContain('1 ready to apply')
    const error = page.getByTestId('history-errors').locator('tbody tr')
    await expect.poll(() => error.count()).toBe(1)
    expect(await error.locator('td').allTextContents()).toEqual(['3', '统一社会信用代码', expect.stringMatching(/check character should be L/)])
    expect(await stored()).toEqual([])
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0)

    await page.getByRole('button', { name: 'Apply (1 rows)' }).click()
    await page.getByText('Applied: 1 rows added').waitFor()
    expect(await stored()).toHaveLength(1)
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0)
    expect(await session.finish()).toEqual([])
  })
})
