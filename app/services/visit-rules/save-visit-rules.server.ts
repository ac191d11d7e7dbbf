// An admin changes the rules a visit must meet to count: a new version (the old ones stay as
// the history), audited in the same transaction. Visits keep the version they were judged
// by (docs/decisions/0361-valid-visits.md): a rule changed today does not rewrite the counts
// of visits already made.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { VisitRulesInput } from '../../forms/visit-rules'
import { recordAudit, type Actor } from '../audit.server'
import { findVisitRules } from './find-visit-rules.server'

export async function saveVisitRules(db: Kysely<Database>, caller: { actor: Actor; now?: Date }, input: VisitRulesInput): Promise<{ version: number; changed: boolean }> {
  return db.transaction().execute(async (trx) => {
    const current = await findVisitRules(trx)
    const next = { photoRequired: input.photoRequired, radiusMetres: input.radiusMetres, remoteCountsFor: { household: input.remoteHouseholds, enterprise: input.remoteEnterprises } }
    if (JSON.stringify(next) === JSON.stringify(current.rules)) return { version: current.version, changed: false }
    const version = current.version + 1
    await trx
      .insertInto('visit_rules')
      .values({
        version,
        photo_required: input.photoRequired ? 1 : 0,
        radius_m: input.radiusMetres,
        remote_households: input.remoteHouseholds ? 1 : 0,
        remote_enterprises: input.remoteEnterprises ? 1 : 0,
        set_by: caller.actor.id,
        set_at: (caller.now ?? new Date()).toISOString(),
      })
      .execute()
    await recordAudit(trx, caller.actor, { action: 'visit_rules.changed', entityType: 'visit_rules', entityId: String(version), detail: { before: current.rules, after: next } })
    return { version, changed: true }
  })
}
