// The defences every request meets, over real HTTP against the built app: the security
// headers and the content security policy (the page's scripts carry its nonce, nothing else
// may run), requests that change data refused from another origin, the API's rate limit
// with Retry-After, a new session at every sign-in, and an admin ending a user's sessions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, startTestServer, type TestServer } from '../support/test-server'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'

let t: TestDatabase
let server: TestServer
let officerId: number

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  await addUser(t.db, 'root', 'admin', org.hq.id)
  officerId = await addUser(t.db, 'field.a', 'officer', org.outletA1.id)
  server = await startTestServer(t)
})
afterAll(async () => {
  await server.close()
  await t.destroy()
})

const signedIn = async (username: string) => {
  const client = new Client(server.url)
  expect((await client.signIn(username, PASSWORD)).status).toBe(302)
  return client
}

describe('security headers', () => {
  it('every page carries a policy whose nonce is on each of its scripts, and no other script', async () => {
    const client = await signedIn('root')
    for (const path of ['/login', '/', '/admin/users', '/players']) {
      const response = await (path === '/login' ? new Client(server.url) : client).get(path)
      expect(response.status, path).toBe(200)
      const policy = response.headers.get('Content-Security-Policy') ?? ''
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1]
      expect(nonce, `${path}: a nonce in the policy`).toBeDefined()
      expect(policy).toContain("frame-ancestors 'none'")
      expect(policy).toContain("object-src 'none'")
      expect(policy).toContain("form-action 'self'")
      // Tiles are off in tests: images from this origin (and data:/blob:) only.
      expect(policy).toMatch(/img-src 'self' data: blob:(;|$)/)
      const html = await response.text()
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1])
      expect(scripts.length, path).toBeGreaterThan(0)
      for (const attributes of scripts) {
        // Inline or not, each script the page writes carries this response's nonce.
        expect(attributes, `${path}: <script${attributes}>`).toContain(`nonce="${nonce}"`)
      }
      expect(response.headers.get('X-Frame-Options')).toBe('DENY')
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
      expect(response.headers.get('Referrer-Policy')).toBe('same-origin')
      // Plain HTTP here: no HSTS (a browser would refuse the site over HTTP for a year).
      expect(response.headers.get('Strict-Transport-Security')).toBeNull()
    }
    // A new nonce each time.
    const nonces = await Promise.all([1, 2].map(async () => (await client.get('/')).headers.get('Content-Security-Policy')))
    expect(nonces[0]).not.toBe(nonces[1])
  })

  it('allows the configured tile host and nothing else; HSTS behind a proxy that says HTTPS', async () => {
    const proxied = await startTestServer(t, { mapTiles: 'osm', trustProxy: true })
    try {
      const response = await fetch(`${proxied.url}/login`, { headers: { 'X-Forwarded-Proto': 'https' } })
      expect(response.headers.get('Content-Security-Policy')).toMatch(/img-src 'self' data: blob: https:\/\/tile\.openstreetmap\.org(;|$)/)
      expect(response.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains')
    } finally {
      await proxied.close()
    }
  })
})

describe('requests from another origin', () => {
  it('refuses a change sent from another site, with the session cookie, and changes nothing', async () => {
    const admin = await signedIn('root')
    const before = await t.db.selectFrom('users').select('active').where('id', '=', officerId).executeTakeFirstOrThrow()
    const forged = (headers: Record<string, string>) =>
      admin.request(`/admin/users/${officerId}`, { method: 'POST', headers, body: new URLSearchParams({ intent: 'deactivate' }) })
    const attempts: Record<string, string>[] = [{ Origin: 'https://evil.example' }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site' }]
    for (const headers of attempts) {
      const response = await forged(headers)
      expect(response.status, JSON.stringify(headers)).toBe(403)
      expect(await response.text()).toBe('cross-origin request refused')
    }
    expect(await t.db.selectFrom('users').select('active').where('id', '=', officerId).executeTakeFirstOrThrow()).toEqual(before)
    // A page of its own origin may: the form on the admin page.
    const same = await admin.request('/admin/users/999999', { method: 'POST', headers: { Origin: server.url, 'Sec-Fetch-Site': 'same-origin' }, body: new URLSearchParams({ intent: 'deactivate' }) })
    expect(same.status).toBe(404)
    // Reading from another origin is not refused (links from elsewhere work).
    expect((await admin.request('/', { headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(200)
  })

  it('sets the session cookie HttpOnly and SameSite=Lax, and a new session at every sign-in', async () => {
    const response = await new Client(server.url).signIn('field.a', PASSWORD)
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('wanqi_session='))!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    // A session cookie planted before sign-in (fixation) is not the one signed in.
    const planted = new Client(server.url)
    await planted.signIn('field.a', PASSWORD)
    const first = planted.cookie('wanqi_session')
    await planted.signIn('field.a', PASSWORD)
    expect(planted.cookie('wanqi_session')).not.toBe(first)
  })
})

describe('rate limits', () => {
  it('answers the API 429 with Retry-After past the limit, for that caller only', async () => {
    const limited = await startTestServer(t, { apiRateLimit: 5 })
    try {
      const client = new Client(limited.url)
      await client.signIn('field.a', PASSWORD)
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) statuses.push((await client.get('/api/v1/coverage')).status)
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
      const refused = await client.get('/api/v1/coverage')
      expect(refused.status).toBe(429)
      const retryAfter = Number(refused.headers.get('Retry-After'))
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(retryAfter).toBeLessThanOrEqual(60)
      expect(await refused.json()).toMatchObject({ error: 'rate_limited' })
      // Another caller has a window of its own; the pages are not the API's to limit.
      const other = new Client(limited.url)
      await other.signIn('root', PASSWORD)
      expect((await other.get('/api/v1/coverage')).status).toBe(200)
      expect((await client.get('/players')).status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})

describe('ending sessions', () => {
  it("an admin ends a user's sessions: every browser of theirs is signed out at its next request; audited", async () => {
    const phone = await signedIn('field.a')
    const laptop = await signedIn('field.a')
    const admin = await signedIn('root')
    const page = await (await admin.get(`/admin/users/${officerId}`)).text()
    expect(page).toMatch(/data-testid="sessions">[^<]*[2-9]/)
    const ended = await admin.post(`/admin/users/${officerId}`, { intent: 'end_sessions' })
    expect(ended.status).toBe(200)
    for (const browser of [phone, laptop]) {
      const response = await browser.get('/players')
      expect(response.status).toBe(302)
      expect(response.headers.get('Location')).toMatch(/^\/login/)
    }
    // The admin's own session is untouched.
    expect((await admin.get('/admin/users')).status).toBe(200)
    const entry = await t.db.selectFrom('audit_log').select(['actor_username', 'detail']).where('action', '=', 'user.end_sessions').where('entity_id', '=', String(officerId)).executeTakeFirstOrThrow()
    expect(entry.actor_username).toBe('root')
    expect(JSON.parse(entry.detail!).sessions).toBeGreaterThanOrEqual(2)
  })
})
