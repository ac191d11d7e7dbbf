// List imports: a job per uploaded file. The same pipeline serves the preview (nothing
// written), the commit (batches of rows, each batch and the job's progress in one
// transaction, so a job killed half way resumes after its last whole batch and never
// applies a row twice) and the command line.
import type { Kysely, Transaction } from 'kysely'
import type { Database, ImportJob, MarketPlayer } from '../../../db/schema'
import { insertRows, refreshStatistics } from '../../../db/dialect.server'
import { databaseUrlOf } from '../../../db/connection.server'
import { AppError } from '../../app-error'
import { todayInChina } from '../../domain/china-time'
import { recogniseHeaders, type ListColumn } from '../../domain/list-columns'
import type { PlayerFields, RowIssue } from '../../domain/market-player'
import type { Scope } from '../../domain/scope'
import type { Message } from '../../i18n/index'
import { loadTownshipCentreMap } from '../areas.server'
import { recordAudit, type Actor, type Db } from '../audit.server'
import { inScope } from '../scope.server'
import type { PersonalDataCipher } from '../personal-data.server'
import { insertValues, newPlayerColumns, playerChanges, type TownshipCentre } from '../player-record.server'
import { openTable, TableError, type TableLimits } from './read-table.server'
import { insertColumnsOf, prepareRows, type PreparedRow, type PrepareOptions } from './prepare-rows.server'
import { commitInWriter } from './commit-workers.server'
import { placePlayers } from '../territories.server'

import type { ImportSource } from '../../domain/import-sources'

// Rows per transaction: big enough that commits cost little, small enough that a resumed
// job repeats at most a few seconds of work. On the server's own thread a batch also holds
// up its pages, so it is smaller there; a writer thread holds up nothing.
const BATCH_ROWS = 2000
const WRITER_BATCH_ROWS = 20_000
/** Above this a commit is written from a thread of its own (commit-workers.server.ts). */
const WRITER_THREAD_BYTES = 4 * 1024 * 1024

/** One problem with one row, as the preview, the download and the CLI show it. */
export interface RowProblem {
  column: string
  message: Message
}

export interface ImportCounts {
  totalRows: number
  inserted: number
  updated: number
  unchanged: number
  rejected: number
  warnings: number
  matches: number
}

export async function createImportJob(
  db: Kysely<Database>,
  actor: Actor,
  input: { source: ImportSource; fileName: string; filePath: string; fileBytes: number; orgUnitId: number; acceptBadCheck?: boolean },
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
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, {
      action: 'import.upload',
      entityType: 'import_job',
      entityId: id,
      detail: { source: input.source, fileName: input.fileName, bytes: input.fileBytes },
    })
    return id
  })
}

