// The loan QR code in Chromium against the real server: a manager issues the officer's code
// and opens its poster; a firm opens the code's page on a 390×844 phone, in Chinese, fills it
// in and sends it (the page's script does the proof of work); the officer then finds the firm
// in their list on /my.
import { describe, expect, it } from 'vitest'
import { openBrowserApp } from '../support/browser-app'
import { makeUscc } from '../support/lists'

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none', LOAN_SIM: 'none' } })

describe('the loan QR code', () => {
  it('a firm sends its need from the officer\'s poster on a phone, and the officer sees it in /my', async () => {
    const officer = await seeded.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
    const uscc = makeUscc(987_654)
    expect(await seeded.selectFrom('market_players').select('id').where('uscc', '=', uscc).execute()).toEqual([])

    const { page: manager } = await session.newPage()
    await session.signInByPost(manager, 'manager', { at: null })
    await manager.goto(`${app.url}/loan-qr`)
    const row = manager.locator(`tr[data-owner="o${officer.id}"]`)
    await row.getByRole('button', { name: 'Issue a code' }).click()
    await expect.poll(() => row.getByRole('link', { name: 'Print poster' }).count()).toBe(1)
    await row.getByRole('link', { name: 'Print poster' }).click()
    await manager.locator('.qr svg').waitFor()
    const url = /http:\/\/\S+\/q\/[A-Za-z0-9_-]+/.exec((await manager.locator('.url').textContent())!)![0]

    const { page: phone } = await session.newPage({ chinese: true, viewport: { width: 390, height: 844 } })
    await phone.goto(url)
    await phone.getByLabel('企业或字号名称', { exact: true }).fill('扫码测试商贸有限公司')
    await phone.getByLabel('统一社会信用代码（个体户可不填）', { exact: true }).fill(uscc)
    await phone.getByLabel('联系人姓名', { exact: true }).fill('李四')
    await phone.getByLabel('联系人手机号', { exact: true }).fill('13912345678')
    await phone.getByLabel('需求金额（万元）', { exact: true }).fill('80')
    await phone.getByLabel('资金用途', { exact: true }).fill('采购原材料')
    await phone.locator('input[name="consent"]').check()
    // The form fits the phone's width: nothing to scroll sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await phone.getByRole('button', { name: '提交需求' }).click()
    await phone.getByRole('heading', { name: '已收到您的需求' }).waitFor()
    expect(await phone.content()).not.toContain('扫码测试商贸有限公司')

    const { page: mine } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signInByPost(mine, 'officer', { at: null })
    // The whole list (the first screen shows the first 50; the clock engine will rank a new lead by its deadline).
    await mine.goto(`${app.url}/my?all=1`)
    await mine.getByText('扫码测试商贸有限公司').first().waitFor()
  })
})
