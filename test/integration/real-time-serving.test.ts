// A server started at a real-time priority, as systemd's CPUSchedulingPolicy=rr starts it
// (decision 0941): the serving thread is given a core before any thread at the usual policy,
// and the threads that do an import's and the refreshers' work go back to the usual policy as
// they start, at the nice values they have at the usual policy (the writer and the refreshers
// at the server's, the readers 10 below), so that a long commit never runs at a real-time
// priority.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { backgroundNice } from '../../app/server/thread-priority.server'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { createImportJob } from '../../app/services/import/import-jobs.server'
import { buildOrg } from '../support/fixtures'
import { writeEnterpriseList } from '../support/lists'
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { WAIT_MS } from '../support/test-constants'

// Over 4 MB, so that the server commits it through its writer thread, its rows read by reader threads.
const ROWS = 45_000
const SCHED_OTHER = 0
const SCHED_RR = 2

let t: TestDatabase
const servers: ServerProcess[] = []
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-real-time-'))

beforeAll(async () => {
  t = await createTestDatabase()
})

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()))
  await t?.destroy()
  fs.rmSync(dir, { recursive: true, force: true })
})

interface Thread {
  tid: number
  name: string
  policy: number
  realTimePriority: number
  nice: number
}

function threadsOf(pid: number): Thread[] {
  return fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      // stat's fields 19 (nice), 40 (rt_priority) and 41 (policy), counted from 1; these start at field 3.
      return [{ tid: Number(tid), name, nice: Number(fields[16]), realTimePriority: Number(fields[37]), policy: Number(fields[38]) }]
    } catch {
      return [] // the thread ended between the listing and the read
    }
  })
}

/** The server under `chrt --rr 1`, as systemd's CPUSchedulingPolicy=rr and CPUSchedulingPriority=1 start it. */
async function startAtRealTime(name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  try {
    execFileSync('chrt', ['--rr', '1', 'true'], { stdio: 'pipe' })
  } catch (error) {
    throw new Error(`this test starts the server under \`chrt --rr 1\`, which needs root (CAP_SYS_NICE), as CI has: ${String(error)}`)
  }
  const server = await startServerProcess({ databaseUrl: t.url, port: await freePort(), dir: path.join(dir, name), env, realTime: 1 })
  servers.push(server)
  return server
}

describe('a server started at a real-time priority', () => {
  it('keeps its serving thread there and runs the import\'s writer and readers and the refreshers at the usual policy', async () => {
    const org = await buildOrg(t.db)
    const { pid } = await startAtRealTime('officers')

    const file = path.join(dir, 'list.csv')
    const bytes = writeEnterpriseList(file, 1, ROWS)
    expect(bytes).toBeGreaterThan(4 * 1024 * 1024)
    const jobId = await createImportJob(t.db, { ...SYSTEM_ACTOR, username: 'test' }, { source: 'tax', fileName: 'list.csv', filePath: file, fileBytes: bytes, orgUnitId: org.outletA1.id })
    await t.db.updateTable('import_jobs').set({ status: 'queued', merge_households: 1 }).where('id', '=', jobId).execute()

    // What every thread of the server named for its work was seen at while the import ran, until it was done.
    const seen = new Map<string, Pick<Thread, 'name' | 'policy' | 'nice'>>()
    const job = await vi.waitFor(
      async () => {
        for (const { name, policy, nice } of threadsOf(pid)) if (name.startsWith('wanqi ')) seen.set(`${name} ${policy} ${nice}`, { name, policy, nice })
        const found = await t.db.selectFrom('import_jobs').select(['status', 'inserted', 'error']).where('id', '=', jobId).executeTakeFirstOrThrow()
        if (found.status !== 'done' && found.status !== 'failed') throw new Error(`the import is ${found.status}`)
        return found
      },
      { timeout: WAIT_MS * 4, interval: 5 },
    )
    expect(job).toMatchObject({ status: 'done', inserted: ROWS })

    const serving = threadsOf(pid).find((thread) => thread.tid === pid)!
    expect({ policy: serving.policy, priority: serving.realTimePriority }).toEqual({ policy: SCHED_RR, priority: 1 })
    const names = new Set([...seen.values()].map((thread) => thread.name))
    expect(names).toContain('wanqi writer')
    expect(names).toContain('wanqi reader')
    expect(names).toContain('wanqi refresh')
    // As at the usual policy: the writer and the refreshers at the nice value the process was
    // started with (the serving thread's, 0 here), the readers and the map's rebuild 10 below.
    const expected = (name: string) => ({ name, policy: SCHED_OTHER, nice: name === 'wanqi writer' || name === 'wanqi refresh' ? serving.nice : backgroundNice(serving.nice) })
    expect([...seen.values()]).toEqual([...seen.values()].map(({ name }) => expected(name)))
  })

  it('says so when it starts; a server started at the usual policy does not', async () => {
    const realTime = await startAtRealTime('banner')
    expect(realTime.output()).toContain('Priority: the serving thread real-time (SCHED_RR 1), the background threads at the usual policy')
    const usual = await startServerProcess({ databaseUrl: t.url, port: await freePort(), dir: path.join(dir, 'usual') })
    servers.push(usual)
    expect(usual.output()).toContain('Wanqi is running at')
    expect(usual.output()).not.toContain('Priority:')
  })

  it('runs a process serving only the loan QR page wholly at the usual policy, below the officers\' server', async () => {
    const { pid, url } = await startAtRealTime('loan-qr', { SERVE_ONLY: 'loan-qr' })
    expect((await fetch(`${url}/livez`)).status).toBe(200)
    const threads = threadsOf(pid)
    expect(threads.length).toBeGreaterThan(1)
    expect(threads.filter((thread) => thread.policy !== SCHED_OTHER || thread.nice < 10)).toEqual([])
  })
})