export async function getImportJob(db: Db, id: number): Promise<ImportJob | undefined> {
  return db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The manager's answer for headers Wanqi did not recognise, remembered for the source. */
export async function saveImportMapping(
  db: Kysely<Database>,
  actor: Actor,
  jobId: number,
  answers: Record<string, ListColumn | 'ignore'>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const job = await getImportJob(trx, jobId)
    if (!job) throw new AppError('not_found', 'error.notFound')
    const now = new Date().toISOString()
    for (const [header, field] of Object.entries(answers)) {
      await trx
        .insertInto('import_mappings')
        .values({ source: job.source, header, field, updated_at: now })
        .onConflict((oc) => oc.columns(['source', 'header']).doUpdateSet({ field, updated_at: now }))
        .execute()
    }
    await trx.updateTable('import_jobs').set({ status: 'uploaded', error: null }).where('id', '=', jobId).execute()
    await recordAudit(trx, actor, { action: 'import.mapping', entityType: 'import_job', entityId: jobId, detail: answers })
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
  | { status: 'needs_mapping'; unknown: { index: number; header: string }[]; counts: ImportCounts }
  | { status: 'previewed' | 'done' | 'interrupted'; counts: ImportCounts }

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

  let table
  try {
    table = await openTable(job.file_path, { fileName: job.file_name, limits: options.limits })
  } catch (error) {
    return fail(db, jobId, error, counts)
  }
  try {
    const remembered = Object.fromEntries(
      (await db.selectFrom('import_mappings').select(['header', 'field']).where('source', '=', job.source).execute()).map((m) => [
        m.header,
        m.field as ListColumn | 'ignore',
      ]),
    )
    const recognised = recogniseHeaders(table.headers, remembered)
    await db
      .updateTable('import_jobs')
      .set({ format: table.format, encoding: table.encoding, headers: JSON.stringify(table.headers), mapping: JSON.stringify(recognised.columns) })
      .where('id', '=', jobId)
      .execute()
    if (recognised.duplicates.length > 0) {
      return fail(db, jobId, new AppError('bad_request', 'import.duplicateColumns', { columns: recognised.duplicates.join(', ') }), counts)
    }
    if (recognised.unknown.length > 0 && mode === 'preview') {
      await db.updateTable('import_jobs').set({ status: 'needs_mapping' }).where('id', '=', jobId).execute()
      return { status: 'needs_mapping' as const, unknown: recognised.unknown, counts }
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
      resumeAfter,
      batchRows: options.batchRows ?? (writer ? WRITER_BATCH_ROWS : BATCH_ROWS),
      dataKey: pii.keyForWorkers,
      townshipCentres: [...centres],
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
    // The table was opened for its headers; the rows are read (in other threads for big files) from here.
    await table.close()

    let interrupted = false
    if (writer) {
      const outcome = await commitInWriter({ url: url!, jobId, setup, fileBytes: job.file_bytes, counts: { ...counts } }, {
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
      for await (const batch of batches) {
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
      return { status: 'interrupted' as const, counts }
    }
    options.onProgress?.(counts.totalRows, counts)

    if (counts.totalRows === 0 && resumeAfter === 0) return fail(db, jobId, new AppError('bad_request', 'import.headersOnly'), counts)
    const status = mode === 'preview' ? 'previewed' : 'done'
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
        await placeImportedPlayers(trx, job)
        await recordAudit(trx, { id: job.created_by, username: null, ip: null }, {
          action: 'import.done',
          entityType: 'import_job',
          entityId: jobId,
          detail: counts,
        })
      }
    })
    if (mode === 'commit') await refreshStatistics(db)
    return { status: status as 'previewed' | 'done', counts }
  } catch (error) {
    return fail(db, jobId, error, counts)
  } finally {
    await table.close()
  }
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

/** What a thread needs besides the job to apply its batches: plain data, so that it can
 * be handed to a writer thread. */
export interface BatchSetup {
  headers: string[]
  prepare: PrepareOptions
}

export interface BatchContext {
  db: Kysely<Database>
  pii: PersonalDataCipher
  job: ImportJob
  mode: Mode
  centreOf: (township: string) => TownshipCentre | undefined
  columnHeader: (field: string) => string
  /** Preview only (nothing is written to find them by): the first row of each player in
   * the file, by a hash of its key, so a player named twice counts once. */
  seen: Map<number, number>
  /** The job's counts so far; each applied batch adds its own. */
  counts: ImportCounts
  mergeHouseholds: boolean
  jobColumns: Record<string, unknown>
}

export function batchContext(db: Kysely<Database>, pii: PersonalDataCipher, job: ImportJob, mode: Mode, setup: BatchSetup, counts: ImportCounts): BatchContext {
  const centres = new Map(setup.prepare.townshipCentres)
  return {
    db,
    pii,
    job,
    mode,
    centreOf: (code) => centres.get(code),
    columnHeader(field) {
      const index = setup.prepare.mapping.indexOf(field as ListColumn)
      return index >= 0 ? setup.headers[index] : field
    },
    seen: new Map(),
    counts,
    mergeHouseholds: job.merge_households === 1,
    jobColumns: setup.prepare.jobColumns,
  }
}


type Issue = { row: number; severity: 'rejected' | 'warning' | 'match'; issues: RowProblem[]; cells: string[] | null; playerId: number | null }

/** Applies one batch of prepared rows in one transaction with the job's progress. */
export async function applyImportBatch(ctx: BatchContext, batch: PreparedRow[]) {
  const { db, job } = ctx
  const keys = batch.map((r) => r.key).filter((k): k is string => k !== null)
  const problems = (list: RowIssue[]): RowProblem[] => list.map((i) => ({ column: ctx.columnHeader(i.field), message: i.message }))
  const counts = { ...ctx.counts }
  const issues: Issue[] = []

  await db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    // A write first: on SQLite the transaction then waits its turn for the write lock
    // (busy_timeout) instead of failing on a snapshot another connection moved past.
    await trx.updateTable('import_jobs').set({ heartbeat_at: now }).where('id', '=', job.id).execute()
    const existing = await findExisting(trx, keys)
    // New players of this batch, by key: the first row inserts, later rows fill it in.
    const pending = new Map<string, { row: number; fields: PlayerFields; values: unknown[] | null }>()
    const unkeyed: { fields: PlayerFields; values: unknown[] | null }[] = []

    for (const parsed of batch) {
      counts.totalRows++
      const { result } = parsed
      if (!result.ok) {
        counts.rejected++
        issues.push({ row: parsed.row, severity: 'rejected', issues: problems([...result.errors, ...result.warnings]), cells: parsed.cells, playerId: null })
        continue
      }
      const warnings = problems(result.warnings)
      const key = parsed.key
      const keyColumn = ctx.columnHeader(key?.startsWith('h:') ? 'name' : 'uscc')
      let target = key ? existing.get(key) : undefined

      if (target && key!.startsWith('h:') && target.import_job_id !== job.id) {
        counts.matches++
        issues.push({ row: parsed.row, severity: 'match', issues: [{ column: keyColumn, message: { key: 'import.householdMatch', params: { id: target.id } } }], cells: null, playerId: target.id })
        if (!ctx.mergeHouseholds) target = undefined
      }

      const earlierRow = key ? (ctx.mode === 'preview' ? ctx.seen.get(hashKey(key)) : pending.get(key)?.row) : undefined
      if (earlierRow !== undefined || (target && target.import_job_id === job.id)) {
        warnings.push({ column: keyColumn, message: earlierRow ? { key: 'import.duplicateInFile', params: { row: earlierRow } } : { key: 'import.duplicateInFileEarlier' } })
      }

      if (target) {
        if (target.org_unit_id !== job.org_unit_id && !(await coversOrg(trx, job.org_unit_id, target.org_unit_id))) {
          counts.rejected++
          issues.push({ row: parsed.row, severity: 'rejected', issues: [{ column: keyColumn, message: { key: 'import.otherOrgUnit' } }], cells: parsed.cells ?? [], playerId: null })
          continue
        }
        const { changes, said } = playerChanges(target, result.fields, ctx.pii, ctx.centreOf)
        if (Object.keys(said).length === 0) counts.unchanged++
        else {
          counts.updated++
          if (ctx.mode === 'commit') {
            await trx.updateTable('market_players').set({ ...changes, updated_at: now }).where('id', '=', target.id).execute()
            await trx
              .insertInto('player_sources')
              .values({ player_id: target.id, source: job.source, import_job_id: job.id, row: parsed.row, at: now, said: JSON.stringify(said) })
              .execute()
            existing.set(key!, { ...target, ...(changes as Partial<MarketPlayer>) })
          }
        }
      } else if (earlierRow !== undefined) {
        counts.updated++
        const first = pending.get(key!)
        if (first) {
          for (const [k, v] of Object.entries(result.fields)) if (v !== null) (first.fields as unknown as Record<string, unknown>)[k] = v
          first.values = null // derived again from the merged fields below
        }
      } else {
        counts.inserted++
        if (!key) unkeyed.push({ fields: result.fields, values: parsed.values })
        else if (ctx.mode === 'preview') ctx.seen.set(hashKey(key), parsed.row)
        else pending.set(key, { row: parsed.row, fields: result.fields, values: parsed.values })
      }
      if (warnings.length) {
        counts.warnings++
        issues.push({ row: parsed.row, severity: 'warning', issues: warnings, cells: null, playerId: null })
      }
    }

    if (ctx.mode === 'commit') {
      const names = insertColumnsOf(ctx.jobColumns)
      const rows = [...pending.values(), ...unkeyed].map(
        ({ fields, values }) => values ?? insertValues(newPlayerColumns(fields, ctx.pii, ctx.centreOf), ctx.jobColumns, names),
      )
      await insertRows(db, trx, 'market_players', names, rows)
    }
    for (let i = 0; i < issues.length; i += 200) {
      await trx
        .insertInto('import_issues')
        .values(
          issues.slice(i, i + 200).map((issue) => ({
            job_id: job.id,
            row: issue.row,
            severity: issue.severity,
            issues: JSON.stringify(issue.issues),
            cells: issue.cells ? JSON.stringify(issue.cells) : null,
            player_id: issue.playerId,
          })),
        )
        .execute()
    }
    await trx
      .updateTable('import_jobs')
      .set({
        rows_done: counts.totalRows,
        total_rows: counts.totalRows,
        // Only a commit moves the resume point: a preview writes no player.
        ...(ctx.mode === 'commit' ? { last_row: batch.at(-1)!.row } : {}),
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
        rejected: counts.rejected,
        warnings: counts.warnings,
        matches: counts.matches,
      })
      .where('id', '=', job.id)
      .execute()
  })
  // Only a committed batch counts.
  Object.assign(ctx.counts, counts)
}

/** A 53-bit hash of a key (two FNV-1a halves): a million of them fit in a few megabytes. */
function hashKey(key: string): number {
  let a = 0x811c9dc5
  let b = 0x01000193
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193) >>> 0
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0
  }
  return (a & 0x1fffff) * 2 ** 32 + b
}

