// The loan QR code's public page under abuse beside the officers' pages: an officer's list
// (GET /my.data) probed one request at a time, first alone (the baseline), then while 100
// QR submissions a second arrive (open loop: sent on the clock, not after the last answer),
// half accepted, the rest refused (no proof of work, or over a phone's limit). Also the
// page's weight. Same server and seeded demo county, same run. `npm run bench -- qr`.
import { setTimeout as sleep } from 'node:timers/promises'
import { DEMO_PASSWORD, seedDatabase } from '../../db/seed/index'
import { LOAN_QR_CONSENT_VERSION } from '../../app/domain/loan-qr'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { issueLoanQrCode } from '../../app/services/loan-qr/issue-loan-qr-code.server'
import { solveLoanQrChallenge } from '../../app/services/loan-qr/loan-qr-challenge.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'
import { ensureBuild, type Benchmark } from './harness'
import { makeUscc } from '../support/lists'

const RATE = 100

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (at - lo)
}

const ms = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return [quantile(sorted, 0.5).toFixed(1), quantile(sorted, 0.99).toFixed(1)]
}

/** GET /my.data one at a time until `until`; each answer's time. */
async function probe(officer: Client, until: number): Promise<number[]> {
  const times: number[] = []
  while (Date.now() < until) {
    const started = performance.now()
    const response = await officer.get('/my.data')
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`/my.data answered ${response.status}`)
    times.push(performance.now() - started)
  }
  return times
}

export const benchmark: Benchmark = {
  name: 'qr',
  async run({ durationSeconds, log }) {
    ensureBuild(log)
    let database: TestDatabase | undefined
    let server: TestServer | undefined
    try {
      database = await createTestDatabase()
      log(`seeding the demo county (${database.dialect})`)
      await seedDatabase(database.db, { scale: 'county', seed: 1, pii: createPersonalDataCipher(TEST_DATA_KEY) })
      server = await startTestServer(database, { trustProxy: true })
      const base = server.url
      const officerRow = await database.db.selectFrom('users').select('id').where('username', '=', 'officer').executeTakeFirstOrThrow()
      const { token } = await issueLoanQrCode(database.db, SYSTEM_ACTOR, { kind: 'all' }, { orgUnitId: null, officerId: officerRow.id })
      const officer = new Client(base)
      if ((await officer.signIn('officer', DEMO_PASSWORD)).status !== 302) throw new Error('the officer could not sign in')

      const page = await fetch(`${base}/q/${token}`)
      const pageBytes = Buffer.byteLength(await page.text())

      // Every submission ready before the clock starts: challenges fetched and solved.
      const total = RATE * durationSeconds
      log(`solving ${total} challenges`)
      const submissions: { body: URLSearchParams; ip: string; expect: number }[] = []
      for (let i = 0; i < total; i++) {
        const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
        const html = await (await fetch(`${base}/q/${token}`, { headers: { 'X-Forwarded-For': ip } })).text()
        const challenge = /name="challenge" value="([^"]+)"/.exec(html)![1]!
        // Half accepted; a quarter without proof of work; a quarter on one phone, over its limit after three.
        const kind = i % 4
        const nonce = kind === 2 ? '0' : solveLoanQrChallenge(challenge)
        const phone = kind === 3 ? '13900000000' : `139${String(10_000_000 + i).slice(-8)}`
        const body = new URLSearchParams({ kind: 'enterprise', name: `压测企业${i}`, uscc: makeUscc(500_000 + i), contactName: '压测', phone, amountWan: '10', purpose: '周转', consent: LOAN_QR_CONSENT_VERSION, challenge, nonce })
        submissions.push({ body, ip, expect: kind === 2 ? 400 : kind === 3 && i >= 16 ? 429 : 303 })
      }

      log(`/my.data alone: ${durationSeconds} s`)
      const alone = await probe(officer, Date.now() + durationSeconds * 1000)

      log(`/my.data beside ${RATE} submissions a second: ${durationSeconds} s`)
      const started = Date.now()
      const submitTimes: number[] = []
      const statuses = new Map<number, number>()
      const sent: Promise<void>[] = []
      const loaded = probe(officer, started + durationSeconds * 1000)
      for (let i = 0; i < total; i++) {
        const due = started + (i * 1000) / RATE
        if (due > Date.now()) await sleep(due - Date.now())
        const s = submissions[i]!
        const t0 = performance.now()
        sent.push(
          fetch(`${base}/q/${token}`, { method: 'POST', body: s.body, redirect: 'manual', headers: { Origin: base, 'X-Forwarded-For': s.ip } }).then(async (r) => {
            await r.arrayBuffer()
            submitTimes.push(performance.now() - t0)
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
          }),
        )
      }
      await Promise.all(sent)
      const elapsed = (Date.now() - started) / 1000
      const beside = await loaded
      const unexpected = [...statuses.keys()].filter((s) => ![303, 400, 429].includes(s))
      if (unexpected.length) throw new Error(`submissions answered ${unexpected.join(', ')}`)

      const [aloneP50, aloneP99] = ms(alone)
      const [besideP50, besideP99] = ms(beside)
      const [subP50, subP99] = ms(submitTimes)
      return {
        title: `qr: the loan QR page's submissions beside an officer's list (${database.dialect}, seeded demo county), ${durationSeconds} s each`,
        columns: [
          { label: 'measure', align: 'left' },
          { label: 'requests', align: 'right' },
          { label: 'p50 ms', align: 'right' },
          { label: 'p99 ms', align: 'right' },
        ],
        rows: [
          ['GET /my.data alone (baseline)', String(alone.length), aloneP50, aloneP99],
          [`GET /my.data beside ${RATE} submissions/s`, String(beside.length), besideP50, besideP99],
          [`POST /q/<token> at ${(total / elapsed).toFixed(0)}/s`, String(total), subP50, subP99],
        ],
        notes: [
          `submissions answered: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')} (303 accepted, 400 no proof of work, 429 over a phone's limit)`,
          `the public page weighs ${pageBytes.toLocaleString('en-US')} bytes (limit 51,200), with no script or style file to fetch`,
        ],
      }
    } finally {
      await server?.close()
      await database?.destroy()
    }
  },
}
