// Runs import jobs in the background of each app server: previews uploaded files and
// commits queued jobs. A job is claimed with a conditional update, so two servers never
// run the same job; a job whose runner died (no heartbeat for a minute) is taken over and
// resumes after its last committed batch.
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { markWork } from '../../http/loop-watch.server'
import { logger } from '../../server/logger.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { importGate } from './import-gate.server'
import { commitImportJob, previewImportJob } from './import-jobs.server'

const STALE_MS = 60_000
/** An uploaded list that was previewed but never committed is dropped after this long. */
const ABANDONED_MS = 7 * 24 * 3_600_000

export interface ImportRunner {
  /** Finishes the current batch, then stops; an interrupted job resumes on the next start. */
  stop(): Promise<void>
  /** Looks for work now instead of at the next tick. */
  poke(): void
}

export interface RunnerOptions {
  intervalMs?: number
  /** Uploaded files live here; the runner deletes them once their job is over. */
  uploadDir: string
  /** A test's gate every commit waits at between batches (AppConfig.importGate); never in production. */
  gate?: string | null
}

export function startImportRunner(db: Kysely<Database>, pii: PersonalDataCipher, options: RunnerOptions): ImportRunner {
  const workerId = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`
  const abort = new AbortController()
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null

  const tick = () => {
    if (running || abort.signal.aborted) return
    running = runOnce(db, pii, workerId, { signal: abort.signal, uploadDir: options.uploadDir, gate: options.gate })
      .catch((error: unknown) => logger.error('import runner failed', { error }))
      .finally(() => {
        running = null
        if (!abort.signal.aborted) timer = setTimeout(tick, options.intervalMs ?? 1000)
      })
  }
  timer = setTimeout(tick, 0)

  return {
    async stop() {
      abort.abort()
      if (timer) clearTimeout(timer)
      await running
    },
    poke() {
      if (timer) clearTimeout(timer)
      tick()
    },
  }
}

/** Claims and runs jobs until none is waiting. */
export async function runOnce(
  db: Kysely<Database>,
  pii: PersonalDataCipher,
  workerId: string,
  options: { signal?: AbortSignal; uploadDir?: string; gate?: string | null } = {},
): Promise<void> {
  const { signal, uploadDir } = options
  const gate = options.gate ? importGate(options.gate) : null
  while (!signal?.aborted) {
    const job = await claimNextJob(db, workerId)
    if (!job) break
    logger.info('import job started', { jobId: job.id, mode: job.mode })
    const done = markWork(`import ${job.mode}`)
    // How late the server's thread ran while the job went on (issue 22: never > 100 ms).
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    const beforeBatch = gate ? (rowsDone: number) => gate(job.id, rowsDone) : undefined
    const result = await (job.mode === 'preview' ? previewImportJob(db, pii, job.id, { signal }) : commitImportJob(db, pii, job.id, { signal, beforeBatch })).finally(() => {
      done()
      delay.disable()
    })
    const ms = (ns: number) => Math.round(ns / 1e6)
    logger.info('import job stopped', { jobId: job.id, status: result.status, loopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) } })
    if (uploadDir && (result.status === 'done' || result.status === 'failed')) await removeUpload(db, job.id, uploadDir)
  }
  if (uploadDir && !signal?.aborted) await dropAbandonedUploads(db, uploadDir)
}

/**
 * The uploaded file holds personal data in clear: it is kept only while its job needs it.
 * What the pages show afterwards (counts, rejected rows) lives in the database.
 */
async function removeUpload(db: Kysely<Database>, jobId: number, uploadDir: string) {
  const job = await db.selectFrom('import_jobs').select('file_path').where('id', '=', jobId).executeTakeFirst()
  const inside = job && path.resolve(job.file_path).startsWith(path.resolve(uploadDir) + path.sep)
  if (inside) await fs.rm(job.file_path, { force: true })
}

async function dropAbandonedUploads(db: Kysely<Database>, uploadDir: string) {
  const before = new Date(Date.now() - ABANDONED_MS).toISOString()
  const abandoned = await db
    .selectFrom('import_jobs')
    .select('id')
    .where('status', 'in', ['previewed', 'needs_mapping'])
    .where('created_at', '<', before)
    .execute()
  for (const { id } of abandoned) {
    await removeUpload(db, id, uploadDir)
    await db.updateTable('import_jobs').set({ status: 'cancelled', finished_at: new Date().toISOString() }).where('id', '=', id).execute()
  }
}

async function claimNextJob(db: Kysely<Database>, workerId: string): Promise<{ id: number; mode: 'preview' | 'commit' } | null> {
  const staleBefore = new Date(Date.now() - STALE_MS).toISOString()
  const candidates = await db
    .selectFrom('import_jobs')
    .select(['id', 'status'])
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['uploaded', 'queued']),
        eb.and([eb('status', 'in', ['previewing', 'running']), eb('heartbeat_at', '<', staleBefore)]),
      ]),
    )
    .orderBy('id')
    .limit(5)
    .execute()
  for (const candidate of candidates) {
    // The claim moves the job on (uploaded → previewing, queued → running) or takes over a
    // stale one, in one conditional update: only one runner's update can match.
    const mode = candidate.status === 'uploaded' || candidate.status === 'previewing' ? 'preview' : 'commit'
    let claim = db
      .updateTable('import_jobs')
      .set({ status: mode === 'preview' ? 'previewing' : 'running', claimed_by: workerId, heartbeat_at: new Date().toISOString() })
      .where('id', '=', candidate.id)
      .where('status', '=', candidate.status)
    if (candidate.status === 'previewing' || candidate.status === 'running') claim = claim.where('heartbeat_at', '<', staleBefore)
    if (Number((await claim.executeTakeFirst()).numUpdatedRows) === 1) return { id: candidate.id, mode }
  }
  return null
}
