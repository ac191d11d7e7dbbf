// A new territory, by townships or a drawn area: the players of the unit's subtree inside it
// join it and take its officer (those assigned by hand keep theirs). One transaction with
// its audit entry. Answers how many changed officer and how many it holds.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'
import { checkInput, type TerritoryInput } from './check-territory.server'
import { countTerritoryPlayers } from './list-territories.server'
import { neighbourhoodOf, placePlayers } from './place-players.server'

export async function createTerritory(db: Kysely<Database>, caller: Pick<Caller, 'actor' | 'scope'>, input: TerritoryInput) {
  const { actor, scope } = caller
  return db.transaction().execute(async (trx) => {
    const { unit, townships, area } = await checkInput(trx, scope, input, null)
    const now = new Date().toISOString()
    const { id } = await trx
      .insertInto('territories')
      .values({
        ...area,
        org_unit_id: unit.id,
        officer_id: input.officerId ?? null,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (input.officerId) {
      await trx.insertInto('territory_assignments').values({ territory_id: id, officer_id: input.officerId, assigned_at: now, assigned_by: actor.id, reason: null }).execute()
    }
    const moved = await placePlayers(trx, caller, { orgPath: unit.path, only: await neighbourhoodOf(trx, id), reason: 'territory.reason.drawn' })
    await recordAudit(trx, actor, { action: 'territory.create', entityType: 'territory', entityId: id, detail: { name: input.name, townships, officerId: input.officerId ?? null, moved } })
    // What the new territory holds, so the page can say why fewer moved than it holds.
    const held = (await countTerritoryPlayers(trx, [id])).get(id)
    return { id, moved, inside: held?.players ?? 0, keepOwn: held?.byHand ?? 0 }
  })
}
