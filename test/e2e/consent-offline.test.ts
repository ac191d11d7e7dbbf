// The credit report consent signed with no signal, on a phone (390×844) in Chromium against the
// real server and the demo county: the officer's list kept by the service worker (with the
// consent text and the signature pad's script), the network cut (context.setOffline), the
// owner reads the text and signs with a finger on a card's sheet, the consent waits in the
// outbox beside the visits, and once the signal is back it is sent once and the player's
// consent is valid, signed when it was signed and received later.
import fs from 'node:fs'
import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { openBrowserApp } from '../support/browser-app'
import { WAIT_MS } from '../support/test-constants'

const PHONE = { width: 390, height: 844 }

const { app, session, seeded, storageDir } = openBrowserApp({ env: { MAP_TILES: 'none' }, storage: 'consent-offline' })

const consentsOf = (playerId: number) => seeded.selectFrom('consents').selectAll().where('player_id', '=', playerId).execute()

/** On the open consent sheet: the signer's name and role, and two strokes drawn with a finger over the pad. */
async function fillAndDraw(page: Page, sheet: Locator) {
  await sheet.getByLabel("Signer's name").fill('张三')
  await sheet.getByLabel('Signer is').selectOption('owner')
  await expect.poll(() => sheet.getByTestId('consent-sheet-position').textContent(), { timeout: WAIT_MS }).toContain('within about 9 m · live')
  const pad = sheet.locator('[data-testid=signature-pad][data-ready="1"]')
  await pad.waitFor({ timeout: WAIT_MS })
  // Below the text on a phone: brought on screen, where a finger reaches it.
  await pad.scrollIntoViewIfNeeded()
  const box = (await pad.boundingBox())!
  for (const [from, to] of [[[0.1, 0.7], [0.5, 0.2]], [[0.4, 0.8], [0.9, 0.3]]]) {
    await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1])
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 15 })
    await page.mouse.up()
  }
  await expect.poll(() => sheet.locator('input[name=signature]').inputValue(), { timeout: WAIT_MS }).toMatch(/^data:image\/png;base64,/)
}

/** The officer on their list at 390×844, with the list, its text and the signature pad's script kept by the service worker. */
async function listKeptOnPhone() {
  const { context, page } = await session.newPage({ viewport: PHONE, geolocation: { latitude: 33.7812, longitude: 114.5311, accuracy: 9 } })
  await session.signIn(page, 'officer')
  await page.goto(`${app.url}/my`)
  await page.waitForFunction(
    async () => {
      const kept = await (await caches.open('wanqi-v1')).keys()
      return kept.some((r) => new URL(r.url).pathname === '/my.data' || new URL(r.url).pathname === '/my') && kept.some((r) => r.url.includes('/signature_pad-'))
    },
    undefined,
    { timeout: WAIT_MS, polling: 200 },
  )
  return { context, page }
}

