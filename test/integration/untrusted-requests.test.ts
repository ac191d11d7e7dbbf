// What the server does with requests an attacker or a careless client sends, over real HTTP:
// bodies bounded before they are read (413 from Content-Length, a cut-off when no length
// is sent, nothing of the input echoed), bodies of the wrong kind refused (415, never 500),
// media types matched exactly, redirects only to this site's own paths, cookie-carrying
// changes that do not say where they come from refused, the unmasking export a POST,
// uploads readable only by the server, and ordinary 4xx answers logged below error level.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setLogLevel } from '../../app/server/logger.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, startTestServer, type TestServer } from '../support/test-server'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'

let t: TestDatabase
let server: TestServer
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-untrusted-'))

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  await addUser(t.db, 'boss.a', 'manager', org.outletA1.id)
  await addUser(t.db, 'field.a', 'officer', org.outletA1.id)
  server = await startTestServer(t, { uploadDir })
})
afterAll(async () => {
  await server.close()
  await t.destroy()
  fs.rmSync(uploadDir, { recursive: true, force: true })
})

const signedIn = async (username: string) => {
  const client = new Client(server.url)
  expect((await client.signIn(username, PASSWORD)).status).toBe(302)
  return client
}

/**
 * A POST written by hand: the headers as given (a Content-Length that may lie), then the
 * chunks; resolves with the answer as soon as it comes, whether or not the body was taken.
 */
function rawPost(pathname: string, headers: Record<string, string | number>, chunks: Buffer[], end = true): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(server.url + pathname, { method: 'POST', headers }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => {
        resolve({ status: res.statusCode!, body: Buffer.concat(parts).toString('utf8'), headers: res.headers })
        req.destroy()
      })
    })
    // The server may close before taking what is still being written: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : reject(error)))
    for (const chunk of chunks) req.write(chunk)
    if (end) req.end()
  })
}

