import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { todayInChina } from '../../domain/china-time'
import { listReason, type ListReason } from '../../domain/visit'
import { recordRepeatedRead, type Actor } from '../audit.server'
import type { Caller } from '../caller.server'

export interface MyListItem {
  id: number
  name: string
  kind: string
  address: string | null
  townshipCode: string | null
  townshipName: string | null
  candidateStatus: string
  lat: number | null
  lng: number | null
  approximate: boolean
  /** For the one-tap call: the assigned officer dials their own players. */
  phone: string | null
  phoneMasked: string | null
  reason: ListReason
  lastVisitedAt: string | null
  lastOutcome: string | null
  nextFollowUpOn: string | null
  /** Whether the latest visit counts under the bank's rules; null when never visited. */
  lastVisitValid: boolean | null
}

/**
 * The officer's list for today: follow-ups due or overdue, players never visited, and
 * visits left without an outcome. The phone numbers it carries (for the call button) are
 * personal data, so handing them out is audited, once per list.
 */
export async function findMyList(
  db: Kysely<Database>,
  caller: { actor: Actor & { id: number }; pii: Caller['pii'] },
  options: { today?: string; withPhones: boolean },
) {
  const { actor, pii } = caller
  const today = options.today ?? todayInChina()
  const rows = await db
    .selectFrom('market_players')
    .leftJoin('areas as township', 'township.code', 'market_players.township_code')
    .select([
      'market_players.id',
      'market_players.name',
      'market_players.kind',
      'market_players.address',
      'market_players.township_code',
      'township.name as township_name',
      'market_players.candidate_status',
      'market_players.lat',
      'market_players.lng',
      'market_players.position_approximate',
      'market_players.phone_enc',
      'market_players.phone_masked',
      'market_players.last_visited_at',
      'market_players.last_outcome',
      'market_players.next_follow_up_on',
    ])
    .select((eb) =>
      eb
        .selectFrom('visits')
        .select('visits.valid')
        .whereRef('visits.player_id', '=', 'market_players.id')
        .orderBy('visits.visited_at', 'desc')
        .orderBy('visits.recorded_at', 'desc')
        .limit(1)
        .as('last_visit_valid'),
    )
    .where('market_players.assigned_officer_id', '=', actor.id)
    .where((eb) =>
      eb.or([
        eb('market_players.next_follow_up_on', '<=', today),
        eb('market_players.last_visited_at', 'is', null),
        eb('market_players.last_outcome', 'is', null),
      ]),
    )
    .orderBy('market_players.id')
    .execute()
  const items: MyListItem[] = []
  for (const r of rows) {
    const reason = listReason({ lastVisitedAt: r.last_visited_at, lastOutcome: r.last_outcome, nextFollowUpOn: r.next_follow_up_on }, today)
    if (!reason) continue
    items.push({
      id: r.id,
      name: r.name,
      kind: r.kind,
      address: r.address,
      townshipCode: r.township_code,
      townshipName: r.township_name,
      candidateStatus: r.candidate_status,
      lat: r.lat,
      lng: r.lng,
      approximate: r.position_approximate === 1,
      phone: options.withPhones && r.phone_enc ? pii.decrypt(r.phone_enc) : null,
      phoneMasked: r.phone_masked,
      reason,
      lastVisitedAt: r.last_visited_at,
      lastOutcome: r.last_outcome,
      nextFollowUpOn: r.next_follow_up_on,
      lastVisitValid: r.last_visit_valid === null ? null : Number(r.last_visit_valid) === 1,
    })
  }
  const withPhones = items.filter((i) => i.phone).length
  // The list reloads after every visit sent: the same listing is one entry, not one per load.
  if (withPhones) await recordRepeatedRead(db, actor, { action: 'personal-data.list-phones', entityType: 'user', entityId: actor.id, detail: { players: withPhones } })
  return { today, items }
}
