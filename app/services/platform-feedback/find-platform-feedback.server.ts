// What a credit platform is told about its applications (PRODUCT.md "Channels and clocks":
// "decision within 10 working days; refusal reasons reported back"): per decided application
// the platform's reference, the decision, the refusal reason's code from the code list, the
// decision's date and the amount. Scoped in the query; one platform at a time (a platform's
// token, or the list the bank exports).
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { chinaDay } from '../../domain/china-time'
import type { Scope } from '../../domain/scope'
import { scoped } from '../scope.server'

export interface PlatformFeedbackRow {
  playerId: number
  applicationRef: string | null
  platform: string | null
  name: string
  uscc: string | null
  /** null: not decided yet (only when asked for `undecided` too). */
  decision: 'approved' | 'refused' | null
  reasonCode: string | null
  note: string | null
  decidedAt: string | null
  /** The China day of the decision. */
  decidedOn: string | null
  amountYuan: number | null
}

export interface PlatformFeedbackFilter {
  /** The platform's name as its lists were imported under. */
  platform?: string
  /** The players of one imported list. */
  importJobId?: number
  /** Decisions at or after (ISO instant). */
  since?: string
  /** Decisions before (ISO instant). */
  until?: string
  limit?: number
  /** The applications not decided yet too (the exported file lists every application of a list). */
  undecided?: boolean
}

export async function findPlatformFeedback(db: Kysely<Database>, scope: Scope, filter: PlatformFeedbackFilter): Promise<PlatformFeedbackRow[]> {
  let query = db
    .selectFrom('player_clocks')
    .innerJoin('market_players', 'market_players.id', 'player_clocks.player_id')
    .select([
      'player_clocks.player_id as playerId',
      'market_players.channel_ref as applicationRef',
      'market_players.channel_group as platform',
      'market_players.name',
      'market_players.uscc',
      'player_clocks.decision',
      'player_clocks.refusal_reason as reasonCode',
      'player_clocks.refusal_note as note',
      'player_clocks.decided_at as decidedAt',
      'player_clocks.amount_yuan as amountYuan',
    ])
    // Through the partial index of the platforms' decisions (0024): its condition as a literal,
    // which SQLite's planner needs to match it.
    .where(sql<boolean>`player_clocks.channel = 'credit_platform'`)
    .where(scoped(scope))
  if (!filter.undecided) query = query.where('player_clocks.decided_at', 'is not', null)
  if (filter.platform !== undefined) query = query.where('market_players.channel_group', '=', filter.platform)
  if (filter.since !== undefined) query = query.where('player_clocks.decided_at', '>=', filter.since)
  if (filter.until !== undefined) query = query.where('player_clocks.decided_at', '<', filter.until)
  if (filter.importJobId !== undefined) {
    const job = filter.importJobId
    query = query.where((eb) =>
      eb.or([
        eb('market_players.import_job_id', '=', job),
        eb('market_players.id', 'in', eb.selectFrom('player_sources').select('player_sources.player_id').where('player_sources.import_job_id', '=', job)),
      ]),
    )
  }
  const rows = await query
    .orderBy('player_clocks.decided_at')
    .orderBy('player_clocks.player_id')
    .limit(filter.limit ?? 10_000)
    .execute()
  return rows.map((r) => ({
    ...r,
    decidedOn: r.decidedAt === null ? null : chinaDay(r.decidedAt),
    amountYuan: r.amountYuan === null ? null : Number(r.amountYuan),
  }))
}
