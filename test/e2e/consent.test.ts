// The credit report consent signed on a phone (390×844) in Chromium, against the real server
// and the demo county: the officer opens the signing screen from the player's page, the owner
// signs with a finger (mouse moves over the pad), and Wanqi keeps the consent with its
// position and accuracy, its signature and signed PDF, and shows it valid on the player's page.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../db/schema'
import { BrowserSession, launchBrowser, openSeededDatabase, startAppProcess, type AppProcess } from '../support/browser'

let app: AppProcess
let browser: Browser
let seeded: Kysely<Database>
let session: BrowserSession
let storageDir: string

beforeAll(async () => {
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-e2e-consent-'))
  app = await startAppProcess({ env: { MAP_TILES: 'none', STORAGE_DIR: storageDir } })
  browser = await launchBrowser()
  seeded = openSeededDatabase(app)
  session = new BrowserSession(browser, app)
})

afterAll(async () => {
  await session?.finish()
  await seeded?.destroy()
  await browser?.close()
  await app?.stop()
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true })
})

afterEach(async () => {
  expect(await session.finish(), 'errors in the browser').toEqual([])
})

describe('the credit report consent on a phone', () => {
  it('is signed with a finger and kept with its position, signature and signed form', async () => {
    const { page } = await session.newPage({ viewport: { width: 390, height: 844 }, geolocation: { latitude: 33.781, longitude: 114.531, accuracy: 9 } })
    await session.signInByPost(page, 'officer', { at: null })
    await page.goto(`${app.url}/my`)
    const playerId = Number(await page.locator('li[data-player-id]').first().getAttribute('data-player-id'))
    await page.goto(`${app.url}/players/${playerId}`)
    await page.getByRole('link', { name: 'Sign credit consent' }).click()
    await expect.poll(() => page.getByTestId('consent-text').textContent()).toContain('征信查询授权书')
    await page.getByLabel("Signer's name").fill('张三')
    await page.getByLabel('Signer is').selectOption('owner')
    // Signing before drawing: the server says the signature is empty, next to the pad.
    await page.locator('[data-testid=signature-pad][data-ready="1"]').waitFor()
    await expect.poll(() => page.getByTestId('consent-position').textContent()).toContain('±9 m')
    await page.getByRole('button', { name: 'Sign', exact: true }).click()
    await page.getByText('The signature is empty').waitFor()

    // A signature: two strokes drawn with the mouse over the pad.
    const pad = page.locator('[data-testid=signature-pad][data-ready="1"]')
    await expect.poll(() => page.getByTestId('consent-position').textContent()).toContain('±9 m')
    const box = (await pad.boundingBox())!
    for (const [from, to] of [[[0.1, 0.7], [0.5, 0.2]], [[0.4, 0.8], [0.9, 0.3]]]) {
      await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1])
      await page.mouse.down()
      await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 15 })
      await page.mouse.up()
    }
    await expect.poll(() => page.locator('input[name=signature]').inputValue()).toMatch(/^data:image\/png;base64,/)
    await page.getByRole('button', { name: 'Sign', exact: true }).click()
    await page.getByText('Consent signed').waitFor()

    const consent = await seeded.selectFrom('consents').selectAll().where('player_id', '=', playerId).executeTakeFirstOrThrow()
    expect(consent).toMatchObject({ signer_name: '张三', signer_role: 'owner', lat: 33.781, lng: 114.531, accuracy_m: 9, withdrawn_at: null })
    const stored = fs.readdirSync(storageDir, { recursive: true }).map(String).filter((f) => f.includes(consent.id))
    expect(stored.map((f) => path.basename(f)).sort()).toEqual([path.basename(consent.form_key), path.basename(consent.signature_key)])
    expect(consent.signature_key).toMatch(new RegExp(`/${consent.id}-\\w+-signature\\.png$`))
    await expect.poll(() => page.locator(`li[data-consent="${consent.id}"]`).getAttribute('data-standing')).toBe('valid')
    await page.goto(`${app.url}/players/${playerId}`)
    await expect.poll(() => page.getByTestId('consent-standing').textContent()).toContain('Valid')
  })
})
