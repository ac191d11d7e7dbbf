// A process limited to the loan QR page (SERVE_ONLY=loan-qr, decision 0891), run as deployed
// (its own process, beside nothing) on a database set up by the officers' server: it answers the
// page, its form, the page's language switch and the probes, and nothing else; its
// threads run below the officers' server's; on a database not set up it refuses to start. A
// lead sent to it lands in the officer's list as from the one-process server. Behind the
// README's nginx example (docs/nginx.example.conf), /q/ reaches it and nothing else does.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LOAN_QR_CONSENT_VERSION } from '../../app/domain/loan-qr'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { issueLoanQrCode } from '../../app/services/loan-qr/issue-loan-qr-code.server'
import { solveLoanQrChallenge } from '../../app/services/loan-qr/loan-qr-challenge.server'
import { addUser, buildOrg } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { startNginx } from '../support/nginx'
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process'
import { createTestDatabase, type TestDatabase } from '../support/test-db'

let t: TestDatabase
let server: ServerProcess
let token: string
let officerId: number
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-serve-only-'))

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  officerId = await addUser(t.db, 'only-officer', 'officer', org.outletA1.id)
  token = (await issueLoanQrCode(t.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId })).token
  server = await startServerProcess({ databaseUrl: t.url, port: await freePort(), dir, env: { SERVE_ONLY: 'loan-qr', LOG_LEVEL: 'debug' } })
})

afterAll(async () => {
  await server?.stop()
  await t?.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('a process serving only the loan QR page', () => {
  it('answers the page and its form: the lead lands in the officer\'s list', async () => {
    const page = await fetch(`${server.url}/q/${token}`)
    expect(page.status).toBe(200)
    const challenge = /name="challenge" value="([^"]+)"/.exec(await page.text())?.[1]
    expect(challenge).toBeDefined()
    const uscc = makeUscc(880_001)
    const body = new URLSearchParams({ kind: 'enterprise', name: '单独进程企业', uscc, contactName: '周八', phone: '13912345678', amountWan: '30', purpose: '进货', consent: LOAN_QR_CONSENT_VERSION, challenge: challenge!, nonce: solveLoanQrChallenge(challenge!) })
    const sent = await fetch(`${server.url}/q/${token}`, { method: 'POST', body, redirect: 'manual', headers: { Origin: server.url } })
    expect(sent.status).toBe(303)
    const player = await t.db.selectFrom('market_players').select(['name', 'channel', 'assigned_officer_id']).where('uscc', '=', uscc).executeTakeFirstOrThrow()
    expect(player).toEqual({ name: '单独进程企业', channel: 'loan_qr', assigned_officer_id: officerId })
  })

  it('switches the page\'s language and answers the probes', async () => {
    const lang = await fetch(`${server.url}/lang`, { method: 'POST', body: new URLSearchParams({ locale: 'en', redirectTo: `/q/${token}` }), redirect: 'manual', headers: { Origin: server.url } })
    expect(lang.status).toBe(302)
    expect(lang.headers.get('location')).toBe(`/q/${token}`)
    const english = await fetch(`${server.url}/q/${token}`, { headers: { Cookie: lang.headers.get('set-cookie')!.split(';')[0]! } })
    expect(await english.text()).toContain('<html lang="en"')
    expect((await fetch(`${server.url}/livez`)).status).toBe(200)
    expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({ ok: true })
  })

  it('answers nothing else: not the sign-in, the app, the API or its files', async () => {
    for (const [method, url] of [['GET', '/'], ['GET', '/login'], ['POST', '/login'], ['GET', '/my'], ['GET', '/players'], ['GET', '/api/v1/figures'], ['GET', '/sw.js'], ['GET', '/build/manifest.js'], ['GET', '/lang'], ['GET', `/loan-qr`]] as const) {
      const response = await fetch(`${server.url}${url}`, { method, redirect: 'manual', headers: { Origin: server.url }, ...(method === 'POST' ? { body: new URLSearchParams({ username: 'only-officer', password: 'x' }) } : {}) })
      expect({ method, url, status: response.status }).toEqual({ method, url, status: 404 })
    }
  })

  it('runs every thread below the priority it was started with', () => {
    const nice = (tid: string) => Number(fs.readFileSync(`/proc/${server.pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16])
    const tids = fs.readdirSync(`/proc/${server.pid}/task`)
    expect(tids.length).toBeGreaterThan(1)
    expect(tids.map(nice).filter((n) => n < os.getPriority() + 10)).toEqual([])
  })

  it('behind the README\'s nginx example: /q/ goes to it, everything else to the officers\' server', async () => {
    const officers = await startServerProcess({ databaseUrl: t.url, port: await freePort(), dir: path.join(dir, 'officers'), env: { LOG_LEVEL: 'debug' } })
    const nginx = await startNginx([Number(new URL(officers.url).port)], path.join(dir, 'nginx'), { loanQr: [Number(new URL(server.url).port)] })
    try {
      const via = async (url: string, requestId: string) => {
        const response = await fetch(`${nginx.url}${url}`, { redirect: 'manual', headers: { 'X-Request-Id': requestId } })
        await response.arrayBuffer()
        return response.status
      }
      expect(await via(`/q/${token}`, 'through-nginx-q')).toBe(200)
      expect(await via('/login', 'through-nginx-login')).toBe(200)
      await vi.waitFor(() => {
        expect(server.output()).toContain('through-nginx-q')
        expect(officers.output()).toContain('through-nginx-login')
      })
      expect(server.output()).not.toContain('through-nginx-login')
      expect(officers.output()).not.toContain('through-nginx-q')
    } finally {
      await nginx.stop()
      await officers.stop()
    }
  })

  it('refuses to start on a database the officers\' server has not set up', async () => {
    const empty = await createTestDatabase({ migrate: false })
    try {
      const started = startServerProcess({ databaseUrl: empty.url, port: await freePort(), dir: path.join(dir, 'empty'), env: { SERVE_ONLY: 'loan-qr' } })
      await expect(started).rejects.toThrow(/exited early \(code 1[\s\S]*not set up for this version/)
    } finally {
      await empty.destroy()
    }
  })
})
