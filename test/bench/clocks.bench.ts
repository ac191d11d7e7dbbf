// The deadline ranking at province scale (issue 25: under 150 ms server time): 300 outlets,
// 2,000 officers, 120,000 clocked players, 50,000 of them with a clock still open, and 200,000
// referrals with their acceptance clocks (decision 0450), seeded straight into a fresh SQLite
// database with only what the ranking reads (org units, users, players' unit and officer,
// player_clocks, referrals).
// Baselines, in the same run: a bare grouped count over the same join, through better-sqlite3,
// and the ranking counted straight (the query before the sums). The sums are rebuilt an hour
// before the moment ranked, so the read also adds an hour of clocks fallen due.
import { scopeOf } from '../../app/domain/scope'
import { rankClocks, rankClocksStraight } from '../../app/services/clocks/clock-ranking.server'
import { rebuildClockSums } from '../../app/services/clocks/clock-sums.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import type { Benchmark } from './harness'

const OUTLETS = 300
const OFFICERS = 2_000
const PLAYERS = 120_000
const OPEN = 50_000
const REFERRALS = 200_000
const RUNS = 15
const DAY = 86_400_000
const NOW = Date.parse('2026-06-30T04:00:00Z')

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function time(fn: () => unknown, before: () => unknown = () => {}): Promise<number> {
  const runs: number[] = []
  await fn() // warm-up
  for (let i = 0; i < RUNS; i++) {
    await before()
    const started = performance.now()
    await fn()
    runs.push(performance.now() - started)
  }
  return median(runs)
}

