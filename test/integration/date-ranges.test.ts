// The periods the dashboard, its drill-down, its export and the figures API take, over real
// HTTP: an impossible day or a range too long or too far ahead answers 400 with the reason,
// at once, never 500 and never the years counted.
import { beforeAll, describe, expect, it } from 'vitest'
import { addUser, buildOrg } from '../support/fixtures'
import type { Client } from '../support/http-client'
import { routeSuite } from '../support/route-suite'

let manager: Client

const suite = routeSuite(async (t) => {
  const org = await buildOrg(t.db)
  await addUser(t.db, 'boss.a', 'manager', org.outletA1.id)
})
beforeAll(async () => {
  manager = await suite.signedIn('boss.a')
})

const BAD = [
  { query: 'from=2026-13-45&to=2026-03-01', field: 'from', en: 'not a calendar day', zh: '不是有效日期' },
  { query: 'from=2026-01-01&to=9999-12-31', field: 'to', en: 'more than 366 days ahead', zh: '超过一年以后' },
  { query: 'from=2020-01-01&to=2025-01-01', field: 'to', en: 'longer than', zh: '期间最长三年' },
  { query: 'period=year&at=2026-02-30', field: 'at', en: 'not a calendar day', zh: '不是有效日期' },
]

describe('periods asked for', () => {
  it('the figures API answers 400 naming the field and the reason', async () => {
    for (const bad of BAD) {
      const response = await manager.get(`/api/v1/figures?${bad.query}`)
      expect(response.status, bad.query).toBe(400)
      const body = (await response.json()) as { fields: Record<string, string[]> }
      expect(body.fields[bad.field]?.join(), bad.query).toContain(bad.en)
    }
    expect((await manager.get('/api/v1/figures?from=2024-01-01&to=2026-03-01')).status).toBe(200)
  })

  it('the dashboard answers 400 showing this month and the reason; the drill-down and the export 400 too', async () => {
    for (const bad of BAD) {
      const page = await manager.get(`/dashboard?${bad.query}`)
      expect(page.status, bad.query).toBe(400)
      const html = await page.text()
      expect(html).toContain('期间有误')
      expect(html, bad.query).toContain(bad.zh)
      const drill = await manager.get(`/dashboard/players?figure=listed&${bad.query}`)
      expect(drill.status, bad.query).toBe(400)
      expect(await drill.text(), bad.query).toContain(bad.zh)
      const file = await manager.get(`/dashboard/export?format=csv&${bad.query}`)
      expect(file.status, bad.query).toBe(400)
      expect(await file.text(), bad.query).toContain(bad.zh)
    }
    expect((await manager.get('/dashboard?from=2025-01-01&to=2026-03-01')).status).toBe(200)
  })
})
