// The audit log (issue 8): the database refuses to change or delete an entry; an admin lists
// it (filtered by who, action, record, China day and address, fifty to a page) and exports
// it as CSV, the export itself logged and its cells safe to open in Excel; nobody else may.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditEntry } from '../../db/schema'
import { REPEATED_READ_WINDOW_MS, SYSTEM_ACTOR, recordAudit, recordRepeatedRead } from '../../app/services/audit.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, startTestServer, type TestServer } from '../support/test-server'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'

let t: TestDatabase
let server: TestServer
let admin: Client
let fieldA: number
/** Written straight into the log with their times: 23:59:59 on 1 March and midnight on 2 March, China time. */
const LATE_ON_1_MARCH = '2026-03-01T15:59:59.000Z'
const MIDNIGHT_2_MARCH = '2026-03-01T16:00:00.000Z'
const EVIL = '=cmd|calc!a0'

/** Signs in over HTTP as if from `ip` (the test server trusts X-Forwarded-For). */
async function signInFrom(username: string, ip: string, password = PASSWORD) {
  const c = new Client(server.url)
  const response = await c.request('/login', { method: 'POST', body: new URLSearchParams({ username, password }), headers: { 'X-Forwarded-For': ip } })
  return { c, response }
}

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  await addUser(t.db, 'root', 'admin', org.hq.id)
  await addUser(t.db, 'analyst', 'hq', org.hq.id)
  await addUser(t.db, 'boss.a', 'manager', org.branchA.id)
  fieldA = await addUser(t.db, 'field.a', 'officer', org.outletA1.id)
  server = await startTestServer(t, { trustProxy: true })
  const root = await signInFrom('root', '10.20.0.1')
  expect(root.response.status).toBe(302)
  admin = root.c
  expect((await signInFrom('field.a', '10.30.0.7')).response.status).toBe(302)
  expect((await signInFrom('boss.a', '10.30.0.8', 'not the password')).response.status).toBe(401)
  expect((await signInFrom(EVIL, '10.40.0.1', 'not the password')).response.status).toBe(401)
  await t.db
    .insertInto('audit_log')
    .values([
      { at: LATE_ON_1_MARCH, actor_id: null, actor_username: 'system', action: 'test.dated', entity_type: 'test', entity_id: 'late', ip: null, detail: null },
      { at: MIDNIGHT_2_MARCH, actor_id: null, actor_username: 'system', action: 'test.dated', entity_type: 'test', entity_id: 'midnight', ip: null, detail: null },
    ])
    .execute()
})
afterAll(async () => {
  await server?.close()
  await t?.destroy()
})

const allEntries = () => t.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').execute()
const idsIn = (html: string) => [...html.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]))
const nextLink = (html: string) => /<a (?=[^>]*rel="next")[^>]*href="([^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null

async function page(query: string) {
  const response = await admin.get(`/admin/audit${query ? `?${query}` : ''}`)
  return { status: response.status, html: await response.text() }
}

/** The CSV's rows (after the byte-order mark and the header), split on commas: the rows used here quote nothing. */
async function csvRows(response: Response) {
  // Decoded by hand: Response.text() drops the byte-order mark this checks for.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer())
  expect(text.startsWith('\ufeff')).toBe(true)
  const lines = text.slice(1).split('\r\n')
  expect(lines.at(-1)).toBe('')
  return { header: lines[0], rows: lines.slice(1, -1) }
}