describe('body limits', () => {
  it('refuses a sign-in that says it is 50 MB from its Content-Length, before the body is sent, echoing nothing', async () => {
    const start = Buffer.from('username=' + 'x'.repeat(1000))
    // Only the first kilobyte is ever sent: an answer proves the server did not wait for the rest.
    const answer = await rawPost('/login', { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': 50 * 1024 * 1024 }, [start], false)
    expect(answer.status).toBe(413)
    expect(answer.body.length).toBeLessThan(200)
    expect(answer.body).not.toContain('xxxx')
    expect(answer.headers.connection).toBe('close')
  })

  it('cuts off a sign-in sent without a length once it passes the limit', async () => {
    const chunks = Array.from({ length: 20 }, () => Buffer.from('x'.repeat(10_000)))
    const answer = await rawPost('/login', { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' }, [Buffer.from('username='), ...chunks])
    expect(answer.status).toBe(413)
    expect(answer.body).not.toContain('xxxx')
  })

  it('bounds a form (64 KB) and JSON (1 MB), and takes what fits', async () => {
    const manager = await signedIn('boss.a')
    const big = await manager.request('/players/new', { method: 'POST', body: new URLSearchParams({ name: 'x'.repeat(70 * 1024) }) })
    expect(big.status).toBe(413)
    const officer = await signedIn('field.a')
    const json = await officer.request('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ note: 'x'.repeat(1_100_000) }) })
    expect(json.status).toBe(413)
    // Under the limits the routes answer as before: the visit is judged on its fields.
    const small = await officer.request('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ note: 'x' }) })
    expect(small.status).toBe(400)
  })

  it('refuses an upload larger than the limit from its Content-Length, before reading it', async () => {
    const manager = await signedIn('boss.a')
    const answer = await rawPost(
      '/imports?index',
      { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': 300 * 1024 * 1024, Cookie: `wanqi_session=${manager.cookie('wanqi_session')}`, Origin: server.url },
      [Buffer.from('--x\r\n')],
      false,
    )
    expect(answer.status).toBe(413)
    expect(fs.readdirSync(uploadDir).filter((f) => f.endsWith('.upload'))).toEqual([])
  })
})

describe('media types', () => {
  it('answers a sign-in sent as text/plain, JSON or multipart 4xx, never 500', async () => {
    const client = new Client(server.url)
    const plain = await client.request('/login', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'username=a&password=b' })
    expect(plain.status).toBe(415)
    const json = await client.request('/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    expect(json.status).toBe(415)
    const form = new FormData()
    form.set('username', 'boss.a')
    form.set('password', PASSWORD)
    expect((await client.request('/login', { method: 'POST', body: form })).status).toBe(415)
    // A broken multipart body where one is taken is the client's fault too.
    const manager = await signedIn('boss.a')
    const broken = await manager.request('/imports?index', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data' }, body: 'not multipart' })
    expect(broken.status).toBe(400)
  })

  it('takes application/json exactly: application/jsonx and text/json are refused', async () => {
    const officer = await signedIn('field.a')
    for (const type of ['application/jsonx', 'text/json', 'application/json-patch+json']) {
      const response = await officer.request('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': type }, body: '{}' })
      expect(response.status, type).toBe(415)
    }
    const withCharset = await officer.request('/api/v1/visits', { method: 'POST', headers: { 'Content-Type': 'Application/JSON; charset=utf-8' }, body: '{}' })
    expect(withCharset.status).toBe(400)
  })
})

describe('redirects', () => {
  const foreign = [
    '/\t/evil.example/phish',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example/',
    '/\r\nSet-Cookie: x=1',
    '/\u3000/evil.example',
    '/%0d%0aX: 1'.replace(/%0d%0a/, '\r\n'),
    'javascript:alert(1)',
    '/\u0000/evil.example',
  ]

  it('sends a signed-in visitor of /login only to a path of this site, whatever redirectTo says, never 500', async () => {
    const manager = await signedIn('boss.a')
    for (const target of foreign) {
      const response = await manager.get(`/login?redirectTo=${encodeURIComponent(target)}`)
      expect(response.status, JSON.stringify(target)).toBe(302)
      expect(response.headers.get('Location'), JSON.stringify(target)).toBe('/')
    }
    const own = await manager.get(`/login?redirectTo=${encodeURIComponent('/players?q=a#top')}`)
    expect(own.headers.get('Location')).toBe('/players?q=a#top')
  })

  it('after signing in, and after switching the language, likewise', async () => {
    for (const target of foreign) {
      const client = new Client(server.url)
      const response = await client.post('/login', { username: 'boss.a', password: PASSWORD, redirectTo: target })
      expect(response.status, JSON.stringify(target)).toBe(302)
      expect(response.headers.get('Location'), JSON.stringify(target)).toBe('/')
      const lang = await client.post('/lang', { lang: 'en', redirectTo: target })
      expect(lang.headers.get('Location'), JSON.stringify(target)).toBe('/')
    }
    const client = new Client(server.url)
    const response = await client.post('/login', { username: 'boss.a', password: PASSWORD, redirectTo: '/dashboard?period=year' })
    expect(response.headers.get('Location')).toBe('/dashboard?period=year')
  })
})

describe('where a change comes from', () => {
  it('refuses a cookie-carrying POST that names neither Origin nor Sec-Fetch-Site; a bearer token or no cookie is let through', async () => {
    const manager = await signedIn('boss.a')
    const cookie = `wanqi_session=${manager.cookie('wanqi_session')}`
    const bare = await fetch(`${server.url}/logout`, { method: 'POST', headers: { Cookie: cookie }, redirect: 'manual' })
    expect(bare.status).toBe(403)
    // Still signed in: the sign-out was refused.
    expect((await manager.get('/')).status).toBe(200)
    const viaSite = await fetch(`${server.url}/players/new`, { method: 'POST', headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' })
    expect(viaSite.status).toBe(400)
    // The loan system: a bearer token, no cookie, no Origin.
    const token = await fetch(`${server.url}/api/v1/referrals/1/events`, { method: 'POST', headers: { Authorization: 'Bearer nope', 'Content-Type': 'application/json' }, body: '{}' })
    expect(token.status).toBe(401)
    // A script signing in carries no cookie yet.
    const script = await fetch(`${server.url}/login`, { method: 'POST', body: new URLSearchParams({ username: 'boss.a', password: PASSWORD }), redirect: 'manual' })
    expect(script.status).toBe(302)
  })

  it('exports unmasked only from a POST: GET …/export?unmask=1 stays masked', async () => {
    const manager = await signedIn('boss.a')
    await manager.get('/dashboard/export?format=csv&unmask=1')
    const viaGet = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'figures.exported').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(JSON.parse(viaGet.detail!)).toMatchObject({ unmasked: false })
    const viaPost = await manager.post('/dashboard/export?format=csv', { unmask: '1' })
    expect(viaPost.status).toBe(200)
    const audit = await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'figures.exported').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(JSON.parse(audit.detail!)).toMatchObject({ unmasked: true })
    // The dashboard offers it as a form with a button, not a link.
    const page = await (await manager.get('/dashboard')).text()
    expect(page).not.toContain('unmask=1')
    expect(page).toMatch(/<form[^>]*method="post"[^>]*action="\/dashboard\/export\?[^"]*format=xlsx/)
  })
})

describe('uploads', () => {
  it('are written readable by the server alone (0600, in a 0700 folder)', async () => {
    const manager = await signedIn('boss.a')
    const form = new FormData()
    form.set('source', 'market')
    form.set('file', new Blob(['名称,统一社会信用代码\n甲,\n'], { type: 'text/csv' }), 'list.csv')
    const response = await manager.request('/imports?index', { method: 'POST', body: form })
    expect(response.status).toBe(302)
    const job = await t.db.selectFrom('import_jobs').select('file_path').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(fs.statSync(job.file_path).mode & 0o777).toBe(0o600)
    expect(fs.statSync(uploadDir).mode & 0o077).toBe(0)
  })
})

describe('the log', () => {
  it('writes ordinary 4xx answers below error level', async () => {
    const lines: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(...String(chunk).split('\n').filter(Boolean)), true)) as typeof process.stderr.write
    setLogLevel('debug')
    try {
      const officer = await signedIn('field.a')
      expect((await officer.get('/no-such-page')).status).toBe(404)
      expect((await officer.get('/admin/users')).status).toBe(403)
      expect((await officer.get('/players/999999')).status).toBe(404)
      expect((await officer.request('/players/1', { method: 'POST', headers: { Origin: 'https://evil.example' } })).status).toBe(403)
      expect((await officer.request('/login', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' })).status).toBe(415)
    } finally {
      setLogLevel('error')
      process.stderr.write = write
    }
    const levels = lines.map((line) => JSON.parse(line) as { level: string; message: string })
    expect(levels.length).toBeGreaterThan(0)
    expect(levels.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([])
  })
})
