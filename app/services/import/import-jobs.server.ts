// List imports: a job per uploaded file. The same pipeline serves the preview (nothing
// written), the commit (batches of rows, each batch and the job's progress in one
// transaction, so a job killed half way resumes after its last whole batch and never
// applies a row twice) and the command line.
import type { Kysely } from 'kysely'
import type { Database, ImportJob } from '../../../db/schema'
import { refreshStatistics } from '../../../db/dialect.server'
import { databaseUrlOf } from '../../../db/connection.server'
import { AppError } from '../../domain/app-error'
import { todayInChina } from '../../domain/china-time'
import { isKnownHeader, normaliseHeader, recogniseHeaders, type ListColumn, type RememberedHeaders } from '../../domain/list-columns'
import type { Scope } from '../../domain/scope'
import type { Message } from '../../i18n/index'
import { loadPlacementDivisions, loadTownshipCentreMap } from '../areas.server'
import { recordAudit, type Actor, type Db } from '../audit.server'
import { inScope } from '../scope.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { columnLetter, openTable, TableError, type TableLimits, type TableRow } from './read-table.server'
import { prepareRows, type PrepareOptions } from './prepare-rows.server'
import { buildImportPreview } from './import-preview.server'
import { applyImportBatch, batchContext, type BatchSetup, type ImportCounts, type RowProblem } from './apply-batch.server'

export { applyImportBatch, batchContext, type BatchContext, type BatchSetup, type ImportCounts, type RowProblem } from './apply-batch.server'
import { commitInWriter } from './commit-workers.server'
import { placePlayers } from '../territories/place-players.server'

import type { ImportSource } from '../../domain/import-sources'
import { applyListChannel } from '../clocks/list-channel.server'
import type { ListChannel } from '../../domain/clocks'

// Rows per transaction: big enough that commits cost little, small enough that a resumed
// job repeats at most a few seconds of work. On the server's own thread a batch also holds
// up its pages, so it is smaller there; a writer thread holds up nothing.
const BATCH_ROWS = 2000
const WRITER_BATCH_ROWS = 20_000
/** Above this a commit is written from a thread of its own (commit-workers.server.ts). */
const WRITER_THREAD_BYTES = 4 * 1024 * 1024

export async function createImportJob(
  db: Kysely<Database>,
  actor: Actor,
  input: { source: ImportSource; fileName: string; filePath: string; fileBytes: number; orgUnitId: number; acceptBadCheck?: boolean; channel?: ListChannel },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('import_jobs')
      .values({
        source: input.source,
        file_name: input.fileName.slice(0, 200),
        file_path: input.filePath,
        file_bytes: input.fileBytes,
        org_unit_id: input.orgUnitId,
        created_by: actor.id,
        created_at: new Date().toISOString(),
        status: 'uploaded',
        accept_bad_check: input.acceptBadCheck ? 1 : 0,
        ...(input.channel && input.channel.channel !== 'own_list' ? { channel: input.channel.channel, channel_group: input.channel.group, channel_at: input.channel.listedAt } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, {
      action: 'import.upload',
      entityType: 'import_job',
      entityId: id,
      detail: { source: input.source, fileName: input.fileName, bytes: input.fileBytes, ...(input.channel ? { channel: input.channel } : {}) },
    })
    return id
  })
}

export async function getImportJob(db: Db, id: number): Promise<ImportJob | undefined> {
  return db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The manager's answer for headers Wanqi did not recognise, remembered for the job's org
 * unit and source only (another unit's files are never read with it), and previewed again.
 * `reset` lists headers whose remembered choice is forgotten. */
export async function saveImportMapping(
  db: Kysely<Database>,
  actor: Actor,
  jobId: number,
  answers: Record<string, ListColumn | 'ignore'>,
  reset: string[] = [],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const job = await getImportJob(trx, jobId)
    if (!job) throw new AppError('not_found', 'error.notFound')
    if (!['needs_mapping', 'previewed', 'failed'].includes(job.status)) throw new AppError('conflict', 'import.notPreviewed')
    const now = new Date().toISOString()
    const unit = { org_unit_id: job.org_unit_id, source: job.source }
    for (const [header, field] of Object.entries(answers)) {
      await trx
        .insertInto('import_mappings')
        .values({ ...unit, header: normaliseHeader(header), field, updated_by: actor.id, updated_at: now })
        .onConflict((oc) => oc.columns(['org_unit_id', 'source', 'header']).doUpdateSet({ field, updated_by: actor.id, updated_at: now }))
        .execute()
    }
    for (const header of reset) {
      await trx
        .deleteFrom('import_mappings')
        .where('org_unit_id', '=', job.org_unit_id)
        .where('source', '=', job.source)
        .where('header', '=', normaliseHeader(header))
        .execute()
    }
    await trx.updateTable('import_jobs').set({ status: 'uploaded', error: null }).where('id', '=', jobId).execute()
    await recordAudit(trx, actor, { action: 'import.mapping', entityType: 'import_job', entityId: jobId, detail: { answers, reset, orgUnitId: job.org_unit_id, source: job.source } })
  })
}

