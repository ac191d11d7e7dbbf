// An officer who is deactivated or moves leaves their players and territories visibly
// unassigned, never silently lost: each player's history says why. Runs inside the
// transaction of the change to the user.
import type { Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Caller } from '../caller.server'
import { setOfficer } from './set-officer.server'

export async function releaseOfficer(trx: Transaction<Database>, caller: Pick<Caller, 'actor'>, input: { officerId: number; reason: string }) {
  const { officerId, reason } = input
  const players = await trx.selectFrom('market_players').select('id').where('assigned_officer_id', '=', officerId).execute()
  await setOfficer(trx, caller, { playerIds: players.map((p) => p.id), officerId: null, source: null, reason })
  const territories = await trx.selectFrom('territories').select('id').where('officer_id', '=', officerId).where('deleted_at', 'is', null).execute()
  const now = new Date().toISOString()
  for (const t of territories) {
    await trx.updateTable('territories').set({ officer_id: null, updated_at: now }).where('id', '=', t.id).execute()
    await trx.insertInto('territory_assignments').values({ territory_id: t.id, officer_id: null, assigned_at: now, assigned_by: caller.actor.id, reason }).execute()
  }
  return { players: players.length, territories: territories.length }
}
