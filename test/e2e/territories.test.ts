// Territories in a real browser against the real server and the demo county, with no map
// tiles at all: a manager sees the players clustered on the map and zooms into a cluster,
// lassoes a batch to an officer and draws a territory with mouse clicks; creates a territory
// by picking a township, sees its players counted, assigns the township's players by filter
// and sees the workload table change; moves a corner of a saved territory and sees its
// players recounted; the officer then finds those players in their list.
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { pointInGeometry, type Geometry } from '../../app/domain/geometry'
import { openBrowserApp } from '../support/browser-app'
import { countText } from '../../app/domain/number-text'

/** A count as the page writes it (20,019), read back as a number. */
const count = (text: string | null) => Number((text ?? '').replace(/,/g, ''))

const { app, session, seeded } = openBrowserApp({ env: { MAP_TILES: 'none' } })

async function signedIn(username: string) {
  const opened = await session.newPage()
  // No page opened yet: every test goes on with a `goto`.
  await session.signInByPost(opened.page, username, { at: null })
  return opened
}

async function user(username: string) {
  return seeded.selectFrom('users').select(['id', 'name', 'org_unit_id']).where('username', '=', username).executeTakeFirstOrThrow()
}

/** Clicks the corners of a polygon (offsets in pixels from the map's centre), then "Finish". */
async function drawPolygon(page: Page, corners: [number, number][]) {
  const map = page.locator('.territory-map.leaflet-container')
  await map.scrollIntoViewIfNeeded()
  const box = (await map.boundingBox())!
  const cx = box.x + box.width / 2
  const cy = box.y + box.height / 2
  // Each click's vertex is on the map before the next click (Geoman's vertex markers; the
  // one following the cursor is not one).
  const vertices = map.locator('.leaflet-marker-icon.marker-icon:not(.cursor-marker):not(.marker-icon-middle)')
  const before = await vertices.count()
  for (const [i, [dx, dy]] of corners.entries()) {
    await page.mouse.click(cx + dx, cy + dy)
    await expect.poll(() => vertices.count(), { message: `vertex ${i + 1} drawn` }).toBe(before + i + 1)
  }
  await page.getByRole('button', { name: 'Finish', exact: true }).click()
}

