// Issue 23, part A, in Chromium: times in China time (tokens, imports, products, the player
// timeline, the user change log), the offline fallback page, the offline pill and the phone's
// bar, form errors at the button, the products editor's checkboxes, the audit log in words.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { chinaTimeText } from '../../app/domain/china-time'
import { downloadedFile, keptOffline } from '../support/browser'
import { openBrowserApp } from '../support/browser-app'
import { contrastRatio } from '../support/contrast'
import { makeUscc } from '../support/lists'
import { WAIT_MS } from '../support/test-constants'

const PHONE = { width: 390, height: 844 }

const { app, session, seeded } = openBrowserApp()

async function officerPlayer() {
  return seeded
    .selectFrom('market_players')
    .innerJoin('users', 'users.id', 'market_players.assigned_officer_id')
    .select(['market_players.id', 'market_players.name'])
    .where('users.username', '=', 'officer')
    .orderBy('market_players.id')
    .executeTakeFirstOrThrow()
}

describe('times', () => {
  it('shows an API token made now in China time, not UTC', async () => {
    const { page } = await session.newPage()
    await session.signInByPost(page, 'admin', { at: null })
    await page.goto(`${app.url}/admin/tokens`)
    await page.getByLabel('Name', { exact: true }).fill('times-check')
    await page.getByRole('button', { name: 'Make a token' }).click()
    await page.getByTestId('new-token').waitFor()
    const token = await seeded.selectFrom('api_tokens').select('created_at').where('name', '=', 'times-check').executeTakeFirstOrThrow()
    const row = page.getByRole('row').filter({ hasText: 'times-check' })
    await expect(row.textContent()).resolves.toContain(chinaTimeText(token.created_at))
    // The UTC reading of the same instant is eight hours off and must not be shown.
    expect(await row.textContent()).not.toContain(token.created_at.slice(0, 16).replace('T', ' '))
  })
})

describe('the offline fallback page', () => {
  it('answers a page not kept, opened with no signal, with the styled Chinese page and a way back to the list', async () => {
    const { context, page } = await session.newPage({ viewport: PHONE, chinese: true })
    await session.signInChinese(page, 'officer')
    const player = await officerPlayer()
    await page.goto(`${app.url}/my`)
    // The worker is active, controls the page and keeps the list.
    await expect.poll(() => keptOffline(page, ['/my']), { timeout: WAIT_MS }).toBe(true)
    await context.setOffline(true)
    // A player's page is not kept for offline.
    const answer = await page.goto(`${app.url}/players/${player.id}`)
    expect(answer?.fromServiceWorker()).toBe(true)
    expect(answer?.status()).toBe(503)
    await page.getByRole('heading', { name: '没有网络', level: 1 }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    await expect(page.locator('main').textContent()).resolves.toContain('离线登记的走访会在恢复网络后自动发送')
    // Styled: the brand's bar, a card, and text readable on its ground (WCAG AA).
    const look = await page.evaluate(() => {
      const of = (selector: string) => {
        const style = getComputedStyle(document.querySelector(selector)!)
        return { fg: style.color, bg: style.backgroundColor }
      }
      return { body: of('body'), bar: of('header'), card: of('.card'), pill: of('.pill'), button: of('a.button'), muted: of('.muted') }
    })
    expect(look.bar.bg).toBe('rgb(180, 35, 42)')
    expect(look.card.bg).toBe('rgb(255, 255, 255)')
    expect(contrastRatio(look.bar.fg, look.bar.bg)).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(look.card.fg, look.card.bg)).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(look.pill.fg, look.pill.bg)).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(look.button.fg, look.button.bg)).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(look.muted.fg, look.card.bg)).toBeGreaterThanOrEqual(4.5)
    // Fits the phone: nothing scrolls sideways, and the way back is a touch-sized button.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    const back = page.getByRole('link', { name: '打开我的清单' })
    expect((await back.boundingBox())!.height).toBeGreaterThanOrEqual(44)
    // The way back works with no signal: the list comes from the worker's copy.
    await back.click()
    await page.waitForURL(`${app.url}/my`)
    await page.locator('li[data-player-id]').first().waitFor()
    await context.setOffline(false)
  })
})