export const benchmark: Benchmark = {
  name: 'clocks',
  async run({ log, rows }) {
    const players = Math.min(rows ?? PLAYERS, PLAYERS)
    const open = Math.round((players * OPEN) / PLAYERS)
    const referrals = Math.round((players * REFERRALS) / PLAYERS)
    let database: TestDatabase | undefined
    try {
      database = await createTestDatabase()
      const sqlite = database.sqlite!
      log(`seeding ${OUTLETS} outlets, ${OFFICERS} officers, ${players} clocked players (${open} open), ${referrals} referrals`)
      const stamp = new Date(NOW).toISOString()
      sqlite.exec('begin')
      sqlite.prepare(`insert into org_units (id, code, name, kind, path, depth, created_at) values (1, 'HQ', '总行', 'hq', '/1/', 0, ?)`).run(stamp)
      const unit = sqlite.prepare(`insert into org_units (id, code, name, kind, parent_id, path, depth, created_at) values (?, ?, ?, 'outlet', 1, ?, 1, ?)`)
      for (let o = 0; o < OUTLETS; o++) unit.run(o + 2, `O${o}`, `网点${o}`, `/1/${o + 2}/`, stamp)
      const user = sqlite.prepare(`insert into users (id, username, name, role, org_unit_id, password_hash, created_at, updated_at) values (?, ?, ?, 'officer', ?, 'x', ?, ?)`)
      for (let u = 0; u < OFFICERS; u++) user.run(u + 1, `officer${u + 1}`, `客户经理${u + 1}`, 2 + (u % OUTLETS), stamp, stamp)
      const player = sqlite.prepare(
        `insert into market_players (id, kind, name, name_initials, source, org_unit_id, assigned_officer_id, candidate_status, candidate_reasons, channel, channel_at, created_at, updated_at)
         values (?, 'enterprise', ?, 'x', 'other', ?, ?, 'candidate', '[]', ?, ?, ?, ?)`,
      )
      const clock = sqlite.prepare(
        `insert into player_clocks (player_id, channel, started_at, accept_due_at, contact_due_at, decide_due_at, accepted_at, contacted_at, decided_at, decision, amount_yuan, refusal_reason, next_due_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      const iso = (ms: number) => new Date(ms).toISOString()
      for (let p = 0; p < players; p++) {
        const officer = p % OFFICERS
        const channel = (['working_group', 'loan_qr', 'credit_platform'] as const)[p % 3]
        const started = NOW - (p % 180) * DAY - (p % 7) * 3_600_000
        player.run(p + 1, `企业${p}`, 2 + (officer % OUTLETS), officer + 1, channel, iso(started), stamp, stamp)
        const accept = channel === 'loan_qr' ? iso(started + DAY) : null
        const contact = channel === 'credit_platform' ? null : iso(started + (channel === 'loan_qr' ? 3 : 30) * DAY)
        const decide = iso(started + (channel === 'loan_qr' ? 7 : channel === 'credit_platform' ? 14 : 30) * DAY)
        const isOpen = p < open
        const met = (due: string | null, late: boolean) => (due === null ? null : iso(Date.parse(due) + (late ? DAY : -DAY / 2)))
        const late = p % 4 === 0
        const decision = isOpen ? null : p % 3 === 0 ? 'refused' : 'approved'
        clock.run(
          p + 1, channel, iso(started), accept, contact, decide,
          isOpen ? null : met(accept, late), isOpen ? null : met(contact, late), isOpen ? null : met(decide, late),
          decision, decision === 'approved' ? 100_000 : null, decision === 'refused' ? 'no_need' : null,
          isOpen ? [accept, contact, decide].filter((d): d is string => d !== null).sort()[0] : null,
        )
      }
      // Referrals over the same six months: a third accepted on time, a third late, the rest
      // waiting (the recent ones not due yet) or declined; a referral per player at most a few.
      const referral = sqlite.prepare(
        `insert into referrals (player_id, officer_id, org_unit_id, product_code, product_version, amount_yuan, credit, first_lender, verdict, stage, stage_at, referred_at, accept_due_at, accepted_at, escalations, created_at, updated_at)
         values (?, ?, ?, 'tax_credit', 1, 100000, 1, 1, '{}', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      for (let r = 0; r < referrals; r++) {
        const p = r % players
        const officer = p % OFFICERS
        const at = NOW - (r % 180) * DAY - (r % 11) * 3_600_000
        const due = at + 3 * DAY
        const acceptedMs = r % 3 === 0 ? at + DAY : r % 3 === 1 ? due + DAY : null
        const accepted = acceptedMs !== null && acceptedMs <= NOW ? iso(acceptedMs) : null
        const stage = accepted ? 'accepted' : r % 7 === 0 ? 'declined' : 'referred'
        const escalated = stage === 'referred' && due < NOW ? 1 : 0
        referral.run(p + 1, officer + 1, 2 + (officer % OUTLETS), stage, accepted ?? iso(at), iso(at), iso(due), accepted, escalated, stamp, stamp)
      }
      sqlite.exec('commit')
      sqlite.exec('analyze')
      const db = database.db
      const from = '2026-01-01'
      const to = '2026-06-30'
      const now = new Date(NOW)
      const bank = scopeOf({ id: 0, role: 'hq', orgPath: '/1/' })
      const manager = scopeOf({ id: 0, role: 'manager', orgPath: '/1/2/' })
      const raw = sqlite.prepare(
        `select market_players.org_unit_id, count(*), sum(case when player_clocks.contacted_at <= player_clocks.contact_due_at then 1 else 0 end)
         from player_clocks join market_players on market_players.id = player_clocks.player_id
         where player_clocks.started_at >= ? and player_clocks.started_at < ? group by market_players.org_unit_id`,
      )
      const rebuildStarted = performance.now()
      await rebuildClockSums(db, new Date(NOW - 3_600_000))
      const rebuildMs = performance.now() - rebuildStarted
      // A few groups changed since the rebuild, as between two rebuilds of a working day.
      sqlite.exec(`update player_clocks set contacted_at = '${new Date(NOW - 60_000).toISOString()}' where player_id in (select player_id from player_clocks where contacted_at is null and contact_due_at is not null limit 50)`)
      const asOf = sqlite.prepare('select as_of from clock_sums_state').pluck().get() as string
      const measures: [string, number][] = [
        ['baseline: raw grouped count (better-sqlite3)', await time(() => raw.all('2025-12-31T16:00:00.000Z', '2026-06-30T16:00:00.000Z'))],
        ['baseline: ranking counted straight, by outlet, whole bank', await time(() => rankClocksStraight(db, bank, { from, to, by: 'outlet', now }))],
        ['baseline: ranking counted straight, by officer, whole bank', await time(() => rankClocksStraight(db, bank, { from, to, by: 'officer', now }))],
        ['ranking by outlet, whole bank', await time(() => rankClocks(db, bank, { from, to, by: 'outlet', now }))],
        ['ranking by officer, whole bank', await time(() => rankClocks(db, bank, { from, to, by: 'officer', now }))],
        // Each app server reads the sums once per rebuild: as_of moved by a millisecond before each run, as a new rebuild would (put back after).
        ['ranking by officer, whole bank, first read after a rebuild', await time(() => rankClocks(db, bank, { from, to, by: 'officer', now }), () => sqlite.exec(`update clock_sums_state set as_of = strftime('%Y-%m-%dT%H:%M:%fZ', as_of, '+0.001 seconds')`))],
        ['ranking by officer, one outlet (manager)', await time(() => rankClocks(db, manager, { from, to, by: 'officer', now }))],
        ['daily ranking by officer, whole bank (one day, counted straight)', await time(() => rankClocks(db, bank, { from: to, to, by: 'officer', now }))],
        // What /clocks/ranking shows when first opened: the last 30 days (two part months).
        ['the page as opened (the last 30 days) by outlet, whole bank', await time(() => rankClocks(db, bank, { from: '2026-06-01', to, by: 'outlet', now }))],
        ['the page as opened (the last 30 days) by officer, whole bank', await time(() => rankClocks(db, bank, { from: '2026-06-01', to, by: 'officer', now }))],
        ['the last 30 days across two months (May 16 – June 14) by officer, whole bank', await time(() => rankClocks(db, bank, { from: '2026-05-16', to: '2026-06-14', by: 'officer', now }))],
      ]
      sqlite.prepare('update clock_sums_state set as_of = ?').run(asOf)
      const check = await rankClocks(db, bank, { from, to, by: 'outlet', now })
      if (check.length !== OUTLETS) throw new Error(`the ranking has ${check.length} outlets, not ${OUTLETS}`)
      const straight = await rankClocksStraight(db, bank, { from, to, by: 'outlet', now })
      if (JSON.stringify(check) !== JSON.stringify(straight)) throw new Error('the ranking from the sums differs from the one counted straight')
      return {
        title: `clocks: the deadline ranking over ${players.toLocaleString('en')} clocked players (${open.toLocaleString('en')} open) and ${referrals.toLocaleString('en')} referrals, ${OUTLETS} outlets, ${OFFICERS} officers, SQLite`,
        columns: [
          { label: 'measure', align: 'left' },
          { label: 'median ms', align: 'right' },
        ],
        rows: measures.map(([label, ms]) => [label, ms.toFixed(1)]),
        notes: [`median of ${RUNS} runs after a warm-up; target under 150 ms`, `sums rebuilt in ${rebuildMs.toFixed(0)} ms (background thread, every 10 minutes)`],
      }
    } finally {
      await database?.destroy()
    }
  },
}