describe('the audit log is append-only', () => {
  it('refuses UPDATE and DELETE, raw or built, and leaves the entry as written', async () => {
    await recordAudit(t.db, SYSTEM_ACTOR, { action: 'test.keep', entityType: 'test', entityId: 'keep', detail: { n: 1 } })
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'test.keep').executeTakeFirstOrThrow()
    await expect(sql`update audit_log set action = 'test.rewritten' where id = ${entry.id}`.execute(t.db)).rejects.toThrow(/audit_log is append-only/)
    await expect(sql`delete from audit_log where id = ${entry.id}`.execute(t.db)).rejects.toThrow(/audit_log is append-only/)
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/audit_log is append-only/)
    await expect(t.db.updateTable('audit_log').set({ ip: '1.2.3.4' }).execute()).rejects.toThrow(/audit_log is append-only/)
    await expect(t.db.deleteFrom('audit_log').where('id', '=', entry.id).execute()).rejects.toThrow(/audit_log is append-only/)
    expect(await t.db.selectFrom('audit_log').selectAll().where('id', '=', entry.id).executeTakeFirst()).toEqual(entry)
  })

  it('still takes new entries', async () => {
    const before = (await allEntries()).length
    await recordAudit(t.db, SYSTEM_ACTOR, { action: 'test.append', entityType: 'test' })
    await sql`insert into audit_log (at, action, entity_type) values (${new Date().toISOString()}, 'test.append', 'test')`.execute(t.db)
    expect((await allEntries()).length).toBe(before + 2)
  })
})