describe('the phone bar and the offline pill', () => {
  it('keeps the bar on one line at 390 px and the offline pill readable', async () => {
    const { context, page } = await session.newPage({ viewport: PHONE, chinese: true })
    await page.goto(`${app.url}/login`)
    await page.getByLabel('用户名').fill('officer')
    await page.getByLabel('密码').fill('wanqi-demo')
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.locator('#whoami').waitFor()
    await page.goto(`${app.url}/my`)
    await context.setOffline(true)
    const pill = page.getByTestId('outbox-badge')
    await pill.getByText('离线').waitFor()
    const colours = await pill.evaluate((el) => {
      const style = getComputedStyle(el)
      return { fg: style.color, bg: style.backgroundColor }
    })
    expect(contrastRatio(colours.fg, colours.bg)).toBeGreaterThanOrEqual(4.5)
    // One line: the bar is as tall as one row of touch targets, and no text inside wraps.
    const bar = await page.locator('header.topbar').boundingBox()
    expect(bar!.height).toBeLessThan(64)
    const brand = await page.locator('header.topbar .brand').boundingBox()
    expect(brand!.height).toBeLessThan(40)
    await context.setOffline(false)
  })
})

describe('form errors', () => {
  it('sums up the errors at the button and focuses the first field in error', async () => {
    const player = await officerPlayer()
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'officer', { at: null })
    await page.goto(`${app.url}/players/${player.id}/visit`)
    const form = page.getByRole('form')
    await form.getByLabel('Phone', { exact: true }).check()
    await form.getByLabel('Has a financing need').check()
    await form.getByLabel('Amount (10k yuan)').fill('')
    await form.getByRole('button', { name: 'Save visit' }).click()
    const summary = page.getByTestId('form-error-summary')
    await summary.waitFor()
    await expect(summary.textContent()).resolves.toMatch(/to correct/)
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('needAmount')
    // The focused field is on screen, not above it.
    const box = await form.getByLabel('Amount (10k yuan)').boundingBox()
    expect(box!.y).toBeGreaterThanOrEqual(0)
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height)
  })
})

describe('the products editor', () => {
  it('puts each checkbox on the line of its label', async () => {
    const { page } = await session.newPage({ viewport: { width: 1366, height: 768 } })
    await session.signInByPost(page, 'admin', { at: null })
    await page.goto(`${app.url}/admin/products`)
    const label = page.locator('label.checkbox').filter({ hasText: 'Enterprise' }).first()
    const box = await label.locator('input').boundingBox()
    const text = await label.boundingBox()
    expect(box!.width).toBeLessThan(30)
    // The box and its text share one line: the label is no taller than a touch target.
    expect(text!.height).toBeLessThanOrEqual(48)
  })
})

describe('the audit log', () => {
  it('logs the officer list read once however often it reloads, and shows it in words, filtered by choice', async () => {
    const officer = await seeded.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
    const listings = async () =>
      (await seeded.selectFrom('audit_log').select('id').where('action', '=', 'personal-data.list-phones').where('actor_id', '=', officer.id).execute()).length
    const before = await listings()
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'officer', { at: null })
    for (let i = 0; i < 3; i++) {
      await page.goto(`${app.url}/my`)
      await page.getByRole('heading', { name: 'My list' }).waitFor()
    }
    expect(await listings()).toBeLessThanOrEqual(before + 1)

    const admin = await session.newPage({ chinese: true })
    await admin.page.goto(`${app.url}/login`)
    await admin.page.getByLabel('用户名').fill('admin')
    await admin.page.getByLabel('密码').fill('wanqi-demo')
    await admin.page.getByRole('button', { name: '登录', exact: true }).click()
    await admin.page.locator('#whoami').waitFor()
    await admin.page.goto(`${app.url}/admin/audit`)
    await admin.page.getByLabel('操作', { exact: true }).selectOption({ label: '登录' })
    await admin.page.getByRole('button', { name: '搜索' }).click()
    await admin.page.waitForURL(/action=sign_in/)
    const first = admin.page.locator('[data-audit-id]').first()
    await expect(first.locator('strong').textContent()).resolves.toBe('登录')
    expect(await first.textContent()).not.toContain('::ffff:')
  })
})

