// A committed list of a clocked channel (a working group's recommendation list, a platform's
// applications): every firm on it takes the list's channel and date, and its clocks open, in
// the transaction that finishes the import job.
import type { Transaction } from 'kysely'
import type { Database, ImportJob } from '../../../db/schema'
import { openClocksFor } from './open-clocks.server'

export async function applyListChannel(trx: Transaction<Database>, job: ImportJob): Promise<void> {
  if (job.channel === 'own_list' || job.channel_at === null) return
  const inserted = await trx.selectFrom('market_players').select('id').where('import_job_id', '=', job.id).execute()
  const listed = await trx.selectFrom('player_sources').select('player_id as id').where('import_job_id', '=', job.id).execute()
  const ids = [...new Set([...inserted, ...listed].map((r) => r.id))]
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000)
    // A player already clocked by an earlier list keeps that list's channel and clocks.
    await trx
      .updateTable('market_players')
      .set({ channel: job.channel, channel_at: job.channel_at, channel_group: job.channel_group })
      .where('id', 'in', chunk)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('player_clocks').select('player_clocks.player_id').whereRef('player_clocks.player_id', '=', 'market_players.id'))))
      .execute()
    await openClocksFor(trx, chunk)
  }
}
