// The registry in a real browser against the real server and the demo county: a manager
// uploads a GB18030 tax list with Chinese headers, reads the preview and its rejections,
// imports it, finds the new players and reveals a phone number; a second import changes
// nothing; the rejected rows download; a big list shows its progress and goes on when the
// browser is closed; an officer sees only their own players; nothing scrolls sideways on a phone.
// The big list is held part way at a gate the test opens (test/support/import-gate.ts), so
// 5,000 rows show what a manager sees of a long import.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowserApp } from '../support/browser-app'
import { startImportGate, type ImportGate } from '../support/import-gate'
import { listRows, makeUscc, taxList, type ListRow } from '../support/lists'
import { makeTempDir, writeCsv, type TempDir } from '../support/spreadsheets'
import { WAIT_MS } from '../support/test-constants'

const PHONE = { width: 390, height: 844 }
const MILL = '河南金穗面业有限公司'
const TAX_FILE = '2026年纳税信用名单.csv'
// Three batches on the server's thread (2,000 rows each: BATCH_ROWS in
// app/services/import/import-jobs.server.ts), whose commit asks the gate before the second and third.
const BIG_ROWS = 5_000

let dir: TempDir
let taxFile: string
let bigFile: string
let gate: ImportGate | undefined

const { app, session, seeded } = openBrowserApp({ env: async () => ({ WANQI_TEST_IMPORT_GATE: (gate = await startImportGate()).url }) })

// Before the app stops (after-hooks run in reverse): a commit a failed test left waiting goes on.
afterAll(async () => {
  await gate?.close()
})

beforeAll(async () => {
  dir = await makeTempDir('wanqi-e2e-registry-')
  taxFile = await writeCsv(dir.path(TAX_FILE), listRows(taxList()), { encoding: 'gb18030' })
  const big: ListRow[] = []
  for (let i = 0; i < BIG_ROWS; i++) {
    big.push({
      uscc: makeUscc(200_000 + i),
      name: `西华县第${i + 1}号商贸有限公司`,
      kind: '企业',
      legal: `张${i % 97}`,
      industry: 'F',
      employees: String(3 + (i % 40)),
      revenue: String(50 + (i % 900)),
      registeredOn: `2020-0${1 + (i % 9)}-1${i % 10}`,
      status: '存续',
      area: '411622103',
      grade: ['A', 'B', 'M'][i % 3],
      loan: i % 2 ? '无' : '有',
    })
  }
  bigFile = await writeCsv(dir.path('市场主体名单-大.csv'), listRows(big), { encoding: 'gb18030' })

  // The demo's USCCs are random; make sure none of ours is among them, or "New" would be wrong.
  const ours = new Set([...taxList().map((r) => r.uscc), ...big.map((r) => r.uscc)])
  const clashes = await seeded.selectFrom('market_players').select('uscc').where('uscc', 'like', '914116220%').execute()
  expect(clashes.filter((c) => ours.has(c.uscc ?? undefined))).toEqual([])
})

afterAll(async () => {
  await dir?.remove()
})

function newPage(options: { viewport?: { width: number; height: number } } = {}) {
  return session.newPage(options)
}

/** A page of a fresh context signed in as `username`, no page opened yet: every test goes on with a `goto`. */
async function signedIn(username: string, options: { viewport?: { width: number; height: number } } = {}) {
  const opened = await newPage(options)
  await session.signInByPost(opened.page, username, { at: null })
  return opened
}

/** Uploads a file on /imports as the given source; returns the job id once the job page shows. */
async function upload(page: Page, file: string, source: string): Promise<number> {
  await page.goto(`${app.url}/imports`)
  // Once the scripts have run (the form must survive hydration, not only the server's render).
  await page.waitForLoadState('networkidle')
  expect(await page.getByLabel('Source').count(), 'the upload form once the page has loaded').toBe(1)
  await page.getByLabel('Source').selectOption({ label: source })
  await page.getByLabel('File', { exact: true }).setInputFiles(file)
  await page.getByRole('button', { name: 'Upload and preview' }).click()
  await page.waitForURL(/\/imports\/\d+$/)
  return Number(new URL(page.url()).pathname.split('/').pop())
}

function summary(page: Page) {
  return page.locator('section[aria-labelledby="summary"]')
}

async function waitForSummary(page: Page, title: 'Preview (nothing written yet)' | 'Result') {
  await summary(page).getByRole('heading', { name: title, exact: true }).waitFor()
}

