// Storefront photos from a phone (390×844) in Chromium, against the real server and the demo
// county: a visit saved with a camera-sized photo (setInputFiles) goes with its photo shrunk
// under 200 KB and stamped; offline, a visit with two photos waits in the outbox and, back
// online, is stored once with both photos, in order; the manager sees the thumbnails, drawn
// by the phone small (longest side 240 px, at most 32 KB) and answered as such (decision 0601).
// A visit saved offline with two photos that the server refuses when it goes (the player was
// taken off the officer meanwhile) stays in the outbox with both photos and the reason (issue
// 24: "a refused visit keeps its photos"), and nothing is stored.
import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../db/schema'
import { FIRST_SCREEN } from '../../app/routes/my'
import { keptOffline } from '../support/browser'
import { openBrowserApp } from '../support/browser-app'
import { cameraPhoto } from '../support/photo-fixtures'
import { WAIT_MS } from '../support/test-constants'

const PHONE = { width: 390, height: 844 }

const { app, session, seeded, storageDir } = openBrowserApp({ env: { MAP_TILES: 'none' }, storage: 'photos' })

async function photosOf(visitId: string) {
  return seeded.selectFrom('visit_photos').selectAll().where('visit_id', '=', visitId).orderBy('position').execute()
}

describe('storefront photos on a phone', () => {
  it('sends a stamped, shrunk photo with the visit online, and two in order after an offline spell', async () => {
    const officer = await seeded.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
    const since = new Date().toISOString()

    const { context, page } = await session.newPage({ viewport: PHONE, geolocation: { latitude: 33.78, longitude: 114.53, accuracy: 9 } })
    await session.signIn(page, 'officer')
    // Two players from the officer's list as the page shows it, placed exactly.
    await page.goto(`${app.url}/my`)
    // Read once the page runs and has drawn past the server's first screen (the list redraws then).
    await expect.poll(() => page.locator('li[data-player-id]').count()).toBeGreaterThan(FIRST_SCREEN)
    const listed = (await page.locator('li[data-player-id]').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-player-id'))))).slice(0, 200)
    const placed = await seeded.selectFrom('market_players').select(['id', 'name', 'lat', 'lng']).where('id', 'in', listed).where('lat', 'is not', null).where('position_approximate', '=', 0).execute()
    const [first, second] = listed.map((id) => placed.find((p) => p.id === id)).filter((p) => p !== undefined)
    await context.setGeolocation({ latitude: first.lat! + 0.0001, longitude: first.lng!, accuracy: 9 })
    const big = await cameraPhoto(page, 7)
    expect(big.length).toBeGreaterThan(1_000_000)

    const logVisit = async (playerId: number, files: { name: string; mimeType: string; buffer: Buffer }[]) => {
      await page.goto(`${app.url}/my`).catch(() => undefined)
      await page.locator(`li[data-player-id="${playerId}"]`).getByRole('link', { name: 'Log visit' }).click()
      const form = page.locator('form.visit-form')
      await form.getByTestId('check-in').getByText(/Position within about/).waitFor()
      await form.getByLabel('Storefront photos').setInputFiles(files)
      await form.getByLabel('Outcome').selectOption('no_need')
      await form.getByRole('button', { name: 'Save visit' }).click()
      await form.waitFor({ state: 'detached', timeout: WAIT_MS })
    }
    const visitOf = async (playerId: number) =>
      (await seeded.selectFrom('visits').select('id').where('officer_id', '=', officer.id).where('player_id', '=', playerId).where('recorded_at', '>=', since).execute())

    // Online: the visit and its photo, shrunk to about 200 KB and stamped.
    await logVisit(first.id, [{ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: big }])
    await expect.poll(async () => (await visitOf(first.id)).length, { timeout: WAIT_MS }).toBe(1)
    const [visit1] = await visitOf(first.id)
    await expect.poll(async () => (await photosOf(visit1.id)).length, { timeout: WAIT_MS }).toBe(1)
    const [photo1] = await photosOf(visit1.id)
    expect(photo1).toMatchObject({ position: 1, content_type: 'image/jpeg' })
    expect(photo1.original_bytes).toBeLessThanOrEqual(200 * 1024)
    const stored = fs.readFileSync(path.join(storageDir(), photo1.storage_key))
    expect(stored.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    // Its small copy, from the same stamped canvas, went with it.
    const small = fs.readFileSync(path.join(storageDir(), photo1.thumbnail_key!))
    expect(small.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    expect(small.length).toBeLessThanOrEqual(32 * 1024)

    // Offline: a visit with two photos waits with them in the outbox.
    await expect.poll(() => keptOffline(page, ['/my']), { timeout: WAIT_MS }).toBe(true)
    await context.setOffline(true)
    await context.setGeolocation({ latitude: second.lat! + 0.0001, longitude: second.lng!, accuracy: 11 })
    await page.locator(`li[data-player-id="${second.id}"]`).getByRole('link', { name: 'Log visit' }).click()
    const form = page.locator('form.visit-form')
    await form.getByTestId('check-in').getByText(/Position within about/).waitFor()
    const photoA = await cameraPhoto(page, 11)
    const photoB = await cameraPhoto(page, 13)
    await form.getByLabel('Storefront photos').setInputFiles([
      { name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: photoA },
      { name: 'IMG_0003.jpg', mimeType: 'image/jpeg', buffer: photoB },
    ])
    await form.getByLabel('Outcome').selectOption('no_need')
    await form.getByRole('button', { name: 'Save visit' }).click()
    await form.waitFor({ state: 'detached', timeout: WAIT_MS })
    await page.getByTestId('outbox-badge').getByText('1 to send').waitFor()
    expect(await visitOf(second.id)).toHaveLength(0)

    // Online again: the visit once, then its two photos in the order taken.
    await context.setOffline(false)
    await page.getByTestId('outbox-badge').waitFor({ state: 'detached', timeout: WAIT_MS })
    const visits2 = await visitOf(second.id)
    expect(visits2).toHaveLength(1)
    const photos2 = await photosOf(visits2[0].id)
    expect(photos2.map((p) => p.position)).toEqual([1, 2])
    expect(new Set(photos2.map((p) => p.sha256)).size).toBe(2)
    expect(photos2[0].added_at <= photos2[1].added_at).toBe(true)
    expect(photos2.every((p) => p.thumbnail_key !== null)).toBe(true)

    // The manager sees the thumbnails on the day's visits.
    const { page: manager } = await session.newPage({ viewport: PHONE })
    await session.signIn(manager, 'manager')
    // The bytes each thumbnail's address answered the page, by address.
    const answered = new Map<string, number>()
    manager.on('response', (response) => {
      if (response.url().includes('?size=thumb')) void response.body().then((body) => answered.set(new URL(response.url()).pathname, body.length), () => undefined)
    })
    await manager.goto(`${app.url}/visits?officer=${officer.id}`)
    const row = manager.locator('tr', { hasText: second.name })
    const images = row.locator('[data-testid="visit-photos"] img')
    await expect.poll(() => images.count(), { timeout: WAIT_MS }).toBe(2)
    const drawn = await images.evaluateAll((imgs: HTMLImageElement[]) => Promise.all(imgs.map((img) => img.decode().then(() => Math.max(img.naturalWidth, img.naturalHeight)))))
    // The phone's small copies, not the 1600 px photos: 240 px at most, a few KB each.
    expect(drawn.every((side) => side > 0 && side <= 240)).toBe(true)
    const paths = photos2.map((p) => `/visits/${visits2[0].id}/photos/${p.id}`)
    await expect.poll(() => paths.every((p) => answered.has(p)), { timeout: WAIT_MS }).toBe(true)
    for (const [i, p] of paths.entries()) {
      expect(answered.get(p)).toBe(fs.statSync(path.join(storageDir(), photos2[i].thumbnail_key!)).size)
      expect(answered.get(p)).toBeLessThanOrEqual(32 * 1024)
      expect(answered.get(p)).toBeLessThan(photos2[i].stored_bytes)
    }
  })

  it('keeps a refused visit\'s photos in the outbox, with the reason', async () => {
    const officer = await seeded.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
    const elsewhere = await seeded.selectFrom('users').select('id').where('username', '=', 'officer9').executeTakeFirstOrThrow()
    const { context, page } = await session.newPage({ viewport: PHONE, geolocation: { latitude: 33.78, longitude: 114.53, accuracy: 9 } })
    await session.signIn(page, 'officer')
    await page.goto(`${app.url}/my`)
    await expect.poll(() => page.locator('li[data-player-id]').count()).toBeGreaterThan(FIRST_SCREEN)
    // A placed player from the far end of the list that the officer has no visit of: the other
    // test's visits (stored or still arriving) move its players along the list.
    const listed = (await page.locator('li[data-player-id]').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-player-id'))))).slice(-200).reverse()
    const placed = await seeded
      .selectFrom('market_players')
      .select(['id', 'name', 'lat', 'lng'])
      .where('id', 'in', listed)
      .where('lat', 'is not', null)
      .where('position_approximate', '=', 0)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('visits').select('visits.id').whereRef('visits.player_id', '=', 'market_players.id').where('visits.officer_id', '=', officer.id))))
      .execute()
    const player = listed.map((id) => placed.find((p) => p.id === id)).find((p) => p !== undefined)!
    await context.setGeolocation({ latitude: player.lat! + 0.0001, longitude: player.lng!, accuracy: 9 })

    // Offline: the visit and its two photos wait in the outbox.
    await expect.poll(() => keptOffline(page, ['/my']), { timeout: WAIT_MS }).toBe(true)
    await context.setOffline(true)
    await page.locator(`li[data-player-id="${player.id}"]`).getByRole('link', { name: 'Log visit' }).click()
    const form = page.locator('form.visit-form')
    await form.getByTestId('check-in').getByText(/Position within about/).waitFor()
    await form.getByLabel('Storefront photos').setInputFiles([
      { name: 'IMG_0101.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(page, 17) },
      { name: 'IMG_0102.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(page, 19) },
    ])
    await form.getByLabel('Outcome').selectOption('no_need')
    await form.getByRole('button', { name: 'Save visit' }).click()
    await form.waitFor({ state: 'detached', timeout: WAIT_MS })
    await page.getByTestId('outbox-badge').getByText('1 to send').waitFor()

    // Meanwhile the player is given to an officer of another outlet: the server will refuse the visit.
    const writer = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(app.databaseFile, { fileMustExist: true, timeout: 10_000 }) }) })
    try {
      await writer.updateTable('market_players').set({ assigned_officer_id: elsewhere.id }).where('id', '=', player.id).execute()
      await writer.deleteFrom('player_assignments').where('player_id', '=', player.id).where('officer_id', '=', officer.id).execute()
    } finally {
      await writer.destroy()
    }

    // Back online: refused, and kept with both photos and the server's reason.
    await context.setOffline(false)
    const refused = page.locator('#outbox li.outbox-rejected', { hasText: player.name })
    await refused.waitFor({ timeout: WAIT_MS })
    await expect.poll(() => refused.getByTestId('outbox-photos').textContent()).toContain('storefront photos kept: 2')
    await expect.poll(() => refused.locator('.field-errors').first().textContent()).toMatch(/找不到这个市场主体|No such market player/)
    const kept = await page.evaluate(
      () =>
        new Promise<{ state: string; photos: { size: number; type: string; thumb: number }[] }[]>((resolve, reject) => {
          const open = indexedDB.open('wanqi')
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const read = open.result.transaction('outbox', 'readonly').objectStore('outbox').getAll()
            read.onerror = () => reject(read.error)
            read.onsuccess = () =>
              resolve((read.result as { state: string; photos?: { blob: Blob; thumb?: Blob }[] }[]).map((item) => ({
                state: item.state,
                photos: (item.photos ?? []).map((p) => ({ size: p.blob.size, type: p.blob.type, thumb: p.thumb?.size ?? 0 })),
              })))
          }
        }),
    )
    expect(kept).toHaveLength(1)
    expect(kept[0]!.state).toBe('rejected')
    expect(kept[0]!.photos).toHaveLength(2)
    for (const photo of kept[0]!.photos) {
      expect(photo.type).toBe('image/jpeg')
      expect(photo.size).toBeGreaterThan(10_000)
      expect(photo.size).toBeLessThanOrEqual(200 * 1024)
      expect(photo.thumb).toBeGreaterThan(0)
    }
    // Nothing stored for it.
    const stored = await seeded.selectFrom('visits').select('id').where('officer_id', '=', officer.id).where('player_id', '=', player.id).execute()
    expect(stored).toEqual([])
  })
})
