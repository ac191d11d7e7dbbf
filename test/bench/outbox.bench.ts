// Delivering 10,000 hand-offs at province scale through the outbox to the stand-in loan
// system while it fails one call in five (in turn a 500, a dropped connection, and a case
// taken whose answer is lost): all 10,000 must arrive, each exactly once as a case, with the
// time and the retries reported. Two workers deliver side by side, as two app servers would.
// Baseline, in the same run: the same 10,000 signed bodies posted straight to a stand-in
// that never fails, two at a time, no database.
import { scopeOf } from '../../app/domain/scope'
import { PLAIN_CLOCKS } from '../../app/domain/clocks'
import { startLoanSim, type LoanSim } from '../../app/services/loan-sim.server'
import { signBody, startOutboxWorker, type OutboxWorker } from '../../app/services/outbox.server'
import { handOffCase } from '../../app/services/referrals.server'
import type { TestDatabase } from '../support/test-db'
import type { Benchmark } from './harness'
import { openProvinceCopy } from './province'

const HAND_OFFS = 10_000
const FAIL_EVERY = 5
const SECRET = 'bench-secret'
const WORKERS = 2
const TIMEOUT_MS = 15 * 60_000

function quantile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

export const benchmark: Benchmark = {
  name: 'outbox',
  async run({ log, rows: rowsOption }) {
    const wanted = Math.min(rowsOption ?? HAND_OFFS, HAND_OFFS)
    let database: TestDatabase | undefined
    const sims: LoanSim[] = []
    const workers: OutboxWorker[] = []
    try {
      database = await openProvinceCopy(log)
      const { db } = database
      const sqlite = database.sqlite!
      // The seeded referrals' entries are delivered already; only the new ones travel.
      const cases = sqlite
        .prepare(
          `select id, assigned_officer_id as officerId, qualified_products as products from market_players
           where qualification = 'qualifies' and campaign_status not in ('referred', 'financed') and assigned_officer_id is not null
           order by id limit ?`,
        )
        .all(wanted) as { id: number; officerId: number; products: string }[]
      if (cases.length < wanted) throw new Error(`only ${cases.length} qualifying players not yet referred; ${wanted} needed`)

      // 1. The hand-offs: referral, first stage and outbox entry in one transaction each.
      const handOffMs: number[] = []
      const started = performance.now()
      for (const c of cases) {
        const t0 = performance.now()
        await handOffCase(
          db,
          { actor: { id: c.officerId, username: 'bench', ip: null }, scope: scopeOf({ id: 0, role: 'admin', orgPath: '/' }), clocks: PLAIN_CLOCKS },
          { playerId: c.id, productCode: c.products.split(',')[0], amountYuan: 10_000, termMonths: 12 },
        )
        handOffMs.push(performance.now() - t0)
      }
      const handOffSeconds = (performance.now() - started) / 1000
      handOffMs.sort((a, b) => a - b)
      log(`${cases.length.toLocaleString('en')} hand-offs in ${handOffSeconds.toFixed(1)} s (p95 ${quantile(handOffMs, 0.95).toFixed(2)} ms)`)
      const entries = sqlite.prepare(`select id, idempotency_key as key, payload from outbox where state = 'pending' order by id`).all() as { id: number; key: string; payload: string }[]
      if (entries.length !== cases.length) throw new Error(`${entries.length} pending outbox entries, ${cases.length} expected`)

      // 2. Baseline: the same bodies straight to a stand-in that never fails.
      const clean = await startLoanSim({ appUrl: 'http://127.0.0.1:9', token: 'unused', secret: SECRET, walk: false })
      sims.push(clean)
      let next = 0
      const rawStarted = performance.now()
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (next < entries.length) {
            const e = entries[next++]
            const response = await fetch(clean.url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': e.key, 'X-Wanqi-Signature': signBody(SECRET, e.payload) }, body: e.payload })
            if (response.status !== 201) throw new Error(`baseline: ${response.status}`)
            await response.text()
          }
        }),
      )
      const rawSeconds = (performance.now() - rawStarted) / 1000
      log(`baseline: ${entries.length.toLocaleString('en')} posts in ${rawSeconds.toFixed(1)} s`)

      // 3. Through the outbox, to a stand-in failing one call in five.
      const flaky = await startLoanSim({ appUrl: 'http://127.0.0.1:9', token: 'unused', secret: SECRET, walk: false, failEvery: FAIL_EVERY })
      sims.push(flaky)
      const deliverStarted = performance.now()
      for (let w = 0; w < WORKERS; w++) workers.push(startOutboxWorker(db, { url: flaky.url, secret: SECRET }, { intervalMs: 100, batch: 50, name: `bench-${w}` }))
      const pending = sqlite.prepare(`select count(*) from outbox where state = 'pending'`).pluck()
      for (;;) {
        const left = Number(pending.get())
        if (left === 0) break
        if (performance.now() - deliverStarted > TIMEOUT_MS) throw new Error(`${left} entries still pending after ${TIMEOUT_MS / 60_000} minutes`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
      const deliverSeconds = (performance.now() - deliverStarted) / 1000
      await Promise.all(workers.splice(0).map((w) => w.stop()))

      // 4. Exactly once: every key taken once as a case; every referral carries its case's reference.
      const outcome = sqlite
        .prepare(`select state, count(*) as n, sum(attempts) as attempts, max(attempts) as most from outbox where id >= ? group by state`)
        .all(entries[0].id) as { state: string; n: number; attempts: number; most: number }[]
      const delivered = outcome.find((o) => o.state === 'delivered')
      if (!delivered || delivered.n !== entries.length || outcome.length !== 1) throw new Error(`outbox ended as ${JSON.stringify(outcome)}`)
      const keys = new Set(entries.map((e) => e.key))
      const taken = [...flaky.received.keys()]
      if (taken.length !== entries.length || !taken.every((k) => keys.has(k))) throw new Error(`the stand-in took ${taken.length} cases for ${entries.length} entries`)
      const resends = [...flaky.received.values()].reduce((sum, r) => sum + r.copies - 1, 0)
      const mismatched = (sqlite.prepare(`select id, external_ref as ref from referrals where id >= (select min(referral_id) from outbox where id >= ?)`).all(entries[0].id) as { id: number; ref: string | null }[]).filter(
        (r) => flaky.received.get(`referral-${r.id}`)?.externalRef !== r.ref,
      )
      if (mismatched.length > 0) throw new Error(`${mismatched.length} referrals do not carry the reference the stand-in gave them`)
      const retries = delivered.attempts - delivered.n
      log(`delivered ${delivered.n.toLocaleString('en')} in ${deliverSeconds.toFixed(1)} s; ${retries} retries; ${resends} resends recognised as the same case`)

      const count = (n: number) => n.toLocaleString('en')
      return {
        title: `Outbox: ${count(entries.length)} hand-offs to a stand-in failing one call in ${FAIL_EVERY}, ${WORKERS} workers`,
        columns: [
          { label: 'measure', align: 'left' },
          { label: 'value', align: 'right' },
        ],
        rows: [
          ['hand-offs written (referral + stage + outbox, one transaction each)', `${handOffSeconds.toFixed(1)} s (p95 ${quantile(handOffMs, 0.95).toFixed(2)} ms)`],
          ['delivered through the outbox', `${deliverSeconds.toFixed(1)} s`],
          ['baseline: same bodies posted straight, never failing', `${rawSeconds.toFixed(1)} s`],
          ['outbox ÷ baseline', `${(deliverSeconds / rawSeconds).toFixed(1)}×`],
          ['arrived at the stand-in as cases', `${count(taken.length)} of ${count(entries.length)} (exactly once each)`],
          ['retries (failed calls sent again)', `${count(retries)} (most for one entry: ${delivered.most - 1})`],
          ['resends after a lost answer, taken as the same case', count(resends)],
          ['referrals carrying the stand-in reference', `${count(entries.length - mismatched.length)} of ${count(entries.length)}`],
        ],
        notes: ['Failures in turn: a 500, a dropped connection, a case taken whose answer is lost. Backoff: 1 s, doubling.'],
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
      await Promise.all(sims.map((s) => s.stop()))
      await database?.destroy()
    }
  },
}