/** The choices remembered for a unit and source: normalised header → field. */
export async function rememberedHeaders(db: Db, orgUnitId: number, source: string): Promise<RememberedHeaders> {
  const rows = await db
    .selectFrom('import_mappings')
    .select(['header', 'field'])
    .where('org_unit_id', '=', orgUnitId)
    .where('source', '=', source)
    .execute()
  return Object.fromEntries(rows.map((m) => [m.header, m.field as ListColumn | 'ignore']))
}

/** The manager ticks or unticks "accept bad check characters": the job is previewed again
 * with it, so the preview shows what a commit will do. */
export async function setImportOptions(db: Kysely<Database>, actor: Actor, jobId: number, options: { acceptBadCheck: boolean }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('import_jobs')
      .set({ accept_bad_check: options.acceptBadCheck ? 1 : 0, status: 'uploaded', error: null })
      .where('id', '=', jobId)
      .where('status', 'in', ['previewed', 'needs_mapping'])
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) throw new AppError('conflict', 'import.notPreviewed')
    await recordAudit(trx, actor, { action: 'import.options', entityType: 'import_job', entityId: jobId, detail: options })
  })
}

/** The manager commits a previewed job: it is queued for the runner. */
export async function queueImportJob(
  db: Kysely<Database>,
  actor: Actor,
  jobId: number,
  options: { acceptBadCheck: boolean; mergeHouseholds: boolean },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('import_jobs')
      .set({ status: 'queued', last_row: 0, rows_done: 0, accept_bad_check: options.acceptBadCheck ? 1 : 0, merge_households: options.mergeHouseholds ? 1 : 0 })
      .where('id', '=', jobId)
      .where('status', '=', 'previewed')
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) throw new AppError('conflict', 'import.notPreviewed')
    await recordAudit(trx, actor, { action: 'import.commit', entityType: 'import_job', entityId: jobId, detail: options })
  })
}

type Mode = 'preview' | 'commit'

export type RunResult =
  | { status: 'failed'; error: Message; counts: ImportCounts }
  | { status: 'needs_mapping'; unknown: UnknownColumn[]; counts: ImportCounts }
  | { status: 'previewed' | 'done' | 'interrupted'; counts: ImportCounts; unknown: UnknownColumn[] }

/** A column whose header names no known field and no remembered choice: reported, not read. */
export interface UnknownColumn {
  index: number
  header: string
  /** Its letter in the spreadsheet (A, B, …). */
  column: string
}

export interface RunOptions {
  limits?: Partial<TableLimits>
  /** Rows per transaction (default BATCH_ROWS, or WRITER_BATCH_ROWS on a writer thread). */
  batchRows?: number
  onProgress?: (done: number, job: ImportCounts) => void
  /** Stops a running job between batches (graceful shutdown); it resumes later. */
  signal?: AbortSignal
  /** Whether a commit writes from a thread of its own (default: for files over
   * WRITER_THREAD_BYTES, when the database is not in memory). */
  writerThread?: boolean
  /** A writer thread on SQLite: how long a transaction may take further batches while no write waits (default 250 ms). */
  transactionMs?: number
  /** A commit on the server's thread waits for this before each batch after the first (a
   * test's gate, import-gate.server.ts); a writer thread's commit does not ask it. */
  beforeBatch?: (rowsDone: number) => Promise<void>
  /** Tests: holds a writer thread's second batch until released (WriterData.hold). */
  writerHold?: SharedArrayBuffer
}

/** Reads the file, checks every row, and records what a commit would do, writing no player. */
export async function previewImportJob(db: Kysely<Database>, pii: PersonalDataCipher, jobId: number, options: RunOptions = {}) {
  return runPipeline(db, pii, jobId, 'preview', options)
}

