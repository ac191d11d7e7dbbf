// The officer's list on a weak signal (issue 23): the server draws the first screens of cards
// and sends the rest as data once, without the navigation links (the page makes them); the
// map's stylesheet waits for the map; built files go out brotli-compressed at build time
// where the browser takes it, kept a year. Real HTTP against the built app, both dialects.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import express from 'express'
import { afterAll, describe, expect, it } from 'vitest'
import { FIRST_SCREEN } from '../../app/routes/my'
import { precompressDirectory, servePrecompressed } from '../../app/http/precompressed.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { pageModules } from '../support/page-weight'
import { routeSuite } from '../support/route-suite'
import { TEST_DATA_KEY } from '../support/test-constants'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
const PLAYERS = FIRST_SCREEN + 8

const suite = routeSuite(async (t) => {
  const org = await buildOrg(t.db)
  const officer = await addUser(t.db, 'screen.officer', 'officer', org.outletA1.id)
  for (let i = 0; i < PLAYERS; i++) {
    const id = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields(`首屏商店${i + 1}号`, { lat: 33.7 + i / 1000 }), orgUnitId: org.outletA1.id })
    await t.db.updateTable('market_players').set({ assigned_officer_id: officer }).where('id', '=', id).execute()
  }
})

describe('the officer’s list, first screen first', () => {
  it('draws the first screens of cards, sends every player once as data and no link twice', async () => {
    const client = await suite.signedIn('screen.officer')
    const html = await (await client.get('/my')).text()
    expect(html.match(/<li[^>]*data-player-id=/g)).toHaveLength(FIRST_SCREEN)
    // Every player is in the page's data (the rest is drawn once the page runs, and kept offline).
    for (let i = 1; i <= PLAYERS; i++) expect(html).toContain(`首屏商店${i}号`)
    // The navigation links are in the drawn cards only, not again in the data.
    expect(html.match(/uri\.amap\.com/g)).toHaveLength(FIRST_SCREEN)
    // Before the page runs its sort form is applied by the server, which reads the choice.
    expect(html).toMatch(/<form class="toolbar" method="get"[^]*<button type="submit">/)
    const bySort = await (await client.get('/my?sort=township')).text()
    expect(bySort).toMatch(/<option value="township" selected="">/)
  })

  it('leaves Leaflet’s stylesheet for when the map opens', async () => {
    const client = await suite.signedIn('screen.officer')
    const html = await (await client.get('/my')).text()
    const sheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1])
    expect(sheets.length).toBeGreaterThan(0)
    expect(sheets.filter((s) => s.includes('leaflet'))).toEqual([])
  })

  it('compresses the list and keeps the built files a year', async () => {
    const client = await suite.signedIn('screen.officer')
    const page = await client.get('/my')
    expect(page.headers.get('content-encoding')).toMatch(/^(br|gzip)$/)
    const html = await page.text()
    const entry = pageModules(html).find((u) => u.startsWith('/build/'))!
    const asset = await fetch(new URL(entry, suite.server.url), { headers: { 'Accept-Encoding': 'gzip' } })
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect(asset.headers.get('cache-control')).toContain('max-age=31536000')
  })
})

describe('built files brotli-compressed at build time', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-precompressed-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('writes <file>.br beside each script and stylesheet and serves it to browsers that take brotli', async () => {
    const script = `export const list = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, name: `名称${i}` })))}\n`
    fs.mkdirSync(path.join(dir, '_shared'))
    fs.writeFileSync(path.join(dir, '_shared', 'chunk-A.js'), script)
    fs.writeFileSync(path.join(dir, 'tiny.js'), 'export {}\n')
    const summary = await precompressDirectory(dir)
    expect(summary.files).toBe(1)
    expect(zlib.brotliDecompressSync(fs.readFileSync(path.join(dir, '_shared', 'chunk-A.js.br'))).toString()).toBe(script)
    expect(fs.existsSync(path.join(dir, 'tiny.js.br'))).toBe(false)

    const app = express()
    app.use('/build', servePrecompressed(dir, 'public, max-age=31536000, immutable'))
    app.use('/build', express.static(dir))
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/build`
    try {
      const br = await fetch(`${base}/_shared/chunk-A.js`, { headers: { 'Accept-Encoding': 'gzip, deflate, br, zstd' } })
      expect(br.headers.get('content-encoding')).toBe('br')
      expect(br.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(br.headers.get('vary')).toContain('Accept-Encoding')
      expect(await br.text()).toBe(script)
      // A browser without brotli gets the file itself (compressed on the fly by the app's middleware).
      const plain = await fetch(`${base}/_shared/chunk-A.js`, { headers: { 'Accept-Encoding': 'gzip' } })
      expect(plain.headers.get('content-encoding')).toBeNull()
      expect(await plain.text()).toBe(script)
      // Nothing outside the directory.
      const outside = await fetch(`${base}/..%2f..%2fetc%2fpasswd.js`, { headers: { 'Accept-Encoding': 'br' } })
      expect(outside.status).toBe(404)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
