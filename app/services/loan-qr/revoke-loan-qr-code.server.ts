// A manager revokes a code (a poster lost or misused): its page answers "not found" from then on.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { scopeCoversOrgPath, type Scope } from '../../domain/scope'
import { recordAudit, type Actor } from '../audit.server'

export async function revokeLoanQrCode(db: Kysely<Database>, actor: Actor, scope: Scope, codeId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const code = await trx
      .selectFrom('loan_qr_codes as c')
      .innerJoin('org_units as u', 'u.id', 'c.org_unit_id')
      .select(['c.id', 'u.path'])
      .where('c.id', '=', codeId)
      .where('c.revoked_at', 'is', null)
      .executeTakeFirst()
    if (!code || !scopeCoversOrgPath(scope, code.path)) throw new AppError('not_found', 'error.notFound')
    await trx.updateTable('loan_qr_codes').set({ revoked_at: new Date().toISOString(), revoked_by: actor.id }).where('id', '=', codeId).execute()
    await recordAudit(trx, actor, { action: 'loan_qr.revoke', entityType: 'loan_qr_code', entityId: codeId })
  })
}
