// Gives a territory (and so its players, except those assigned by hand) to an officer, or
// to no one. One transaction with its audit entry.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { checkOfficer } from './check-territory.server'
import { getTerritory } from './get-territory.server'
import { setOfficer } from './set-officer.server'

export async function assignTerritory(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor' | 'scope'>,
  input: { id: number; officerId: number | null; reason: string | null },
) {
  const { actor } = caller
  const { id, officerId, reason } = input
  return db.transaction().execute(async (trx) => {
    const existing = await getTerritory(trx, caller, { id })
    if (!existing) throw new AppError('not_found', 'error.notFound')
    const unit = await trx.selectFrom('org_units').select('path').where('id', '=', existing.org_unit_id).executeTakeFirstOrThrow()
    if (officerId) await checkOfficer(trx, officerId, unit.path)
    const now = new Date().toISOString()
    await trx.updateTable('territories').set({ officer_id: officerId, updated_at: now }).where('id', '=', id).execute()
    await trx.insertInto('territory_assignments').values({ territory_id: id, officer_id: officerId, assigned_at: now, assigned_by: actor.id, reason }).execute()
    const players = await trx
      .selectFrom('market_players')
      .select('id')
      .where('territory_id', '=', id)
      .where('assignment_source', '=', 'territory')
      .where((eb) => (officerId === null ? eb('assigned_officer_id', 'is not', null) : eb.or([eb('assigned_officer_id', 'is', null), eb('assigned_officer_id', '!=', officerId)])))
      .execute()
    await setOfficer(trx, caller, { playerIds: players.map((p) => p.id), officerId, source: 'territory', reason: reason ?? 'territory.reason.assigned' })
    await recordAudit(trx, actor, { action: 'territory.assign', entityType: 'territory', entityId: id, detail: { officerId, reason, players: players.length } })
    return { moved: players.length }
  })
}
