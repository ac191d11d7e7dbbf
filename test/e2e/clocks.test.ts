// A working group's recommendation list in a real browser against the real server and the
// demo county: a manager uploads it as the working group's, with the group and the list's
// date; every firm on it gets the 30-day clocks; a refusal without a reason is refused next
// to its field, then recorded with one; the feedback file downloads and reads back as XLSX.
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadedFile } from '../support/browser'
import { openBrowserApp } from '../support/browser-app'
import { listRows, makeUscc, type ListRow } from '../support/lists'
import { makeTempDir, writeCsv, type TempDir } from '../support/spreadsheets'
import { WAIT_MS } from '../support/test-constants'

const GROUP = '西华县融资协调专班'
const FIRMS: ListRow[] = [
  { uscc: makeUscc(310_001), name: '西华县专班推荐甲有限公司', kind: '企业', legal: '赵一', industry: 'C', registeredOn: '2020-01-02', status: '存续', area: '411622100', loan: '无' },
  { uscc: makeUscc(310_002), name: '西华县专班推荐乙有限公司', kind: '企业', legal: '钱二', industry: 'F', registeredOn: '2021-03-04', status: '存续', area: '411622101', loan: '无' },
  { uscc: makeUscc(310_003), name: '=西华县专班推荐丙有限公司', kind: '企业', legal: '孙三', industry: 'H', registeredOn: '2022-05-06', status: '存续', area: '411622102', loan: '无' },
]

let dir: TempDir
let listFile: string

const { app, session, seeded } = openBrowserApp()

beforeAll(async () => {
  dir = await makeTempDir('wanqi-e2e-clocks-')
  listFile = await writeCsv(dir.path('专班推荐清单.csv'), listRows(FIRMS), { encoding: 'utf-8-bom' })
})

afterAll(async () => {
  await dir?.remove()
})

async function uploadWorkingGroupList(page: Page): Promise<number> {
  await page.goto(`${app.url}/imports`)
  await page.waitForLoadState('networkidle')
  await page.getByLabel('Source').selectOption({ label: 'Other list' })
  await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'Recommendation list (working group)' })
  await page.getByLabel('Working group or platform').fill(GROUP)
  await page.getByLabel('Date of the list').fill('2026-11-20')
  await page.getByLabel('File', { exact: true }).setInputFiles(listFile)
  await page.getByRole('button', { name: 'Upload and preview' }).click()
  await page.waitForURL(/\/imports\/\d+$/)
  const jobId = Number(new URL(page.url()).pathname.split('/').pop())
  await page.getByRole('heading', { name: 'Preview (nothing written yet)', exact: true }).waitFor({ timeout: WAIT_MS })
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await page.getByRole('heading', { name: 'Result', exact: true }).waitFor({ timeout: WAIT_MS })
  return jobId
}

describe("a working group's recommendation list", () => {
  it('clocks every firm, takes a refusal only with a reason, and exports the feedback file', async () => {
    const { page } = await session.newPage()
    await session.signInByPost(page, 'manager', { at: null })
    const jobId = await uploadWorkingGroupList(page)

    const players = await seeded
      .selectFrom('market_players')
      .innerJoin('player_clocks', 'player_clocks.player_id', 'market_players.id')
      .select(['market_players.id', 'market_players.uscc', 'market_players.channel', 'player_clocks.decide_due_at'])
      .where('market_players.uscc', 'in', FIRMS.map((f) => f.uscc!))
      .orderBy('market_players.uscc')
      .execute()
    // 30 calendar days from the start of 20 November in China.
    expect(players).toEqual(FIRMS.map((f) => ({ id: expect.any(Number), uscc: f.uscc, channel: 'working_group', decide_due_at: '2026-12-19T16:00:00.000Z' })))
    const second = players.find((p) => p.uscc === FIRMS[1].uscc)!.id

    await page.goto(`${app.url}/players/${second}`)
    const clocks = page.getByTestId('player-clocks')
    await clocks.getByLabel('Decision', { exact: true }).selectOption({ label: 'Refused' })
    await clocks.getByRole('button', { name: 'Record decision' }).click()
    await expect.poll(() => clocks.locator('.field-errors').allTextContents()).toEqual(['A refusal needs a reason from the list.'])
    await clocks.getByLabel('Decision', { exact: true }).selectOption({ label: 'Refused' })
    await clocks.getByLabel('Refusal reason').selectOption({ label: 'Insufficient means of repayment' })
    await clocks.getByRole('button', { name: 'Record decision' }).click()
    await expect.poll(() => page.getByTestId('clock-decision').textContent()).toBe('Refused · Insufficient means of repayment')

    // The first firm approved with 12.5 (10k yuan): the file's amount column says so.
    const first = players.find((p) => p.uscc === FIRMS[0].uscc)!.id
    await page.goto(`${app.url}/players/${first}`)
    const firstClocks = page.getByTestId('player-clocks')
    await firstClocks.getByLabel('Decision', { exact: true }).selectOption({ label: 'Approved' })
    await firstClocks.getByLabel('Amount granted (10k yuan)').fill('12.5')
    await firstClocks.getByRole('button', { name: 'Record decision' }).click()
    await expect.poll(() => page.getByTestId('clock-decision').textContent()).toMatch(/^Approved/)

    await page.goto(`${app.url}/imports/${jobId}`)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('feedback-export').click()])
    expect(download.suggestedFilename()).toBe(`${GROUP}反馈-2026-11-20.xlsx`)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(await downloadedFile(download))
    const rows: unknown[][] = []
    workbook.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1)))
    expect(rows[0]).toEqual(['序号', '企业名称', '统一社会信用代码', '清单日期', '联系日期', '决定', '决定日期', '授信金额（万元）', '拒绝原因', '说明'])
    const byUscc = new Map(rows.slice(1).map((r) => [r[2], r]))
    expect(byUscc.size).toBe(3)
    const approved = byUscc.get(FIRMS[0].uscc)!
    expect(approved.slice(1, 4)).toEqual([FIRMS[0].name, FIRMS[0].uscc, '2026-11-20'])
    expect(approved[5]).toBe('同意授信')
    expect(approved[6]).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(approved[7]).toBe(12.5)
    expect(approved[8]).toBeUndefined()
    // A firm nobody has decided on yet.
    const undecided = byUscc.get(FIRMS[2].uscc)!
    expect([2, 3, 4, 5, 6, 7].map((i) => undecided[i])).toEqual([FIRMS[2].uscc, '2026-11-20', undefined, '未决定', undefined, undefined])
    const refused = byUscc.get(FIRMS[1].uscc)!
    expect(refused[5]).toBe('拒绝')
    expect(refused[4]).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(refused[8]).toBe('还款来源不足')
    // A name that would run as a formula is opened with an apostrophe.
    expect(byUscc.get(FIRMS[2].uscc)![1]).toBe(`'${FIRMS[2].name}`)
  })
})