/** New and changed players fall into the territories of their org unit, as drawn ones do. */
async function placeImportedPlayers(trx: Transaction<Database>, job: ImportJob) {
  const unit = await trx.selectFrom('org_units').select('path').where('id', '=', job.org_unit_id).executeTakeFirstOrThrow()
  const ancestors = unit.path.split('/').filter(Boolean).map((_, i, ids) => `/${ids.slice(0, i + 1).join('/')}/`)
  const territory = await trx
    .selectFrom('territories')
    .innerJoin('org_units', 'org_units.id', 'territories.org_unit_id')
    .select('territories.id')
    .where('territories.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('org_units.path', 'like', `${unit.path}%`), eb('org_units.path', 'in', ancestors)]))
    .limit(1)
    .executeTakeFirst()
  if (!territory) return
  const inserted = await trx.selectFrom('market_players').select('id').where('import_job_id', '=', job.id).execute()
  const changed = await trx.selectFrom('player_sources').select('player_id as id').where('import_job_id', '=', job.id).execute()
  const ids = [...new Set([...inserted, ...changed].map((r) => r.id))]
  for (let i = 0; i < ids.length; i += 5000) {
    await placePlayers(trx, { id: job.created_by, username: null, ip: null }, unit.path, ids.slice(i, i + 5000), 'territory.reason.imported')
  }
}

async function findExisting(db: Db, keys: string[]): Promise<Map<string, MarketPlayer>> {
  const found = new Map<string, MarketPlayer>()
  const usccs = keys.filter((k) => k.startsWith('u:')).map((k) => k.slice(2))
  const households = keys.filter((k) => k.startsWith('h:')).map((k) => k.slice(2))
  for (let i = 0; i < usccs.length; i += 500) {
    for (const p of await db.selectFrom('market_players').selectAll().where('uscc', 'in', usccs.slice(i, i + 500)).execute()) {
      found.set(`u:${p.uscc}`, p)
    }
  }
  for (let i = 0; i < households.length; i += 500) {
    // Filtered here, not in SQL: `uscc is null` would tempt the planner onto the USCC index.
    const rows = await db.selectFrom('market_players').selectAll().where('match_key', 'in', households.slice(i, i + 500)).orderBy('id').execute()
    for (const p of rows) if (p.uscc === null && !found.has(`h:${p.match_key}`)) found.set(`h:${p.match_key}`, p)
  }
  return found
}

/** Whether the importing org unit's subtree holds the other unit. */
async function coversOrg(db: Db, importer: number, other: number): Promise<boolean> {
  const [a, b] = await Promise.all([
    db.selectFrom('org_units').select('path').where('id', '=', importer).executeTakeFirst(),
    db.selectFrom('org_units').select('path').where('id', '=', other).executeTakeFirst(),
  ])
  return Boolean(a && b && b.path.startsWith(a.path))
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
