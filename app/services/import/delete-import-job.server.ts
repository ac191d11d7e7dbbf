// A manager (or admin) deletes a settled import job: personal data in its errors is "gone
// with the job" (PRODUCT.md). Its per-row errors, warnings and matches (rejected cells with
// them, clear and encrypted), its preview and the job itself go in one transaction with the
// audit entry; the uploaded file, if still there, goes after it. The players it brought stay:
// their link to the job (and their sources' link) is set to null, not left dangling.
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { DELETABLE_IMPORT_STATUSES, isDeletableImportStatus } from '../../domain/import-job-status'
import type { Scope } from '../../domain/scope'
import { recordAudit, type Actor } from '../audit.server'
import { inScope } from '../scope.server'

export async function deleteImportJob(
  db: Kysely<Database>,
  caller: { actor: Actor; scope: Scope },
  input: { jobId: number; uploadDir: string },
): Promise<{ issues: number; players: number }> {
  const removed = await db.transaction().execute(async (trx) => {
    const job = await trx
      .selectFrom('import_jobs')
      .select(['id', 'status', 'file_path', 'file_name', 'source', 'org_unit_id', 'inserted', 'updated', 'rejected'])
      .where('id', '=', input.jobId)
      .where(inScope(caller.scope, { orgUnit: 'import_jobs.org_unit_id', owner: 'import_jobs.created_by' }))
      .executeTakeFirst()
    if (!job) throw new AppError('not_found', 'error.notFound')
    if (!isDeletableImportStatus(job.status)) throw new AppError('conflict', 'import.deleteBusy')
    const issues = await trx.deleteFrom('import_issues').where('job_id', '=', job.id).executeTakeFirst()
    const players = await trx.updateTable('market_players').set({ import_job_id: null }).where('import_job_id', '=', job.id).executeTakeFirst()
    await trx.updateTable('player_sources').set({ import_job_id: null }).where('import_job_id', '=', job.id).execute()
    // The status is checked again by the delete itself: a job claimed in between is rolled back, not lost.
    const deleted = await trx.deleteFrom('import_jobs').where('id', '=', job.id).where('status', 'in', [...DELETABLE_IMPORT_STATUSES]).executeTakeFirst()
    if (Number(deleted.numDeletedRows) === 0) throw new AppError('conflict', 'import.deleteBusy')
    const counts = { issues: Number(issues.numDeletedRows), players: Number(players.numUpdatedRows) }
    await recordAudit(trx, caller.actor, {
      action: 'import.delete',
      entityType: 'import_job',
      entityId: job.id,
      // What the job was, without a row of it: the file name, source, unit and counts.
      detail: { fileName: job.file_name, source: job.source, orgUnitId: job.org_unit_id, status: job.status, inserted: job.inserted, updated: job.updated, rejected: job.rejected, ...counts },
    })
    return { filePath: job.file_path, counts }
  })
  // Only a file the server received: a job from the command line names the user's own file.
  const uploads = path.resolve(input.uploadDir) + path.sep
  if (path.resolve(removed.filePath).startsWith(uploads)) await fs.rm(removed.filePath, { force: true })
  return removed.counts
}
