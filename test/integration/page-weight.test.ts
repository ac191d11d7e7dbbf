// The officer's phone on a weak signal: the JavaScript its pages load before they work stays
// under 120 KB gzipped (/my, the visit form, /login; issue 23), with Leaflet left for when the
// map opens and only the active language's messages sent. Real HTTP against the built app.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { addUser, buildOrg, playerFields } from '../support/fixtures'
import { pageWeight, type PageWeight } from '../support/page-weight'
import { routeSuite } from '../support/route-suite'
import { ROOT, TEST_DATA_KEY } from '../support/test-constants'

const BUDGET_BYTES = 120 * 1024
const pii = createPersonalDataCipher(TEST_DATA_KEY)
let player = 0

const suite = routeSuite(async (t) => {
  const org = await buildOrg(t.db)
  const officer = await addUser(t.db, 'weight.officer', 'officer', org.outletA1.id)
  player = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii }, { fields: playerFields('轻量面馆'), orgUnitId: org.outletA1.id })
  await t.db.updateTable('market_players').set({ assigned_officer_id: officer }).where('id', '=', player).execute()
})

async function weigh(path: string, signedIn: boolean): Promise<{ html: string; weight: PageWeight }> {
  const client = signedIn ? await suite.signedIn('weight.officer') : suite.client()
  const response = await client.get(path)
  expect(response.status).toBe(200)
  const html = await response.text()
  return { html, weight: await pageWeight(suite.server.url, html) }
}

const kb = (w: PageWeight) => `${(w.gzipBytes / 1024).toFixed(1)} KB: ${w.modules.map((m) => `${m.url} ${(m.gzipBytes / 1024).toFixed(1)}`).join(', ')}`

describe('the officer’s pages stay light', () => {
  it('/login, /my, the day\'s route and the visit form each load under 120 KB of gzipped JavaScript', async () => {
    for (const [path, signedIn] of [['/login', false], ['/my', true], ['/my/route', true], [`/players/${player}/visit`, true]] as const) {
      const { weight } = await weigh(path, signedIn)
      expect(weight.modules.length, path).toBeGreaterThan(3)
      expect(weight.gzipBytes, `${path}: ${kb(weight)}`).toBeLessThan(BUDGET_BYTES)
    }
  })

  it('leaves Leaflet out of /my and the day\'s route until the page works', async () => {
    for (const path of ['/my', '/my/route']) {
      const { weight } = await weigh(path, true)
      for (const m of weight.modules) {
        const source = await (await fetch(new URL(m.url, suite.server.url))).text()
        expect(source, `${path}: ${m.url}`).not.toContain('leaflet-zoom-animated')
      }
    }
  })

  it('sends the active language’s messages only, the officer’s part first', async () => {
    const zh = await weigh('/my', true)
    const parts = zh.weight.modules.filter((m) => m.url.startsWith('/messages/'))
    expect(parts.map((m) => m.url)).toEqual([expect.stringMatching(/^\/messages\/zh-CN\/field-\w+\.js$/)])
    const source = await (await fetch(new URL(parts[0].url, suite.server.url))).text()
    expect(source).toContain('未走访')
    expect(source).not.toContain('never visited')
    // A desk page needs every message of its language, still one language.
    const admin = await weigh('/visits', true)
    const desk = admin.weight.modules.filter((m) => m.url.startsWith('/messages/')).map((m) => m.url.replace(/-\w+\.js$/, ''))
    expect(desk.sort()).toEqual(['/messages/zh-CN/field', '/messages/zh-CN/rest'])
  })

  it('names every route in one built manifest the page loads, so no link makes the phone ask the server for routes', async () => {
    const { weight } = await weigh('/my', true)
    const manifest = weight.modules.find((m) => /^\/build\/manifest-\w+\.js$/.test(m.url))
    expect(manifest, kb(weight)).toBeDefined()
    const source = await (await fetch(new URL(manifest!.url, suite.server.url))).text()
    const routeIds = fs.readdirSync(path.join(ROOT, 'app/routes')).map((file) => `routes/${file.replace(/\.tsx?$/, '')}`)
    expect(routeIds.length).toBeGreaterThan(50)
    for (const id of routeIds) expect(source, id).toContain(`"id":${JSON.stringify(id)}`)
    // Remix's route discovery (v3_lazyRouteDiscovery) would answer here with the routes asked for.
    const client = await suite.signedIn('weight.officer')
    const discovery = await client.get(`/__manifest?p=%2Fmy&version=${/"version":"(\w+)"/.exec(source)![1]}`)
    expect(discovery.status).toBe(404)
  })
})