/** Applies the job's rows, resuming after the last committed batch. */
export async function commitImportJob(db: Kysely<Database>, pii: PersonalDataCipher, jobId: number, options: RunOptions = {}) {
  return runPipeline(db, pii, jobId, 'commit', options)
}


async function runPipeline(db: Kysely<Database>, pii: PersonalDataCipher, jobId: number, mode: Mode, options: RunOptions): Promise<RunResult> {
  const job = await getImportJob(db, jobId)
  if (!job) throw new AppError('not_found', 'error.notFound')
  const resumeAfter = mode === 'commit' ? job.last_row : 0
  const counts: ImportCounts =
    mode === 'commit' && resumeAfter > 0
      ? {
          totalRows: job.rows_done,
          inserted: job.inserted,
          updated: job.updated,
          unchanged: job.unchanged,
          rejected: job.rejected,
          warnings: job.warnings,
          matches: job.matches,
        }
      : { totalRows: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, warnings: 0, matches: 0 }

  const started = new Date().toISOString()
  await db.transaction().execute(async (trx) => {
    if (resumeAfter === 0) await trx.deleteFrom('import_issues').where('job_id', '=', jobId).execute()
    await trx
      .updateTable('import_jobs')
      .set({
        status: mode === 'preview' ? 'previewing' : 'running',
        started_at: job.started_at ?? started,
        error: null,
        ...(resumeAfter === 0 ? zeroCounts() : {}),
      })
      .where('id', '=', jobId)
      .execute()
  })

  const remembered = await rememberedHeaders(db, job.org_unit_id, job.source)
  let table
  try {
    table = await openTable(job.file_path, {
      fileName: job.file_name,
      limits: options.limits,
      isHeaderCell: (text) => isKnownHeader(text) || normaliseHeader(text) in remembered,
    })
  } catch (error) {
    return fail(db, jobId, error, counts)
  }
  try {
    const recognised = recogniseHeaders(table.headers, remembered)
    const unknown = recognised.unknown.map((u) => ({ ...u, column: columnLetter(u.index + 1) }))
    await db
      .updateTable('import_jobs')
      .set({ format: table.format, encoding: table.encoding, headers: JSON.stringify(table.headers), mapping: JSON.stringify(recognised.columns) })
      .where('id', '=', jobId)
      .execute()
    if (recognised.duplicates.length > 0) {
      return fail(db, jobId, new AppError('bad_request', 'import.duplicateColumns', { columns: recognised.duplicates.join(', ') }), counts)
    }
    // Unknown columns do not stop a list: they are reported, and a manager may map them
    // and preview again. Only a list missing a required column waits for that answer.
    if (recognised.unknown.length > 0 && recognised.missing.length > 0 && mode === 'preview') {
      // The columns with sample values, so the manager sees what each unknown one holds.
      const shown = await buildImportPreview(table, recognised, remembered, {
        acceptBadCheck: job.accept_bad_check === 1,
        today: todayInChina(),
        pii,
        centreOf: () => undefined,
      })
      await db.updateTable('import_jobs').set({ status: 'needs_mapping', preview: JSON.stringify({ ...shown, rows: [] }) }).where('id', '=', jobId).execute()
      return { status: 'needs_mapping' as const, unknown, counts }
    }
    if (recognised.missing.length > 0) {
      return fail(db, jobId, new AppError('bad_request', 'import.missingColumns', { columns: recognised.missing.join(', ') }), counts)
    }

    const url = databaseUrlOf(db)
    const writer = mode === 'commit' && url !== undefined && (options.writerThread ?? job.file_bytes > WRITER_THREAD_BYTES)
    const centres = await loadTownshipCentreMap(db)
    const today = todayInChina()
    const prepare: PrepareOptions = {
      filePath: job.file_path,
      fileName: job.file_name,
      limits: options.limits,
      mapping: recognised.columns,
      acceptBadCheck: job.accept_bad_check === 1,
      today,
      // The header (and any title rows above it) is not data.
      resumeAfter: Math.max(resumeAfter, table.headerEndRow),
      batchRows: options.batchRows ?? (writer ? WRITER_BATCH_ROWS : BATCH_ROWS),
      dataKey: pii.keyForWorkers,
      townshipCentres: [...centres],
      divisions: await loadPlacementDivisions(db),
      derive: mode === 'commit',
      jobColumns: {
        org_unit_id: job.org_unit_id,
        source: job.source,
        import_job_id: job.id,
        campaign_status: 'not_visited',
        created_at: started,
        updated_at: started,
      },
    }
    const setup: BatchSetup = { headers: table.headers, prepare }
    if (mode === 'preview') {
      const shown = await buildImportPreview(table, recognised, remembered, { acceptBadCheck: prepare.acceptBadCheck, today, pii, centreOf: (code) => centres.get(code), divisions: prepare.divisions })
      await db.updateTable('import_jobs').set({ preview: JSON.stringify(shown) }).where('id', '=', jobId).execute()
    }
    // The table was opened for its headers; the rows are read (in other threads for big files) from here.
    await table.close()

    if (resumeAfter === 0 && table.skippedRows.length > 0) {
      // A title row skipped is a row with a warning: counted, so the count and the list agree.
      await recordSkippedRows(db, jobId, table.skippedRows, table.headerRow)
      counts.warnings += table.skippedRows.length
      await db.updateTable('import_jobs').set({ warnings: counts.warnings }).where('id', '=', jobId).execute()
    }
    let interrupted = false
    if (writer) {
      const outcome = await commitInWriter({ url: url!, jobId, setup, fileBytes: job.file_bytes, counts: { ...counts }, transactionMs: options.transactionMs, hold: options.writerHold }, {
        signal: options.signal,
        onBatch(done) {
          Object.assign(counts, done)
          options.onProgress?.(counts.totalRows, counts)
        },
      })
      interrupted = outcome === 'interrupted'
    } else {
      const context = batchContext(db, pii, job, mode, setup, counts)
      const batches = prepareRows(prepare, job.file_bytes)
      let first = true
      for await (const batch of batches) {
        if (!first && mode === 'commit') await options.beforeBatch?.(counts.totalRows)
        first = false
        await applyImportBatch(context, batch)
        // Let the server answer requests between batches: imports run beside the pages.
        await new Promise((resolve) => setImmediate(resolve))
        options.onProgress?.(counts.totalRows, counts)
        if (options.signal?.aborted) {
          await batches.return(undefined)
          interrupted = true
          break
        }
      }
    }
    if (interrupted) {
      await db.updateTable('import_jobs').set({ status: mode === 'commit' ? 'queued' : 'uploaded' }).where('id', '=', jobId).execute()
      return { status: 'interrupted' as const, counts, unknown }
    }
    options.onProgress?.(counts.totalRows, counts)

    if (counts.totalRows === 0 && resumeAfter === 0) return fail(db, jobId, new AppError('bad_request', 'import.headersOnly'), counts)
    const status = mode === 'preview' ? 'previewed' : 'done'
    // The writer thread has placed the players and refreshed the statistics already.
    if (mode === 'commit' && !writer) await finishCommit(db, job)
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('import_jobs')
        .set({
          status,
          finished_at: mode === 'commit' ? new Date().toISOString() : null,
          ...(mode === 'preview' ? { expected_rows: counts.totalRows } : {}),
        })
        .where('id', '=', jobId)
        .execute()
      if (mode === 'commit') {
        await applyListChannel(trx, job)
        await recordAudit(trx, { id: job.created_by, username: null, ip: null }, {
          action: 'import.done',
          entityType: 'import_job',
          entityId: jobId,
          detail: counts,
        })
      }
    })
    return { status: status as 'previewed' | 'done', counts, unknown }
  } catch (error) {
    return fail(db, jobId, error, counts)
  } finally {
    await table.close()
  }
}