describe('the imports page and the words', () => {
  it('dresses the file input, offers the template and says when nothing was imported yet', async () => {
    const jobs = await seeded.selectFrom('import_jobs').select('id').execute()
    const { page } = await session.newPage({ viewport: PHONE })
    await session.signInByPost(page, 'manager', { at: null })
    await page.goto(`${app.url}/imports`)
    // The file button is the brand's primary button, not the browser's grey one.
    const button = await page.locator('input[type="file"]').evaluate((el) => getComputedStyle(el, '::file-selector-button').backgroundColor)
    expect(button).toBe('rgb(180, 35, 42)')
    const download = page.waitForEvent('download')
    await page.getByTestId('list-template').click()
    const file = await download
    expect(file.suggestedFilename()).toMatch(/\.csv$/)
    // English headers the importer recognises, after the byte-order mark Excel needs.
    const text = fs.readFileSync(await downloadedFile(file), 'utf8')
    expect(text.startsWith('\uFEFFuscc,name,')).toBe(true)
    if (jobs.length === 0) await page.getByTestId('no-imports').getByText('No list imported yet').waitFor()
  })

  it('writes amounts in plain yuan in English, never "× 10k yuan"', async () => {
    const visit = await seeded
      .selectFrom('visits')
      .select(['id', 'player_id'])
      .where('need_amount_yuan', 'is not', null)
      .where('has_need', '=', 1)
      .orderBy('id')
      .executeTakeFirst()
    expect(visit, 'the demo county has a visit with a need amount').toBeDefined()
    const { page } = await session.newPage()
    await session.signInByPost(page, 'admin', { at: null })
    await page.goto(`${app.url}/players/${visit!.player_id}`)
    await page.getByRole('heading', { level: 1 }).waitFor()
    const body = (await page.locator('main').textContent()) ?? ''
    expect(body).not.toContain('10k yuan ')
    expect(body).not.toMatch(/× ?10k/)
    expect(body).toMatch(/[\d,]+ yuan/)
  })
})

// Last: it uploads a list, and the imports page's test above checks the page with none yet.
describe('times on the pages the issue names', () => {
  /** A stored instant as China time, read by Intl rather than the app's formatter: `2026-12-04 01:30`. */
  const inChina = (iso: string, seconds = false) =>
    new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23' }).format(new Date(iso))
  /** The same instant read as UTC: what the pages showed before (eight hours off). */
  const inUtc = (iso: string, seconds = false) => iso.slice(0, seconds ? 19 : 16).replace('T', ' ')

  it('shows the import history, the products, the player timeline and the user change log in China time, in a browser on another zone', async () => {
    // Neither UTC nor China: a time drawn in the browser's zone would show here too.
    const manager = (await session.newPage({ timezoneId: 'America/Los_Angeles' })).page

    // The import history: a list uploaded now, listed with its upload time.
    await session.signInByPost(manager, 'manager', { at: null })
    await manager.goto(`${app.url}/imports`)
    await manager.getByLabel('File', { exact: true }).setInputFiles({ name: 'times-check.csv', mimeType: 'text/csv', buffer: Buffer.from(`uscc,name\r\n${makeUscc(320_001)},时间检查有限公司\r\n`) })
    await manager.getByRole('button', { name: 'Upload and preview' }).click()
    await manager.waitForURL(/\/imports\/\d+$/)
    const jobId = Number(new URL(manager.url()).pathname.split('/').pop())
    const job = await seeded.selectFrom('import_jobs').select('created_at').where('id', '=', jobId).executeTakeFirstOrThrow()
    await manager.goto(`${app.url}/imports`)
    const listed = manager.getByRole('row').filter({ has: manager.getByRole('link', { name: `#${jobId}`, exact: true }) })
    await expect.poll(() => listed.textContent()).toContain(inChina(job.created_at))
    expect(await listed.textContent()).not.toContain(inUtc(job.created_at))

    // The user change log: the admin's own sign-in, to the second.
    const { page } = await session.newPage({ timezoneId: 'America/Los_Angeles' })
    await session.signInByPost(page, 'admin', { at: null })
    const admin = await seeded.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()
    const signIn = await seeded.selectFrom('audit_log').select('at').where('action', '=', 'sign_in').where('entity_type', '=', 'user').where('entity_id', '=', String(admin.id)).orderBy('id', 'desc').executeTakeFirstOrThrow()
    await page.goto(`${app.url}/admin/users/${admin.id}`)
    await expect(page.locator(`time[datetime="${signIn.at}"]`).first().textContent()).resolves.toBe(inChina(signIn.at, true))

    // The products: each version's time in the editor's history.
    const version = await seeded.selectFrom('product_versions').select(['code', 'version', 'name', 'created_at']).orderBy('code').orderBy('version', 'desc').executeTakeFirstOrThrow()
    await page.goto(`${app.url}/admin/products`)
    const line = page.locator('li').filter({ hasText: `v${version.version} · ${version.name} · ` }).first()
    await expect(line.textContent()).resolves.toContain(inChina(version.created_at))
    expect(await line.textContent()).not.toContain(inUtc(version.created_at))

    // The player timeline: a stored visit.
    const visit = await seeded.selectFrom('visits').select(['player_id', 'visited_at']).orderBy('id').executeTakeFirstOrThrow()
    await page.goto(`${app.url}/players/${visit.player_id}`)
    await expect(page.locator(`time[datetime="${visit.visited_at}"]`).first().textContent()).resolves.toBe(inChina(visit.visited_at))
  })
})