describe('the admin page', () => {
  it('lists what real sign-ins wrote, newest first, with who, action, record, time and address', async () => {
    const { status, html } = await page('')
    expect(status).toBe(200)
    const ids = idsIn(html)
    const stored = await allEntries()
    expect(ids).toEqual(stored.slice(0, 50).map((e) => e.id))
    const signIn = stored.find((e) => e.action === 'sign_in' && e.actor_username === 'field.a')!
    expect(signIn).toMatchObject({ entity_type: 'user', entity_id: String(fieldA), ip: '10.30.0.7' })
    const card = html.slice(html.indexOf(`data-audit-id="${signIn.id}"`)).split('</li>')[0]
    // In words: the action and the record type, not their codes.
    expect(card).toContain(`操作人：field.a · 记录：用户 #${fieldA} · 地址：10.30.0.7`)
    expect(card).toMatch(/title="sign_in">登录</)
    // Shown in China time.
    expect(card).toContain(new Date(Date.parse(signIn.at) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '))
  })

  const cases: [string, (e: AuditEntry) => boolean][] = [
    ['actor=field.a', (e) => e.actor_username === 'field.a'],
    ['actor=+Field.A+', (e) => e.actor_username === 'field.a'],
    ['action=sign_in', (e) => e.action === 'sign_in' || e.action === 'sign_in.failed'],
    ['action=sign_in.failed', (e) => e.action === 'sign_in.failed'],
    ['entityType=org_unit', (e) => e.entity_type === 'org_unit'],
    ['entityType=user&entityId=ID', (e) => e.entity_type === 'user' && e.entity_id === String(fieldA)],
    ['ip=10.30.', (e) => e.ip?.startsWith('10.30.') === true],
    ['from=2026-03-02&to=2026-03-02', (e) => e.at >= MIDNIGHT_2_MARCH && e.at < '2026-03-02T16:00:00.000Z'],
    ['to=2026-03-01', (e) => e.at < MIDNIGHT_2_MARCH],
    ['actor=boss.a&action=sign_in&ip=10.30.0.8', (e) => e.actor_username === 'boss.a' && e.action.startsWith('sign_in') && e.ip === '10.30.0.8'],
  ]
  it.each(cases)('filters by %s', async (query, matches) => {
    const stored = await allEntries()
    const expected = stored.filter(matches).map((e) => e.id)
    expect(expected.length).toBeGreaterThan(0)
    expect(expected.length).toBeLessThan(Math.min(stored.length, 50))
    const { status, html } = await page(query.replace('ID', String(fieldA)))
    expect(status).toBe(200)
    expect(idsIn(html)).toEqual(expected)
  })

  it('reads dates as China days: 1 March ends at 16:00 UTC', async () => {
    const dated = (await allEntries()).filter((e) => e.action === 'test.dated')
    const late = dated.find((e) => e.entity_id === 'late')!.id
    const midnight = dated.find((e) => e.entity_id === 'midnight')!.id
    expect(idsIn((await page('from=2026-03-01&to=2026-03-01')).html)).toEqual([late])
    expect(idsIn((await page('from=2026-03-02&to=2026-03-31&action=test.dated')).html)).toEqual([midnight])
  })

  it('keeps the filter in the form', async () => {
    const { html } = await page('actor=boss.a&ip=10.30.&from=2026-01-01')
    // The actor is picked from a list: the chosen one stays selected.
    expect(html).toMatch(/<option value="boss.a" selected="">/)
    expect(html).toMatch(/name="ip"[^>]*value="10.30."/)
    expect(html).toMatch(/name="from"[^>]*value="2026-01-01"/)
    // The export link carries the same filter.
    expect(html).toContain('href="/admin/audit.csv?actor=boss.a&amp;from=2026-01-01&amp;ip=10.30."')
  })

  it('says what is wrong with a filter, and where', async () => {
    const badDate = await page('from=2026-02-30')
    expect(badDate.status).toBe(400)
    expect(badDate.html).toMatch(/aria-invalid="true"[^>]*name="from"/)
    expect(badDate.html).toContain('日期格式应为 2026-12-01。')
    expect(idsIn(badDate.html)).toEqual([])
    const backwards = await page('from=2026-03-02&to=2026-03-01')
    expect(backwards.status).toBe(400)
    expect(backwards.html).toContain('截止日期早于起始日期。')
    expect(backwards.html).toMatch(/aria-invalid="true"[^>]*name="to"/)
    const wildcard = await page('ip=10.%25')
    expect(wildcard.status).toBe(400)
    expect(wildcard.html).toContain('填写 IP 地址的开头，只能包含数字、字母 a–f、点和冒号。')
  })

  it('pages fifty at a time, newest first, to the end', async () => {
    await t.db
      .insertInto('audit_log')
      .values(Array.from({ length: 120 }, (_, i) => ({ at: new Date().toISOString(), actor_id: null, actor_username: 'system', action: 'test.paging', entity_type: 'test', entity_id: String(i), ip: null, detail: null })))
      .execute()
    const expected = (await allEntries()).filter((e) => e.action === 'test.paging').map((e) => e.id)
    const seen: number[][] = []
    let query: string | null = 'action=test.paging'
    for (let i = 0; query !== null && i < 5; i++) {
      const { status, html } = await page(query)
      expect(status).toBe(200)
      seen.push(idsIn(html))
      const next = nextLink(html)
      if (i > 0) expect(html).toMatch(/<a [^>]*href="[^"]*\?action=test.paging"[^>]*>第一页</)
      query = next ? next.slice(next.indexOf('?') + 1) : null
      if (query !== null) expect(query).toContain('action=test.paging')
    }
    expect(seen.map((s) => s.length)).toEqual([50, 50, 20])
    expect(seen.flat()).toEqual(expected)
  })
})

describe('the CSV export', () => {
  it('has the filtered rows, newest first, in China time', async () => {
    const response = await admin.get('/admin/audit.csv?actor=field.a')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('Content-Disposition')).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/)
    const { header, rows } = await csvRows(response)
    expect(header).toBe('序号,时间（北京时间）,操作人,操作,记录类型,记录编号,地址,详情')
    const expected = (await allEntries()).filter((e) => e.actor_username === 'field.a')
    expect(expected.length).toBeGreaterThan(0)
    expect(rows).toEqual(expected.map((e) => [e.id, new Date(Date.parse(e.at) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '), 'field.a', e.action, e.entity_type, e.entity_id ?? '', e.ip ?? '', e.detail ?? ''].join(',')))
  })

  it('neutralises a cell that would run as a formula', async () => {
    const response = await admin.get('/admin/audit.csv?ip=10.40.')
    const { rows } = await csvRows(response)
    expect(rows).toHaveLength(1)
    const cells = rows[0].split(',')
    expect(cells.slice(2, 5)).toEqual([`'${EVIL}`, 'sign_in.failed', 'user'])
    expect(cells.every((c) => !/^[=+\-@\t\r]/.test(c))).toBe(true)
  })

  it('writes every export to the log, with its filter, and the page shows it', async () => {
    const response = await admin.get('/admin/audit.csv?action=sign_in&from=2026-01-01')
    expect(response.status).toBe(200)
    await response.text()
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'audit.exported').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ actor_username: 'root', entity_type: 'audit_log', ip: '127.0.0.1' })
    expect(JSON.parse(entry.detail!)).toEqual({ format: 'csv', filter: { action: 'sign_in', from: '2026-01-01' } })
    expect(idsIn((await page('action=audit.exported')).html)[0]).toBe(entry.id)
  })

  it('refuses a bad filter with what is wrong and where, and exports nothing', async () => {
    const exports = (await allEntries()).filter((e) => e.action === 'audit.exported').length
    const response = await admin.get('/admin/audit.csv?to=2026-13-01')
    expect(response.status).toBe(400)
    expect(await response.text()).toBe('筛选条件有误：to: 日期格式应为 2026-12-01。')
    expect((await allEntries()).filter((e) => e.action === 'audit.exported').length).toBe(exports)
  })
})

describe('who may see the log', () => {
  it.each(['boss.a', 'field.a', 'analyst'])('refuses %s (manager, officer, hq) the page and the export', async (username) => {
    const { c } = await signInFrom(username, '10.50.0.1')
    expect((await c.get('/admin/audit')).status).toBe(403)
    expect((await c.get('/admin/audit.csv')).status).toBe(403)
  })

  it('sends a signed-out visitor to sign in, remembering where they were going', async () => {
    const anonymous = new Client(server.url)
    const response = await anonymous.get('/admin/audit?actor=root')
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Faudit%3Factor%3Droot')
    const csv = await anonymous.get('/admin/audit.csv')
    expect(csv.status).toBe(302)
    expect(csv.headers.get('Location')).toBe('/login?redirectTo=%2Fadmin%2Faudit.csv')
  })
})

describe('a listing audited once, addresses as written', () => {
  it('records a repeated read of the same data once within the window, and again when it changes or later', async () => {
    const reader = { id: fieldA, username: 'field.a', ip: '::ffff:10.30.0.7' }
    const entry = { action: 'personal-data.list-phones', entityType: 'user', entityId: fieldA, detail: { players: 3 } }
    const start = new Date()
    const count = async () =>
      (await t.db.selectFrom('audit_log').select('id').where('action', '=', 'personal-data.list-phones').where('actor_id', '=', fieldA).execute()).length
    const before = await count()
    // The list reloads five times (visits sent, a sync): one entry.
    for (let i = 0; i < 5; i++) await recordRepeatedRead(t.db, reader, entry, new Date(start.getTime() + i * 60_000))
    expect(await count()).toBe(before + 1)
    // Other phone numbers shown: recorded at once.
    expect(await recordRepeatedRead(t.db, reader, { ...entry, detail: { players: 4 } }, start)).toBe(true)
    expect(await count()).toBe(before + 2)
    // The same listing after the window: recorded again.
    expect(await recordRepeatedRead(t.db, reader, { ...entry, detail: { players: 4 } }, new Date(Date.now() + REPEATED_READ_WINDOW_MS + 60_000))).toBe(true)
    expect(await count()).toBe(before + 3)
    const stored = await t.db.selectFrom('audit_log').select('ip').where('action', '=', 'personal-data.list-phones').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(stored.ip).toBe('10.30.0.7')
  })

  it('shows actions, record types and details in words, and filters by choice', async () => {
    await recordAudit(t.db, { id: null, username: 'system', ip: '::ffff:10.9.9.9' }, { action: 'api-token.created', entityType: 'api_token', entityId: 77, detail: { name: 'bi', purpose: 'figures_read' } })
    const page = await admin.get('/admin/audit?action=api-token.created')
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('新建接口令牌')
    expect(html).toContain('接口令牌 #77')
    expect(html).toContain('10.9.9.9')
    expect(html).not.toContain('::ffff:')
    expect(html).toMatch(/<dt>名称<\/dt><dd>bi<\/dd>/)
    // The action and the record type are picked from lists, not typed.
    expect(html).toMatch(/<select[^>]*name="action"/)
    expect(html).toMatch(/<select[^>]*name="entityType"/)
    expect(html).toMatch(/<select[^>]*name="actor"/)
  })
})