describe('the credit report consent signed offline', () => {
  it('is signed on the list with no signal, waits in the outbox, and is sent once and valid when the signal returns', async () => {
    const { context, page } = await listKeptOnPhone()
    const card = page.locator('li[data-player-id]').first()
    const playerId = Number(await card.getAttribute('data-player-id'))
    const playerName = (await card.locator('.my-item-name').textContent())!.trim()
    expect(await consentsOf(playerId)).toEqual([])

    // The list (with the text) and the signature pad's script are on the phone before the signal goes.
    await context.setOffline(true)
    const reloaded = await page.reload()
    expect(reloaded?.fromServiceWorker()).toBe(true)
    await page.getByRole('heading', { name: 'My list' }).waitFor()

    // The owner reads the text kept with the list and signs with a finger.
    await page.locator(`li[data-player-id="${playerId}"]`).getByRole('link', { name: 'Sign credit consent' }).click()
    const sheet = page.locator('form.consent-sheet')
    await expect.poll(() => sheet.getByTestId('consent-sheet-text').textContent(), { timeout: WAIT_MS }).toContain('征信查询授权书')
    await fillAndDraw(page, sheet)
    const signedFrom = Date.now()
    await sheet.getByRole('button', { name: 'Sign', exact: true }).click()
    await sheet.waitFor({ state: 'detached', timeout: WAIT_MS })

    // Pending on the phone: the outbox says so, the card too; nothing reached the server.
    await page.getByTestId('my-consent-saved').getByText(`Credit consent of ${playerName} saved on this phone`).waitFor({ timeout: WAIT_MS })
    await page.getByTestId('outbox-badge').getByText('1 to send').waitFor({ timeout: WAIT_MS })
    const pending = page.locator('#outbox li[data-kind="consent"]')
    await expect.poll(() => pending.textContent(), { timeout: WAIT_MS }).toContain(playerName)
    expect(await pending.textContent()).toContain('waiting')
    await page.locator(`li[data-player-id="${playerId}"]`).getByTestId('consent-waiting').waitFor({ timeout: WAIT_MS })
    expect(await consentsOf(playerId)).toEqual([])
    // The signal returns: sent once, shown as sent, and the player's consent counts.
    const onlineAt = Date.now()
    await context.setOffline(false)
    await page.getByTestId('outbox-badge').waitFor({ state: 'detached', timeout: WAIT_MS })
    await expect.poll(() => consentsOf(playerId).then((c) => c.length), { timeout: WAIT_MS }).toBe(1)
    const [consent] = await consentsOf(playerId)
    expect(consent).toMatchObject({ signer_name: '张三', signer_role: 'owner', lat: 33.7812, lng: 114.5311, accuracy_m: 9, position_fix: 'live', withdrawn_at: null })
    // Kept as signed (on the phone, before the signal returned) and as received (after it).
    expect(Date.parse(consent.signed_at)).toBeGreaterThanOrEqual(signedFrom)
    expect(Date.parse(consent.signed_at)).toBeLessThanOrEqual(onlineAt)
    expect(Date.parse(consent.received_at)).toBeGreaterThanOrEqual(onlineAt)
    const files = fs.readdirSync(storageDir(), { recursive: true }).map(String).filter((f) => f.includes(consent.id))
    expect(files.map((f) => path.basename(f)).sort()).toEqual([path.basename(consent.form_key), path.basename(consent.signature_key)])

    const sent = page.getByTestId('sent-visits').locator('li[data-kind="consent"]')
    await expect.poll(() => sent.textContent(), { timeout: WAIT_MS }).toContain(playerName)
    await sent.getByRole('link', { name: playerName }).click()
    await page.waitForURL(`${app.url}/players/${playerId}/consent`, { timeout: WAIT_MS })
    await expect.poll(() => page.locator(`li[data-consent="${consent.id}"]`).getAttribute('data-standing'), { timeout: WAIT_MS }).toBe('valid')
  })

  it('shows in the outbox why a consent signed offline on a text replaced meanwhile is refused, and is signed again on the new text', async () => {
    const { context, page } = await listKeptOnPhone()
    const card = page.locator('li[data-player-id]').nth(1)
    const playerId = Number(await card.getAttribute('data-player-id'))
    const playerName = (await card.locator('.my-item-name').textContent())!.trim()
    const before = (await seeded.selectFrom('consent_texts').select('version').orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow()).version

    await context.setOffline(true)
    await card.getByRole('link', { name: 'Sign credit consent' }).click()
    const sheet = page.locator('form.consent-sheet')
    await fillAndDraw(page, sheet)
    await sheet.getByRole('button', { name: 'Sign', exact: true }).click()
    await page.getByTestId('outbox-badge').getByText('1 to send').waitFor({ timeout: WAIT_MS })

    // Meanwhile, at head office, the admin saves a new text.
    const { page: admin } = await session.newPage()
    await session.signIn(admin, 'admin')
    await admin.goto(`${app.url}/admin/consent-text`)
    await admin.locator('textarea[name=body]').fill('征信查询授权书\n（第二版）本人授权贵行查询本人及本单位的信用报告。')
    await admin.getByRole('button', { name: 'Save as a new version' }).click()
    await expect.poll(() => seeded.selectFrom('consent_texts').select('version').orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow().then((r) => r.version), { timeout: WAIT_MS }).toBe(before + 1)

    // Back online: refused, nothing stored, the reason shown in the outbox with a way to sign again.
    await context.setOffline(false)
    const refused = page.locator('#outbox li[data-kind="consent"].outbox-rejected')
    await expect.poll(() => refused.textContent(), { timeout: WAIT_MS }).toContain(`The authorisation text is now version ${before + 1}: let the signer read the new text and sign again.`)
    expect(await consentsOf(playerId)).toEqual([])
    await refused.getByRole('button', { name: 'Sign again' }).click()
    await expect.poll(() => sheet.getByTestId('consent-sheet-text').textContent(), { timeout: WAIT_MS }).toContain('（第二版）')
    await fillAndDraw(page, sheet)
    await sheet.getByRole('button', { name: 'Sign', exact: true }).click()
    await expect.poll(() => consentsOf(playerId).then((c) => c.map((r) => r.text_version)), { timeout: WAIT_MS }).toEqual([before + 1])
    // The refused one is gone from the outbox; the new one was sent.
    await page.getByTestId('outbox-badge').waitFor({ state: 'detached', timeout: WAIT_MS })
    await expect.poll(() => page.locator('#outbox li[data-kind="consent"].outbox-rejected').count(), { timeout: WAIT_MS }).toBe(0)
    await expect.poll(() => page.getByTestId('sent-visits').locator('li[data-kind="consent"]').first().textContent(), { timeout: WAIT_MS }).toContain(playerName)
  })
})
