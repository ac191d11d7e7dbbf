// Sums up a lock trace (db/lock-trace.server.ts, WANQI_LOCK_TRACE=<file>): per phase of the
// bench that marked it, the waits for SQLite's write lock and for the server's connection,
// each put down to the holds that overlapped it (who held: thread, first write statement,
// how long, how much of it on a core). `npx tsx test/bench/lock-trace.ts <file>` prints it.
import fs from 'node:fs'
import { pathToFileURL } from 'node:url'

interface Line {
  kind: 'wait' | 'hold' | 'turn-wait' | 'turn-hold' | 'checkpoint' | 'mark'
  thread?: string
  start: number
  end: number
  at?: number
  phase?: string
  waitedMs?: number
  heldMs?: number
  cpuMs?: number
  runQueueMs?: number
  statements?: number
  first?: string | null
  statement?: string
  background?: boolean
  waitedOn?: boolean
}

/** `insert into "audit_log" …` → `insert audit_log`. */
export function statementKind(sql: string | null | undefined): string {
  if (!sql) return '(none)'
  const m = /^\s*(insert(?: or \w+)? into|replace into|update|delete from|select .*? from|with)\s+"?([\w]+)"?/i.exec(sql)
  if (!m) return sql.slice(0, 30)
  const verb = m[1]!.toLowerCase().split(' ')[0]
  return `${verb} ${m[2]}`
}