/** The counts of the preview or result, by their English labels. */
async function counts(page: Page): Promise<Record<string, number>> {
  const pairs = await summary(page)
    .locator('dl.counts > div')
    .evaluateAll((divs) => divs.map((d) => [d.querySelector('dt')!.textContent!, d.querySelector('dd')!.textContent!]))
  return Object.fromEntries(pairs.map(([k, v]) => [k, Number(v.replace(/,/g, ''))]))
}

async function issueRows(page: Page, title: string) {
  const table = page.locator('section', { has: page.getByRole('heading', { name: title, exact: true }) }).locator('tbody tr')
  return table.evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())))
}

/** What the job page shows right now, read in one go (the page re-renders every second while a job runs). */
function jobSnapshot(page: Page) {
  return page.evaluate(() => {
    const bar = document.querySelector('progress')
    return {
      progress: bar ? { max: bar.getAttribute('max'), value: bar.getAttribute('value') } : null,
      text: document.querySelector('[data-testid="progress"]')?.textContent ?? null,
      headings: [...document.querySelectorAll('h2')].map((h) => h.textContent),
    }
  })
}

async function search(page: Page, q: string): Promise<string[]> {
  await page.goto(`${app.url}/players`)
  await page.locator('#q').fill(q)
  await page.getByRole('button', { name: 'Search', exact: true }).click()
  await page.waitForURL((url) => url.pathname === '/players' && url.searchParams.get('q') === q)
  // The address changes before React has drawn the answer, and the list before the search
  // is still on the page: wait until the cards shown are the ones the search's loader sent.
  await page.waitForFunction(() => {
    type Rows = { page?: { rows: { name: string }[] } }
    const router = (window as unknown as { __remixRouter?: { state: { navigation: { state: string }; loaderData: Record<string, Rows | undefined> } } }).__remixRouter
    const rows = router?.state.navigation.state === 'idle' ? router.state.loaderData['routes/players._index']?.page?.rows : undefined
    if (!rows) return false
    const shown = [...document.querySelectorAll('ul.player-list .player-name')].map((a) => a.textContent)
    if (rows.length === 0) return shown.length === 0 && document.querySelector('p.card.muted') !== null
    return JSON.stringify(shown) === JSON.stringify(rows.map((r) => r.name))
  })
  return page.locator('ul.player-list .player-name').allTextContents()
}

function card(page: Page, name: string) {
  return page.locator('li.player-card', { has: page.getByRole('link', { name, exact: true }) })
}

function fact(page: Page, label: string) {
  return page.locator('dl.facts > div', { has: page.getByText(label, { exact: true }) }).locator('dd')
}

/** Uploads the tax list and imports it, waiting for the result: the job's id. */
async function importTaxList(page: Page): Promise<number> {
  const jobId = await upload(page, taxFile, 'Tax list')
  await waitForSummary(page, 'Preview (nothing written yet)')
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await waitForSummary(page, 'Result')
  return jobId
}

async function sidewaysScroll(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
}

