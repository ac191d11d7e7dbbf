// An admin, on a bank's own (empty) database, loads the county it serves, uploads the
// boundary of one township, and sees that township drawn on the map, without the note that
// boundaries are schematic.
import { beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../db/connection.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createOrgUnit } from '../../app/services/org-units/create-org-unit.server'
import { createUser } from '../../app/services/users/create-user.server'
import { openBrowserApp } from '../support/browser-app'

const PASSWORD = 'a long admin password'

const { app, session } = openBrowserApp({ env: { WANQI_SEED: 'none', MAP_TILES: 'none' } })

beforeAll(async () => {
  // No demo: the bank's own database, with only its head office and an administrator.
  const { db } = openDatabase(`file:${app.databaseFile}`)
  try {
    const hq = await createOrgUnit(db, SYSTEM_ACTOR, { code: 'HQ', name: '兰考农商银行', kind: 'hq', parentId: null })
    await createUser(db, SYSTEM_ACTOR, { username: 'root', name: '管理员', role: 'admin', orgUnitId: hq.id, password: PASSWORD })
  } finally {
    await db.destroy()
  }
})

const GUYING = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { adcode: '410225105', name: '谷营镇' },
      geometry: { type: 'Polygon', coordinates: [[[114.95, 34.85], [115.05, 34.85], [115.05, 34.95], [114.95, 34.95], [114.95, 34.85]]] },
    },
  ],
}

describe('divisions and boundaries', () => {
  it('an admin loads 兰考县, uploads a township boundary and sees it on the map', async () => {
    const { page } = await session.newPage()
    await session.signIn(page, 'root', PASSWORD)
    await page.goto(`${app.url}/admin/areas`)
    await page.getByLabel('Division codes or names').fill('兰考县')
    await page.getByRole('button', { name: 'Load', exact: true }).click()
    await expect.poll(() => page.locator('p.notice').textContent()).toContain('Loaded 兰考县（410225）: 495 added')
    await page.locator('[data-testid="served"]', { hasText: '兰考县' }).waitFor()
    await page.locator('[data-testid="townships"] tr[data-code="410225105"]', { hasText: '谷营镇' }).waitFor()

    await page.getByLabel('Boundary file (.geojson / .json)').setInputFiles({ name: '谷营镇.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(GUYING)) })
    await page.getByRole('button', { name: 'Upload', exact: true }).click()
    await expect.poll(() => page.locator('p.notice').textContent()).toContain('1 boundaries stored (code property: adcode)')
    await expect.poll(() => page.locator('[data-testid="townships"] tr[data-code="410225105"]').textContent()).toContain('uploaded')

    await page.goto(`${app.url}/map`)
    // The township's outline, and nothing else in the overlay: the map holds no player yet.
    await expect.poll(() => page.locator('.territory-map .leaflet-overlay-pane path').count()).toBe(1)
    expect(await page.getByTestId('schematic-note').count()).toBe(0)
  })
})