/** Title rows above the header are skipped, and said so: each a warning at its row. */
async function recordSkippedRows(db: Kysely<Database>, jobId: number, skipped: TableRow[], headerRow: number) {
  await db
    .insertInto('import_issues')
    .values(
      skipped.map(({ row, cells }) => {
        const problem: RowProblem = {
          column: '',
          message: { key: 'import.titleRowSkipped', params: { text: cells.map((c) => c.trim()).filter(Boolean).join(' ').slice(0, 100), header: headerRow } },
        }
        return { job_id: jobId, row, severity: 'warning' as const, issues: JSON.stringify([problem]), cells: null, player_id: null }
      }),
    )
    .execute()
}

function zeroCounts() {
  return { total_rows: 0, rows_done: 0, last_row: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, warnings: 0, matches: 0 }
}

async function fail(db: Kysely<Database>, jobId: number, error: unknown, counts: ImportCounts): Promise<RunResult> {
  let message: Message
  if (error instanceof TableError) message = { key: error.code, params: error.params } as Message
  else if (error instanceof AppError) message = { key: error.messageKey, params: error.params } as Message
  else throw error
  await db
    .updateTable('import_jobs')
    .set({ status: 'failed', error: JSON.stringify(message), finished_at: new Date().toISOString() })
    .where('id', '=', jobId)
    .execute()
  return { status: 'failed', error: message, counts }
}