describe('importing a list and finding what it brought', () => {
  it('a manager uploads a GB18030 tax list, reads the preview with its rejections, imports it and finds the players', async () => {
    const { page } = await signedIn('manager')
    const jobId = await upload(page, taxFile, 'Tax list')
    await waitForSummary(page, 'Preview (nothing written yet)')
    // The job keeps the name the manager's file had.
    expect.soft(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`#${jobId} ${TAX_FILE}`)
    expect(await page.locator('h1 + p.muted').textContent()).toBe('Tax list · To confirm · CSV (gb18030)')
    expect(await counts(page)).toMatchObject({ Rows: 7, New: 5, Updated: 0, Unchanged: 0, Rejected: 2 })

    const rejected = await issueRows(page, 'Rejected rows')
    // Only identity refuses a row (issue 21); a bad phone or date is blanked with a warning.
    expect(rejected).toEqual([
      ['5', '统一社会信用代码', 'USCC check character should be L'],
      ['8', '企业名称', 'The name is required'],
    ])
    expect(await issueRows(page, 'Warnings')).toEqual([
      ['6', '联系电话', expect.stringMatching(/is neither an 11-digit mobile nor a landline/)],
      ['7', '注册日期', 'date 2023-02-30 does not exist'],
    ])
    // Nothing is written before the manager says so.
    expect(await search(page, MILL)).not.toContain(MILL)

    await page.goto(`${app.url}/imports/${jobId}`)
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    // A list this small may be done before the page first asks: the progress it shows while
    // a job runs is the large list's test, below.
    await waitForSummary(page, 'Result')
    expect(await counts(page)).toMatchObject({ Rows: 7, New: 5, Updated: 0, Unchanged: 0, Rejected: 2 })
    expect(await page.locator('h1 + p.muted').textContent()).toBe('Tax list · Done · CSV (gb18030)')
    expect(await page.getByRole('button', { name: 'Import', exact: true }).count()).toBe(0)

    // Found by pinyin initials, by USCC and by the full mobile number; the list masks the phone.
    expect(await search(page, 'hnmy')).toContain(MILL)
    expect(await search(page, makeUscc(1))).toEqual([MILL])
    expect(await search(page, '13812345678')).toEqual([MILL])
    const millCard = card(page, MILL)
    expect(await millCard.textContent()).toContain('138****5678')
    expect(await millCard.textContent()).not.toContain('13812345678')
    expect(await millCard.textContent()).toContain(makeUscc(1))

    await millCard.getByRole('link', { name: MILL }).click()
    await page.waitForURL(/\/players\/\d+$/)
    await page.getByRole('heading', { level: 1, name: MILL }).waitFor()
    expect(await fact(page, 'USCC').textContent()).toBe(makeUscc(1))
    expect(await fact(page, 'Phone').textContent()).toBe('138****5678')
    expect(await fact(page, 'Source list').textContent()).toBe('Tax list')
    expect(await page.content()).not.toContain('13812345678')
    expect(await page.locator('.badge').first().textContent()).toBe('First-lender candidate')

    await page.getByRole('button', { name: 'Show the full phone and ID numbers' }).click()
    await page.waitForFunction(() => document.querySelector('dl.facts')?.textContent?.includes('13812345678'))
    expect(await fact(page, 'Phone').textContent()).toBe('13812345678')
    expect(await page.getByRole('button', { name: 'Show the full phone and ID numbers' }).count()).toBe(0)
  })

  it('the same file imported again changes nothing', async () => {
    const { page } = await signedIn('manager')
    // Imported once here (the test before may have too: what matters is the second time).
    const firstJobId = await importTaxList(page)
    const jobId = await upload(page, taxFile, 'Tax list')
    expect(jobId).toBeGreaterThan(firstJobId)
    await waitForSummary(page, 'Preview (nothing written yet)')
    expect(await counts(page)).toMatchObject({ Rows: 7, New: 0, Updated: 0, Unchanged: 5, Rejected: 2 })
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await waitForSummary(page, 'Result')
    expect(await counts(page)).toMatchObject({ Rows: 7, New: 0, Updated: 0, Unchanged: 5, Rejected: 2 })
    expect(await search(page, 'hnmy')).toEqual(expect.arrayContaining([MILL]))
    expect((await search(page, makeUscc(1))).length).toBe(1)

    // Both jobs are listed, done, with their counts.
    await page.goto(`${app.url}/imports`)
    const row = (id: number) => page.locator('tbody tr', { has: page.getByRole('link', { name: `#${id}`, exact: true }) })
    const cells = async (id: number) => (await row(id).locator('td').allTextContents()).map((c) => c.trim())
    expect((await cells(firstJobId)).slice(2, 5)).toEqual(['Tax list', 'Done', '7'])
    expect((await cells(firstJobId)).slice(7, 8)).toEqual(['2'])
    expect((await cells(jobId)).slice(2, 8)).toEqual(['Tax list', 'Done', '7', '0', '0', '2'])
  })

  it('the rejected rows download as a UTF-8 CSV with a BOM, the file columns and a reason', async () => {
    const { page } = await signedIn('manager')
    const firstJobId = await importTaxList(page)
    await page.goto(`${app.url}/imports/${firstJobId}`)
    const link = page.getByRole('link', { name: 'Download the rejected rows (with reasons, to fix and import again)' })
    const href = await link.getAttribute('href')
    expect(href).toBe(`/imports/${firstJobId}/rejected.csv`)
    expect(await link.getAttribute('download')).not.toBeNull()

    const response = await page.request.get(new URL(href!, app.url).href)
    expect(response.status()).toBe(200)
    expect(response.headers()['content-type']).toMatch(/^text\/csv/)
    expect(response.headers()['content-disposition']).toBe(`attachment; filename="rejected-${firstJobId}.csv"`)
    const bytes = await response.body()
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    const lines = text.split('\r\n').filter(Boolean)
    expect(lines).toHaveLength(3)
    expect(lines[0]).toBe(['Row', ...listRows([])[0], 'Reason'].join(','))
    expect(lines[1]).toMatch(/^5,91110000600037341N,校验位错误有限公司,企业,.*,统一社会信用代码: USCC check character should be L$/)
    expect(lines[2]).toMatch(new RegExp(`^8,${makeUscc(7)},,企业,.*,企业名称: The name is required$`))
    expect(text).not.toContain(MILL)

    // Another outlet's manager cannot read it.
    const { page: other } = await signedIn('manager2')
    expect((await other.request.get(new URL(href!, app.url).href)).status()).toBe(404)
  })

  it(`a list of ${BIG_ROWS.toLocaleString('en')} rows shows its progress and finishes with the page closed`, async () => {
    const { context, page } = await signedIn('manager')
    const jobId = await upload(page, bigFile, 'Market-supervision list')
    await waitForSummary(page, 'Preview (nothing written yet)')
    expect(await counts(page)).toMatchObject({ Rows: BIG_ROWS, New: BIG_ROWS, Rejected: 0 })
    expect(gate!.waiting()).toEqual([])
    await page.getByRole('button', { name: 'Import', exact: true }).click()

    /**
     * Polls the page, which asks for the job's progress by itself, until it shows `done` rows
     * of the commit; every snapshot is checked, and one that breaks a rule ends the wait at once.
     */
    const shown: number[] = []
    async function pageShows(done: number) {
      let broken: string | null = null
      let reached = false
      await expect
        .poll(
          async () => {
            const now = await jobSnapshot(page)
            if (now.headings.includes('Result')) broken = 'the import finished while the gate held it'
            else if (now.progress && now.text) {
              const m = /^([\d,]+) rows done, ([\d,]+) left \((\d+)%\)$/.exec(now.text)
              if (!m) broken = `progress reads "${now.text}"`
              else {
                const [seen, left, percent] = [Number(m[1].replace(/,/g, '')), Number(m[2].replace(/,/g, '')), Number(m[3])]
                if (seen + left !== BIG_ROWS) broken = `${seen} done and ${left} left are not ${BIG_ROWS}`
                else if (percent !== Math.round((100 * seen) / BIG_ROWS)) broken = `${seen} done reads as ${percent}%`
                else if (now.progress.max !== String(BIG_ROWS) || now.progress.value !== String(seen)) broken = `the bar is ${JSON.stringify(now.progress)} at ${seen} done`
                else if (seen > done) broken = `the page shows ${seen} rows done while the commit waits at ${done}`
                if (shown.at(-1) !== seen) shown.push(seen)
                reached = seen === done
              }
            }
            return broken ?? reached
          },
          { timeout: WAIT_MS, interval: 50, message: `the page never showed the import at ${done.toLocaleString('en')} rows` },
        )
        .toBe(true)
    }

    // The commit waits at the gate after its first batch: the page shows the bar part way.
    await expect.poll(() => gate!.waiting(), { message: 'the commit never reached the gate' }).toEqual([{ job: jobId, done: 2000 }])
    await pageShows(2000)
    // One batch more, and the same page moves its bar on by itself.
    gate!.pass()
    await expect.poll(() => gate!.waiting(), { message: 'the commit never came back to the gate' }).toEqual([{ job: jobId, done: 4000 }])
    await pageShows(4000)
    // A progress bar only moves forward (the preview's count is not the commit's progress).
    expect(shown, 'rows done, as the page showed them').toEqual([...shown].sort((a, b) => a - b))
    expect(await page.getByText('You may close this page: the import goes on, and its result stays under Imports.').isVisible()).toBe(true)

    // The browser goes away mid-import; the job does not.
    await context.close()
    gate!.open()

    const { page: back } = await signedIn('manager')
    await back.goto(`${app.url}/imports`)
    await back.getByRole('link', { name: `#${jobId}`, exact: true }).click()
    await back.waitForURL(`${app.url}/imports/${jobId}`)
    await waitForSummary(back, 'Result')
    expect(await counts(back)).toMatchObject({ Rows: BIG_ROWS, New: BIG_ROWS, Updated: 0, Unchanged: 0, Rejected: 0 })
    expect(await back.locator('progress').count()).toBe(0)
    expect(await search(back, `西华县第${BIG_ROWS}号商贸有限公司`)).toEqual([`西华县第${BIG_ROWS}号商贸有限公司`])
  })
})