const pct = (values: number[], q: number) => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** The summary's lines, one block per phase. */
export function summarizeLockTrace(file: string): string[] {
  if (!fs.existsSync(file)) return [`lock trace: no file ${file}`]
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line)
  const marks = lines.filter((l) => l.kind === 'mark').sort((a, b) => a.at! - b.at!)
  const phaseOf = (t: number) => {
    let name = '(before the first mark)'
    for (const m of marks) if (m.at! <= t) name = m.phase!
    return name
  }
  const holds = lines.filter((l) => l.kind === 'hold' || l.kind === 'checkpoint')
  const turnHolds = lines.filter((l) => l.kind === 'turn-hold')
  const out: string[] = []
  const phases = [...new Set(lines.filter((l) => l.kind !== 'mark').map((l) => phaseOf(l.start)))]
  for (const phase of phases) {
    const inPhase = (l: Line) => l.kind !== 'mark' && phaseOf(l.start) === phase
    const waits = lines.filter((l) => l.kind === 'wait' && inPhase(l))
    const turnWaits = lines.filter((l) => l.kind === 'turn-wait' && inPhase(l) && l.thread === 'serving')
    const phaseHolds = holds.filter(inPhase)
    out.push(`lock trace, ${phase}:`)
    for (const [label, list] of [
      ['the serving connection', waits.filter((w) => !w.background)],
      ['background connections', waits.filter((w) => w.background)],
    ] as const) {
      if (list.length === 0) {
        out.push(`  waits for the write lock, ${label}: none`)
        continue
      }
      const ms = list.map((w) => w.waitedMs!)
      out.push(`  waits for the write lock, ${label}: ${list.length}, p50 ${pct(ms, 0.5).toFixed(0)} / p99 ${pct(ms, 0.99).toFixed(0)} / max ${Math.max(...ms).toFixed(0)} ms, ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms in all`)
      const byStatement = new Map<string, number>()
      for (const w of list) byStatement.set(statementKind(w.statement), (byStatement.get(statementKind(w.statement)) ?? 0) + 1)
      out.push(`    waiting: ${[...byStatement].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ')}`)
      // Each wait put down to the holds of other threads (or connections) overlapping it, by their overlap.
      const behind = new Map<string, { waits: number; overlapMs: number; cpuMs: number; heldMs: number; runQueueMs: number }>()
      for (const w of list) {
        const seen = new Set<string>()
        for (const h of holds) {
          const overlap = Math.min(w.end, h.end) - Math.max(w.start, h.start)
          if (overlap <= 0) continue
          const key = `${h.thread} ${h.kind === 'checkpoint' ? 'checkpoint' : statementKind(h.first)}`
          const entry = behind.get(key) ?? { waits: 0, overlapMs: 0, cpuMs: 0, heldMs: 0, runQueueMs: 0 }
          if (!seen.has(key)) entry.waits++
          seen.add(key)
          entry.overlapMs += overlap
          behind.set(key, entry)
        }
        if (seen.size === 0) {
          const entry = behind.get('(no hold traced)') ?? { waits: 0, overlapMs: 0, cpuMs: 0, heldMs: 0, runQueueMs: 0 }
          entry.waits++
          entry.overlapMs += w.waitedMs!
          behind.set('(no hold traced)', entry)
        }
      }
      out.push(`    behind: ${[...behind].sort((a, b) => b[1].overlapMs - a[1].overlapMs).map(([k, e]) => `${k}: ${e.waits} waits, ${e.overlapMs.toFixed(0)} ms`).join('; ')}`)
    }
    // The holds themselves: who held the lock long.
    const byHolder = new Map<string, { n: number; heldMs: number[]; cpuMs: number; runQueueMs: number; waitedOn: number }>()
    for (const h of phaseHolds) {
      const key = `${h.thread} ${h.kind === 'checkpoint' ? 'checkpoint' : statementKind(h.first)}`
      const entry = byHolder.get(key) ?? { n: 0, heldMs: [], cpuMs: 0, runQueueMs: 0, waitedOn: 0 }
      entry.n++
      entry.heldMs.push(h.heldMs!)
      entry.cpuMs += h.cpuMs ?? 0
      entry.runQueueMs += h.runQueueMs ?? 0
      if (h.waitedOn) entry.waitedOn++
      byHolder.set(key, entry)
    }
    if (byHolder.size) {
      out.push('  holds of the write lock (traced: over the threshold or waited for):')
      for (const [key, e] of [...byHolder].sort((a, b) => b[1].heldMs.reduce((x, y) => x + y, 0) - a[1].heldMs.reduce((x, y) => x + y, 0))) {
        const total = e.heldMs.reduce((a, b) => a + b, 0)
        out.push(`    ${key}: ${e.n} (${e.waitedOn} waited for), p50 ${pct(e.heldMs, 0.5).toFixed(0)} / max ${Math.max(...e.heldMs).toFixed(0)} ms, ${total.toFixed(0)} ms in all: on a core ${e.cpuMs.toFixed(0)}, waiting for one ${e.runQueueMs.toFixed(0)}, the rest asleep or waiting`)
      }
    }
    if (turnWaits.length) {
      const ms = turnWaits.map((w) => w.waitedMs!)
      out.push(`  waits for the serving connection's turn (≥ 2 ms): ${turnWaits.length}, p50 ${pct(ms, 0.5).toFixed(0)} / p99 ${pct(ms, 0.99).toFixed(0)} / max ${Math.max(...ms).toFixed(0)} ms, ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms in all`)
      const behind = new Map<string, { waits: number; overlapMs: number }>()
      for (const w of turnWaits) {
        for (const h of turnHolds) {
          if (h.thread !== 'serving') continue
          const overlap = Math.min(w.end, h.end) - Math.max(w.start, h.start)
          if (overlap <= 0) continue
          const key = statementKind(h.first)
          const entry = behind.get(key) ?? { waits: 0, overlapMs: 0 }
          entry.waits++
          entry.overlapMs += overlap
          behind.set(key, entry)
        }
      }
      out.push(`    behind turns of: ${[...behind].sort((a, b) => b[1].overlapMs - a[1].overlapMs).slice(0, 8).map(([k, e]) => `${k}: ${e.waits}, ${e.overlapMs.toFixed(0)} ms`).join('; ')}`)
      const long = turnHolds.filter((h) => h.thread === 'serving' && inPhase(h))
      const byFirst = new Map<string, number[]>()
      for (const h of long) byFirst.set(statementKind(h.first), [...(byFirst.get(statementKind(h.first)) ?? []), h.heldMs!])
      out.push(`    serving connection's turns held ≥ threshold or waited for: ${[...byFirst].sort((a, b) => b[1].length - a[1].length).slice(0, 8).map(([k, v]) => `${k} ×${v.length} p50 ${pct(v, 0.5).toFixed(0)} max ${Math.max(...v).toFixed(0)} ms`).join('; ')}`)
    }
  }
  return out
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of summarizeLockTrace(process.argv[2]!)) console.log(line)
}