/**
 * After a commit's last batch: new and changed players fall into the territories of their
 * org unit, as drawn ones do, PLACE_CHUNK players a transaction (placing is idempotent, so a
 * commit cut short in between places them again when resumed); then the planner's
 * statistics. A big list's writer thread does this on its own connection (issue 22: the
 * full ANALYZE and a million players' placement held the server's thread); `pause` runs
 * between transactions, the writer's gap on SQLite.
 */
export async function finishCommit(db: Kysely<Database>, job: ImportJob, pause: () => Promise<void> = async () => {}) {
  await placeImportedPlayers(db, job, pause)
  await refreshStatistics(db)
}

const PLACE_CHUNK = 5_000

async function placeImportedPlayers(db: Kysely<Database>, job: ImportJob, pause: () => Promise<void>) {
  const unit = await db.selectFrom('org_units').select('path').where('id', '=', job.org_unit_id).executeTakeFirstOrThrow()
  const ancestors = unit.path.split('/').filter(Boolean).map((_, i, ids) => `/${ids.slice(0, i + 1).join('/')}/`)
  const territory = await db
    .selectFrom('territories')
    .innerJoin('org_units', 'org_units.id', 'territories.org_unit_id')
    .select('territories.id')
    .where('territories.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('org_units.path', 'like', `${unit.path}%`), eb('org_units.path', 'in', ancestors)]))
    .limit(1)
    .executeTakeFirst()
  if (!territory) return
  const inserted = await db.selectFrom('market_players').select('id').where('import_job_id', '=', job.id).execute()
  const changed = await db.selectFrom('player_sources').select('player_id as id').where('import_job_id', '=', job.id).execute()
  const ids = [...new Set([...inserted, ...changed].map((r) => r.id))]
  for (let i = 0; i < ids.length; i += PLACE_CHUNK) {
    await db.transaction().execute((trx) => placePlayers(trx, { actor: { id: job.created_by, username: null, ip: null } }, { orgPath: unit.path, only: ids.slice(i, i + PLACE_CHUNK), reason: 'territory.reason.imported' }))
    await pause()
  }
}

/** A page of a job's problems, by severity, in row order. */
export async function listImportIssues(db: Db, jobId: number, severity: 'rejected' | 'warning' | 'match', limit = 200, afterRow = 0) {
  const rows = await db
    .selectFrom('import_issues')
    .select(['row', 'issues', 'cells', 'player_id as playerId'])
    .where('job_id', '=', jobId)
    .where('severity', '=', severity)
    .where('row', '>', afterRow)
    .orderBy('row')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ row: r.row, playerId: r.playerId, problems: JSON.parse(r.issues) as RowProblem[], cells: r.cells ? (JSON.parse(r.cells) as string[]) : null }))
}

/** Jobs the scope may see, newest first. */
export async function listImportJobs(db: Db, scope: Scope, limit = 50) {
  return db
    .selectFrom('import_jobs')
    .innerJoin('org_units', 'org_units.id', 'import_jobs.org_unit_id')
    .leftJoin('users', 'users.id', 'import_jobs.created_by')
    .select([
      'import_jobs.id',
      'import_jobs.source',
      'import_jobs.file_name as fileName',
      'import_jobs.status',
      'import_jobs.created_at as createdAt',
      'import_jobs.total_rows as totalRows',
      'import_jobs.inserted',
      'import_jobs.updated',
      'import_jobs.rejected',
      'org_units.name as orgName',
      'users.name as byName',
    ])
    .where(inScope(scope, { orgUnit: 'import_jobs.org_unit_id', owner: 'import_jobs.created_by' }))
    .orderBy('import_jobs.id', 'desc')
    .limit(limit)
    .execute()
}

export async function getImportJobInScope(db: Db, scope: Scope, id: number) {
  return db
    .selectFrom('import_jobs')
    .selectAll()
    .where('id', '=', id)
    .where(inScope(scope, { orgUnit: 'import_jobs.org_unit_id', owner: 'import_jobs.created_by' }))
    .executeTakeFirst()
}