describe('who sees what', () => {
  it('an officer sees only their own players and cannot open imports', async () => {
    // The outlet has imported a list, whose players no officer has yet.
    const importJobId = await importTaxList((await signedIn('manager')).page)
    const me = await seeded.selectFrom('users').select(['id', 'name']).where('username', '=', 'officer').executeTakeFirstOrThrow()
    const mine = Number(
      (await seeded.selectFrom('market_players').select((eb) => eb.fn.countAll().as('n')).where('assigned_officer_id', '=', me.id).executeTakeFirstOrThrow()).n,
    )
    expect(mine).toBeGreaterThan(0)

    const { page } = await signedIn('officer')
    await page.goto(`${app.url}/players`)
    const cards = page.locator('li.player-card')
    await cards.first().waitFor()
    const officerOf = (texts: string[]) => texts.map((t) => t.split(' · ').at(-1)!.trim())
    const pageOne = officerOf(await cards.locator('.muted').allTextContents())
    expect(pageOne).toHaveLength(Math.min(50, mine))
    expect(new Set(pageOne)).toEqual(new Set([me.name]))
    if (mine > 50) {
      await page.getByRole('link', { name: 'Next page »' }).click()
      await page.waitForURL(/cursor=/)
      await page.locator('li.player-card').first().waitFor()
      expect(new Set(officerOf(await page.locator('li.player-card .muted').allTextContents()))).toEqual(new Set([me.name]))
    }
    // A colleague's player in the same outlet is not found, by search or by address.
    const colleagues = await seeded
      .selectFrom('market_players')
      .innerJoin('users', 'users.id', 'market_players.assigned_officer_id')
      .select(['market_players.id', 'market_players.name', 'market_players.uscc'])
      .where('users.org_unit_id', '=', (eb) => eb.selectFrom('users').select('org_unit_id').where('id', '=', me.id))
      .where('market_players.assigned_officer_id', '!=', me.id)
      .where('market_players.uscc', 'is not', null)
      .limit(1)
      .execute()
    expect(colleagues).toHaveLength(1)
    const colleague = colleagues[0]
    expect(await search(page, colleague.uscc!)).toEqual([])
    expect((await page.goto(`${app.url}/players/${colleague.id}`))?.status()).toBe(404)
    // Nor are the players the outlet imported, which no officer has yet.
    expect(await search(page, 'hnmy')).not.toContain(MILL)
    expect(await search(page, makeUscc(1))).toEqual([])

    const response = await page.goto(`${app.url}/imports`)
    expect(response?.status()).toBe(403)
    expect(await page.getByText('You do not have access to this page.').isVisible()).toBe(true)
    expect(await page.getByRole('button', { name: 'Upload and preview' }).count()).toBe(0)
    expect((await page.goto(`${app.url}/imports/${importJobId}`))?.status()).toBe(403)

    // The manager of the same outlet sees more than this officer: others' players and unassigned ones.
    const { page: manager } = await signedIn('manager')
    expect(await search(manager, colleague.uscc!)).toEqual([colleague.name])
    expect((await manager.goto(`${app.url}/players/${colleague.id}`))?.status()).toBe(200)
    await manager.goto(`${app.url}/players`)
    await manager.locator('li.player-card').first().waitFor()
    const managerOfficers = officerOf(await manager.locator('li.player-card .muted').allTextContents())
    expect(managerOfficers.some((name) => name !== me.name)).toBe(true)
  })

  it('on a phone the registry, a player and an import page do not scroll sideways', async () => {
    const { page } = await signedIn('manager', { viewport: PHONE })
    await page.goto(`${app.url}/players`)
    await page.locator('li.player-card').first().waitFor()
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0)

    // A player of the outlet with a position (so a map) and the longest name there is.
    const manager = await seeded.selectFrom('users').select('org_unit_id').where('username', '=', 'manager').executeTakeFirstOrThrow()
    const player = await seeded
      .selectFrom('market_players')
      .select(['id', 'name', 'uscc'])
      .where('org_unit_id', '=', manager.org_unit_id)
      .where('lat', 'is not', null)
      .where('uscc', 'is not', null)
      .where('phone_masked', 'is not', null)
      .orderBy((eb) => eb.fn('length', ['name']), 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
    await search(page, player.uscc!)
    await page.getByRole('link', { name: player.name, exact: true }).click()
    await page.getByRole('heading', { level: 1, name: player.name }).waitFor()
    await page.locator('.player-map').first().waitFor()
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0)
    await page.getByRole('button', { name: 'Show the full phone and ID numbers' }).click()
    await page.getByRole('button', { name: 'Show the full phone and ID numbers' }).waitFor({ state: 'detached' })
    expect(await fact(page, 'Phone').textContent()).toMatch(/^1[3-9]\d{9}$/)
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0)

    await importTaxList(page)
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0)
  })
})
