// A manager issues an outlet's or an officer's loan QR code: a fresh random token, the
// owner's previous code revoked in the same transaction (its posters stop working), audited.
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { scopeCoversOrgPath, type Scope } from '../../domain/scope'
import { recordAudit, type Actor } from '../audit.server'

export interface IssueLoanQrCodeInput {
  /** An outlet's code when officerId is null. */
  orgUnitId: number | null
  officerId: number | null
}

export async function issueLoanQrCode(db: Kysely<Database>, actor: Actor, scope: Scope, input: IssueLoanQrCodeInput): Promise<{ id: number; token: string }> {
  return db.transaction().execute(async (trx) => {
    let orgUnitId: number
    if (input.officerId !== null) {
      const officer = await trx
        .selectFrom('users')
        .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
        .select(['users.org_unit_id', 'org_units.path'])
        .where('users.id', '=', input.officerId)
        .where('users.role', '=', 'officer')
        .where('users.active', '=', 1)
        .executeTakeFirst()
      if (!officer || !scopeCoversOrgPath(scope, officer.path)) throw new AppError('not_found', 'error.notFound')
      orgUnitId = officer.org_unit_id
    } else {
      const unit = input.orgUnitId === null ? undefined : await trx.selectFrom('org_units').select(['id', 'path']).where('id', '=', input.orgUnitId).where('kind', '=', 'outlet').executeTakeFirst()
      if (!unit || !scopeCoversOrgPath(scope, unit.path)) throw new AppError('not_found', 'error.notFound')
      orgUnitId = unit.id
    }
    const now = new Date().toISOString()
    let revoke = trx.updateTable('loan_qr_codes').set({ revoked_at: now, revoked_by: actor.id }).where('revoked_at', 'is', null)
    revoke = input.officerId !== null ? revoke.where('officer_id', '=', input.officerId) : revoke.where('officer_id', 'is', null).where('org_unit_id', '=', orgUnitId)
    const revoked = await revoke.returning('id').execute()
    const token = crypto.randomBytes(18).toString('base64url')
    const { id } = await trx
      .insertInto('loan_qr_codes')
      .values({ token, org_unit_id: orgUnitId, officer_id: input.officerId, created_at: now, created_by: actor.id, revoked_at: null, revoked_by: null })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, actor, { action: 'loan_qr.issue', entityType: 'loan_qr_code', entityId: id, detail: { orgUnitId, officerId: input.officerId, replaced: revoked.map((r) => r.id) } })
    return { id, token }
  })
}