/** Drags the top-right corner of a drawn territory 60 px outward on the map and saves; checks who is inside it now. */
async function dragCornerOutward(territoryId: number) {
  const before = await seeded.selectFrom('territories').select(['geometry', 'officer_id', 'org_unit_id']).where('id', '=', territoryId).executeTakeFirstOrThrow()
  const { page } = await signedIn('manager')
  await page.goto(`${app.url}/map`)
  await page.locator('.cluster-icon').first().waitFor()
  await page.getByLabel('Territory to edit').selectOption({ label: '地图画的片区' })
  const corners = page.locator('.leaflet-marker-icon.marker-icon:not(.marker-icon-middle)')
  // Geoman draws the shape's handles as the map settles: counted until all four are there.
  await expect.poll(() => corners.count()).toBe(4)
  // The handles are drawn before the map's zoom to the shape (fitBounds, animated) has ended:
  // measured until two readings two frames apart agree, or the drag starts beside the corner
  // and pans the map (seen on a busy machine: the shape saved unchanged).
  const cornerBoxes = async () => Promise.all((await corners.all()).map((c) => c.boundingBox()))
  const twoFrames = () => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
  let boxes: Awaited<ReturnType<typeof cornerBoxes>> = []
  await expect
    .poll(async () => {
      const earlier = await cornerBoxes()
      await twoFrames()
      boxes = await cornerBoxes()
      return JSON.stringify(boxes) === JSON.stringify(earlier)
    })
    .toBe(true)
  // The corner furthest to the top right, dragged 60 px further out.
  const corner = boxes.reduce((a, b) => (b!.x - b!.y > a!.x - a!.y ? b : a))!
  await page.mouse.move(corner.x + corner.width / 2, corner.y + corner.height / 2)
  await page.mouse.down()
  await page.mouse.move(corner.x + corner.width / 2 + 30, corner.y + corner.height / 2 - 30, { steps: 5 })
  await page.mouse.move(corner.x + corner.width / 2 + 60, corner.y + corner.height / 2 - 60, { steps: 5 })
  await page.mouse.up()
  await page.getByRole('button', { name: 'Save shape' }).click()
  await page.getByText(/^Territory redrawn; \d+ players changed officer\.$/).waitFor()
  // Editing ends with the save.
  expect(await page.getByRole('button', { name: 'Save shape' }).count()).toBe(0)

  const after = await seeded.selectFrom('territories').select(['geometry', 'officer_id', 'name']).where('id', '=', territoryId).executeTakeFirstOrThrow()
  expect(after).toMatchObject({ officer_id: before.officer_id, name: '地图画的片区' })
  const [b, a] = [bboxOf(before.geometry!), bboxOf(after.geometry!)]
  expect(a.east).toBeGreaterThan(b.east)
  expect(a.north).toBeGreaterThan(b.north)
  expect(a.west).toBeCloseTo(b.west, 9)
  expect(a.south).toBeCloseTo(b.south, 9)
  // Exactly the unit's positioned players inside the new shape belong to it now.
  const shape = JSON.parse(after.geometry!) as Geometry
  const players = await seeded.selectFrom('market_players').select(['id', 'lng', 'lat', 'territory_id']).where('org_unit_id', '=', before.org_unit_id).where('lat', 'is not', null).execute()
  const inside = players.filter((p) => pointInGeometry(shape, p.lng!, p.lat!))
  expect(inside.length).toBeGreaterThan(0)
  expect(players.filter((p) => p.territory_id === territoryId).map((p) => p.id).sort()).toEqual(inside.map((p) => p.id).sort())
}

function bboxOf(geometry: string) {
  const ring = (JSON.parse(geometry) as { coordinates: [number, number][][] }).coordinates[0]
  const lngs = ring.map((p) => p[0])
  const lats = ring.map((p) => p[1])
  return { west: Math.min(...lngs), east: Math.max(...lngs), south: Math.min(...lats), north: Math.max(...lats) }
}

