// The rejected rows of an import, for the download: masked by default; the cells as read
// (phones and ID numbers in clear) only for a role that may unmask, and then audited.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { recordAudit, type Actor } from '../audit.server'
import type { PersonalDataCipher } from '../personal-data.server'
import type { RowProblem } from './apply-batch.server'

export interface RejectedRow {
  row: number
  cells: string[]
  problems: RowProblem[]
}

/** Reads a job's rejected rows a page at a time; `unmask` writes its audit entry first, in
 * its own transaction, so no clear value leaves without one. */
export async function* readRejectedRows(
  db: Kysely<Database>,
  actor: Actor,
  pii: PersonalDataCipher,
  input: { jobId: number; unmask: boolean },
): AsyncGenerator<RejectedRow[]> {
  if (input.unmask) {
    await db.transaction().execute((trx) =>
      recordAudit(trx, actor, { action: 'import.rejected.unmask', entityType: 'import_job', entityId: input.jobId, detail: { fields: ['phone', 'idNumber'] } }),
    )
  }
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom('import_issues')
      .select(['row', 'issues', 'cells', 'cells_enc'])
      .where('job_id', '=', input.jobId)
      .where('severity', '=', 'rejected')
      .where('row', '>', after)
      .orderBy('row')
      .limit(1000)
      .execute()
    yield page.map((r) => ({
      row: r.row,
      problems: JSON.parse(r.issues) as RowProblem[],
      cells: (input.unmask && r.cells_enc ? JSON.parse(pii.decrypt(r.cells_enc)) : r.cells ? JSON.parse(r.cells) : []) as string[],
    }))
    if (page.length < 1000) return
    after = page.at(-1)!.row
  }
}
