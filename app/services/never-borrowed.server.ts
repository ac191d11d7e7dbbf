// PRODUCT.md, "First-lender candidate and first lender": how often each source list's
// "never borrowed" was right. Of the players disbursed in the period whose loan history was
// `none` when referred, per the list that brought them in: how many the loan system flagged
// first lender, how many it flagged not, how many it sent no flag for; the share right is
// flagged ÷ those with a flag. Split by the player's channel too (a working group's list, the
// loan QR code, a platform, the bank's own lists: issue 25). Counted straight (a few rows per
// list and channel), in scope.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { Channel } from '../domain/channels'
import { ratio, type Period } from '../domain/figures'
import { periodBounds, type FigureScope } from './figures.server'
import { scoped } from './scope.server'

export interface NeverBorrowedRow {
  source: string
  channel: Channel
  players: number
  flagged: number
  notFlagged: number
  unflagged: number
  /** flagged ÷ (flagged + notFlagged); null when the loan system flagged none either way. */
  right: number | null
}

/** Per source list and channel. */
export async function neverBorrowedBySource(db: Kysely<Database>, scope: FigureScope, period: Period): Promise<NeverBorrowedRow[]> {
  const { from, until } = periodBounds(period)
  let q = db.selectFrom('market_players').innerJoin('referrals', 'referrals.player_id', 'market_players.id')
  for (const s of scope.scopes) q = q.where(scoped(s))
  if (scope.territoryId !== undefined) q = q.where('market_players.territory_id', '=', scope.territoryId)
  if (scope.township !== undefined) q = q.where('market_players.township_code', '=', scope.township)
  // A player counts once per list: flagged when any of its loans in the period was.
  const players = q
    .where('referrals.disbursed_at', '>=', from)
    .where('referrals.disbursed_at', '<', until)
    .where('referrals.first_lender', '=', 1)
    .select([
      'market_players.id',
      'market_players.source',
      'market_players.channel',
      sql<number>`max(case when referrals.lender_flag = 1 then 1 else 0 end)`.as('flagged'),
      sql<number>`max(case when referrals.lender_flag = 0 then 1 else 0 end)`.as('not_flagged'),
    ])
    .groupBy(['market_players.id', 'market_players.source', 'market_players.channel'])
  const rows = await db
    .selectFrom(players.as('p'))
    .select([
      'p.source',
      'p.channel',
      (eb) => eb.fn.countAll<number>().as('players'),
      sql<number>`sum(case when p.flagged = 1 then 1 else 0 end)`.as('flagged'),
      sql<number>`sum(case when p.flagged = 0 and p.not_flagged = 1 then 1 else 0 end)`.as('notFlagged'),
    ])
    .groupBy(['p.source', 'p.channel'])
    .orderBy('p.source')
    .orderBy('p.channel')
    .execute()
  return rows.map((r) => {
    const players = Number(r.players)
    const flagged = Number(r.flagged)
    const notFlagged = Number(r.notFlagged)
    return { source: r.source, channel: r.channel, players, flagged, notFlagged, unflagged: players - flagged - notFlagged, right: ratio(flagged, flagged + notFlagged) }
  })
}
