// The visit form before JavaScript loads, in Chromium with JavaScript off on a phone-sized
// window (issue 24): the officer picks two photos in the camera field and saves; the plain
// multipart post stores the visit and both photos, in order, and the visit's page shows it.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../db/schema'
import { englishContext, launchBrowser, openSeededDatabase, startAppProcess, type AppProcess } from '../support/browser'
import { fixturePhoto } from '../support/photo-fixtures'

let app: AppProcess
let browser: Browser
let seeded: Kysely<Database>
let storageDir: string

beforeAll(async () => {
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-e2e-nojs-'))
  app = await startAppProcess({ env: { MAP_TILES: 'none', STORAGE_DIR: storageDir } })
  browser = await launchBrowser()
  seeded = openSeededDatabase(app)
})

afterAll(async () => {
  await seeded?.destroy()
  await browser?.close()
  await app?.stop()
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true })
})

describe('the visit form without JavaScript', () => {
  it('posts the visit with its camera photos in one plain form post', async () => {
    const context = await englishContext(browser, app.url, { javaScriptEnabled: false, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    try {
      const page = await context.newPage()
      await page.goto(`${app.url}/login`)
      await page.getByLabel('Username').fill('officer')
      await page.getByLabel('Password').fill('wanqi-demo')
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.waitForURL(`${app.url}/`)
      const officer = await seeded.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
      const player = await seeded.selectFrom('market_players').select(['id', 'name']).where('assigned_officer_id', '=', officer.id).orderBy('id').executeTakeFirstOrThrow()

      await page.goto(`${app.url}/players/${player.id}/visit`)
      const form = page.locator('form.visit-form')
      expect(await form.getAttribute('enctype')).toBe('multipart/form-data')
      await form.getByLabel('Phone', { exact: true }).check()
      await form.getByLabel('Storefront photos').setInputFiles([
        { name: 'IMG_0101.jpg', mimeType: 'image/jpeg', buffer: fixturePhoto('jpeg') },
        { name: 'IMG_0102.png', mimeType: 'image/png', buffer: fixturePhoto('png') },
      ])
      await form.getByLabel('Outcome').selectOption('no_need')
      await form.getByRole('button', { name: 'Save visit' }).click()
      await page.waitForURL(/\/visits\/[^/?]+\?saved=1$/)
      const visitId = new URL(page.url()).pathname.split('/').pop()!
      const photos = await seeded.selectFrom('visit_photos').select(['position', 'content_type', 'sha256']).where('visit_id', '=', visitId).orderBy('position').execute()
      expect(photos).toEqual([
        { position: 1, content_type: 'image/jpeg', sha256: crypto.createHash('sha256').update(fixturePhoto('jpeg')).digest('hex') },
        { position: 2, content_type: 'image/png', sha256: crypto.createHash('sha256').update(fixturePhoto('png')).digest('hex') },
      ])
      await page.getByRole('heading', { name: new RegExp(player.name) }).waitFor()
    } finally {
      await context.close()
    }
  })
})