describe('territories on the map and the territories page', () => {
  it('a manager sees clusters with no tiles, zooms into one, lassoes a batch to officer2, draws a territory and drags a corner of it outward', async () => {
    const { page } = await signedIn('manager')
    const officer2 = await user('officer2')
    const officer3 = await user('officer3')
    const firstView = page.waitForRequest((r) => r.url().includes('/api/v1/map?'))
    await page.goto(`${app.url}/map`)
    const zoom = Number(new URL((await firstView).url()).searchParams.get('zoom'))
    // The map redraws its clusters as the view settles: a count read once may fall between.
    await expect.poll(() => page.locator('.cluster-icon').count()).toBeGreaterThan(0)
    // No tiles were asked for; township boundaries are drawn on the plain background.
    expect(await page.locator('.leaflet-tile').count()).toBe(0)
    // The boundaries come in their own request, after the clusters or before: wait for them.
    await expect.poll(() => page.locator('.territory-map path.leaflet-interactive, .territory-map path').count()).toBeGreaterThan(0)
    // The demo's township shapes are generated, and the map says so.
    expect(await page.getByTestId('schematic-note').textContent()).toContain('Schematic boundaries')
    // Coloured by candidate flag, with its legend.
    expect(await page.locator('.legend-item').allTextContents()).toEqual(['First-lender candidate', 'To verify', 'Not a candidate'].map((s) => expect.stringContaining(s)))

    // A click on a cluster zooms in two levels on it.
    const zoomed = page.waitForRequest((r) => r.url().includes('/api/v1/map?') && Number(new URL(r.url()).searchParams.get('zoom')) === zoom + 2)
    await page.locator('.cluster-icon').first().click()
    await zoomed
    await page.locator('.cluster-icon, .player-dot').first().waitFor()

    // Back to the county view, then a lasso around the map's centre.
    await page.goto(`${app.url}/map`)
    await page.locator('.cluster-icon').first().waitFor()
    await page.getByRole('button', { name: 'Lasso assign' }).click()
    await drawPolygon(page, [[-70, -50], [70, -50], [70, 50], [-70, 50]])
    await page.getByRole('heading', { name: 'Assign the players inside to' }).waitFor()
    await page.locator('.drawn-form select[name="officerId"]').selectOption(String(officer2.id))
    await page.locator('.drawn-form').getByRole('button', { name: 'Assign', exact: true }).click()
    const notice = page.locator('p.notice')
    await notice.waitFor()
    const lassoed = count(/^([\d,]+) players assigned\.$/.exec((await notice.textContent())!)?.[1] ?? null)
    expect(lassoed).toBeGreaterThan(0)
    const recorded = await seeded
      .selectFrom('player_assignments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('reason', '=', 'territory.reason.lasso')
      .where('officer_id', '=', officer2.id)
      .executeTakeFirstOrThrow()
    expect(Number(recorded.n)).toBe(lassoed)

    // A small territory drawn with clicks, for officer3.
    await page.getByRole('button', { name: 'Draw territory' }).click()
    await drawPolygon(page, [[-20, -15], [20, -15], [20, 15], [-20, 15]])
    await page.getByRole('heading', { name: 'New territory' }).waitFor()
    await page.locator('.drawn-form input[name="name"]').fill('地图画的片区')
    await page.locator('.drawn-form select[name="officerId"]').selectOption(String(officer3.id))
    await page.locator('.drawn-form').getByRole('button', { name: 'Create territory' }).click()
    await page.getByText(/^Territory “地图画的片区” created; \d+ players changed officer\.$/).waitFor()
    const drawn = await seeded.selectFrom('territories').select(['id', 'geometry', 'officer_id']).where('name', '=', '地图画的片区').executeTakeFirstOrThrow()
    expect(drawn.officer_id).toBe(officer3.id)
    expect(drawn.geometry).not.toBeNull()

    // The same shape again is refused, with the place of the overlap shown on the map.
    await page.getByRole('button', { name: 'Draw territory' }).click()
    await drawPolygon(page, [[-20, -15], [20, -15], [20, 15], [-20, 15]])
    await page.locator('.drawn-form input[name="name"]').fill('重叠的片区')
    await page.locator('.drawn-form select[name="officerId"]').selectOption(String(officer3.id))
    await page.locator('.drawn-form').getByRole('button', { name: 'Create territory' }).click()
    await page.getByText(/^Overlaps territory “地图画的片区” near 1\d\d\.\d+, \d\d\.\d+\.$/).waitFor()
    await page.locator('.overlap-point').waitFor()
    expect(await seeded.selectFrom('territories').select('id').where('name', '=', '重叠的片区').execute()).toEqual([])

    // Then a corner of it is dragged outward and saved: the players inside are those of the new shape.
    await dragCornerOutward(drawn.id)
  })

  it('a manager creates a territory by township for officer2, sees its players counted, assigns them by filter and sees the workload change; officer2 then finds them in their list and sees the territory read-only', async () => {
    const manager = await user('manager')
    const officer2 = await user('officer2')
    // A township of this outlet clear of the territories drawn there (one would be refused as an overlap).
    const drawn = (await seeded.selectFrom('territories').select('geometry').where('org_unit_id', '=', manager.org_unit_id).where('geometry', 'is not', null).execute()).map((t) => bboxOf(t.geometry!))
    const townships = await seeded
      .selectFrom('areas')
      .select(['code', 'name', 'boundary'])
      .where('level', '=', 'township')
      .where('code', 'in', (eb) => eb.selectFrom('market_players').select('township_code').where('org_unit_id', '=', manager.org_unit_id))
      .orderBy('code')
      .execute()
    const clear = townships.find((t) => {
      const b = bboxOf(t.boundary!)
      return drawn.every((d) => b.east < d.west || b.west > d.east || b.north < d.south || b.south > d.north)
    })
    expect(clear, 'a township away from the drawn territory').toBeDefined()
    const township = { code: clear!.code, name: clear!.name }

    const { page } = await signedIn('manager')
    await page.goto(`${app.url}/territories`)
    await page.waitForLoadState('networkidle')
    const form = page.locator('section[aria-labelledby="territory-new"]')
    await form.locator('input[name="name"]').fill(`${clear!.name}片区`)
    await form.locator('select[name="officerId"]').selectOption(String(officer2.id))
    await form.getByLabel(clear!.name, { exact: true }).check()
    await form.getByRole('button', { name: 'Create territory' }).click()
    await page.getByText(new RegExp(`^Territory “${clear!.name}片区” created`)).waitFor()
    const row = page.locator(`tr[data-territory="${clear!.name}片区"]`)
    const territory = await seeded.selectFrom('territories').select('id').where('name', '=', `${clear!.name}片区`).executeTakeFirstOrThrow()
    const inside = Number(
      (await seeded.selectFrom('market_players').select((eb) => eb.fn.countAll<number>().as('n')).where('territory_id', '=', territory.id).executeTakeFirstOrThrow()).n,
    )
    expect(inside).toBeGreaterThan(0)
    expect(await row.locator('td.players').textContent()).toBe(countText(inside))
    expect(await row.locator('td.officer').textContent()).toBe(officer2.name)

    // The demo's players were assigned one by one, so they keep their officers: hand the township's over by filter.
    const workloadCell = page.locator('tr[data-officer="officer2"] td.players')
    const before = count(await workloadCell.textContent())
    const toMove = Number(
      (
        await seeded
          .selectFrom('market_players')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_unit_id', '=', manager.org_unit_id)
          .where('township_code', '=', clear!.code)
          .where((eb) => eb.or([eb('assigned_officer_id', 'is', null), eb('assigned_officer_id', '!=', officer2.id)]))
          .executeTakeFirstOrThrow()
      ).n,
    )
    expect(toMove).toBeGreaterThan(0)
    const byFilter = page.locator('section[aria-labelledby="assign-filter"]')
    await byFilter.locator('select[name="township"]').selectOption(clear!.code)
    await byFilter.locator('select[name="officerId"]').selectOption(String(officer2.id))
    await byFilter.getByRole('button', { name: 'Assign', exact: true }).click()
    await page.locator('p.notice', { hasText: 'players assigned.' }).waitFor()
    await page.waitForFunction(
      (expected) => document.querySelector('tr[data-officer="officer2"] td.players')?.textContent === expected,
      countText(before + toMove),
    )
    expect(count(await workloadCell.textContent())).toBe(before + toMove)

    // officer2 then finds that township's players in their list, and sees the territory read-only.
    const mine = await seeded
      .selectFrom('market_players')
      .select(['name'])
      .where('township_code', '=', township.code)
      .where('assigned_officer_id', '=', officer2.id)
      .orderBy('id', 'desc')
      .execute()
    expect(mine.length).toBeGreaterThan(0)

    const { page: asOfficer } = await signedIn('officer2')
    await asOfficer.goto(`${app.url}/players?township=${township.code}`)
    await asOfficer.locator('li.player-card').first().waitFor()
    const names = await asOfficer.locator('li.player-card .player-name').allTextContents()
    expect(names).toHaveLength(Math.min(50, mine.length))
    const expected = new Set(mine.map((p) => p.name))
    expect(names.every((n) => expected.has(n))).toBe(true)

    await asOfficer.goto(`${app.url}/territories`)
    await asOfficer.locator(`tr[data-territory="${township.name}片区"]`).waitFor()
    expect(await asOfficer.getByText('Your territories (read-only).').isVisible()).toBe(true)
    expect(await asOfficer.getByRole('button', { name: 'Create territory' }).count()).toBe(0)
  })

  it('on a phone the map page does not scroll sideways and still shows the players', async () => {
    const { page } = await session.newPage({ viewport: { width: 390, height: 844 } })
    await session.signInByPost(page, 'manager', { at: null })
    await page.goto(`${app.url}/map`)
    await page.locator('.cluster-icon').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
  })
})

describe('before a territory or a balancing move is saved (in Chinese)', () => {
  it('the drawn shape stays with its form, which counts the players inside; geoman speaks Chinese; "执行" previews and asks before moving, on a phone', async () => {
    const { page } = await session.newPage({ chinese: true })
    await session.signInChinese(page, 'manager')
    await page.goto(`${app.url}/map`)
    await page.locator('.cluster-icon').first().waitFor()
    await page.getByRole('button', { name: '画片区' }).click()
    // geoman's own tip, in Chinese, follows the cursor over the map.
    const map = page.locator('.territory-map.leaflet-container')
    const box = (await map.boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await expect.poll(() => map.locator('.leaflet-tooltip').allTextContents()).toContainEqual(expect.stringMatching(/单击/))
    const vertices = map.locator('.leaflet-marker-icon.marker-icon:not(.cursor-marker):not(.marker-icon-middle)')
    for (const [i, [dx, dy]] of ([[-30, -20], [30, -20], [30, 20], [-30, 20]] as const).entries()) {
      await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy)
      await expect.poll(() => vertices.count()).toBe(i + 1)
    }
    await page.getByRole('button', { name: '完成', exact: true }).click()
    await page.getByRole('heading', { name: '新片区' }).waitFor()
    await page.locator('path.pending-shape').waitFor()
    const counted = page.getByTestId('shape-count')
    await expect.poll(() => counted.textContent()).toMatch(/^圈内有 [\d,]+ 户/)
    const [, inside, follow, keepOwn] = /^圈内有 ([\d,]+) 户：([\d,]+) 户将随片区改派给所选客户经理；([\d,]+) 户为手工指派/.exec((await counted.textContent())!)!.map(count)
    expect(inside).toBe(follow + keepOwn)
    await page.locator('.drawn-form').getByRole('button', { name: '取消' }).click()
    await expect.poll(() => page.locator('path.pending-shape').count()).toBe(0)

    // The manager lassoes every player of the outlet to officer2, so the workload suggests moves.
    const manager = await user('manager')
    const officer2 = await user('officer2')
    const extent = await seeded
      .selectFrom('market_players')
      .select([(eb) => eb.fn.min('lng').as('west'), (eb) => eb.fn.max('lng').as('east'), (eb) => eb.fn.min('lat').as('south'), (eb) => eb.fn.max('lat').as('north')])
      .where('org_unit_id', '=', manager.org_unit_id)
      .executeTakeFirstOrThrow()
    const [w, e, so, n] = [Number(extent.west) - 0.01, Number(extent.east) + 0.01, Number(extent.south) - 0.01, Number(extent.north) + 0.01]
    const lasso = { type: 'Polygon', coordinates: [[[w, so], [e, so], [e, n], [w, n], [w, so]]] }
    const lassoed = await page.request.post(`${app.url}/territories`, {
      form: { intent: 'lasso', officerId: String(officer2.id), geometry: JSON.stringify(lasso) },
      headers: { Origin: new URL(app.url).origin },
    })
    expect(lassoed.status()).toBe(200)

    const { page: phone } = await session.newPage({ chinese: true, viewport: { width: 390, height: 844 } })
    await session.signInChinese(phone, 'manager')
    await phone.goto(`${app.url}/territories`)
    await phone.locator('ul.moves button', { hasText: '执行' }).first().click()
    const preview = phone.getByTestId('move-preview')
    await preview.waitFor()
    const [, moving, from, to] = /将把 ([\d,]+) 户从 (.+?) 调给 (.+?)。/.exec((await preview.textContent())!)!
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
    await preview.getByRole('button', { name: '确认执行' }).click()
    await phone.getByText(`已将 ${moving} 户从 ${from} 调给 ${to}。`).waitFor()
  }, 120_000)
})
