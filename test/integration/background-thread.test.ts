// The figures' and the hand-off flags' refreshers run in a thread of their own with their
// own connection (0171), yet do the same work: players queued by a change are recounted and
// judged, and stopping ends the thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../../app/services/audit.server'
import { startRefreshersInThread } from '../../app/services/background-thread.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-constants'
import { buildOrg, playerFields } from '../support/fixtures'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase

beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t.destroy()
})

const queued = async (table: 'figures_queue' | 'qualification_queue') =>
  Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

describe('the background thread', () => {
  it('drains the figures and the hand-off flags of new players from its own connection, and stops', async () => {
    const org = await buildOrg(t.db)
    const ids: number[] = []
    for (let i = 0; i < 5; i++) ids.push(await createPlayer(t.db, { actor: SYSTEM_ACTOR, pii }, { fields: playerFields(`线程企业${i}`), orgUnitId: org.outletA1.id }))
    // Queued as an import or an edit queues them; judged wrongly until the thread judges them.
    await t.db.updateTable('market_players').set({ qualification: 'refused', qualified_products: 'stale' }).where('id', 'in', ids).execute()
    await t.db.insertInto('qualification_queue').values(ids.map((id) => ({ player_id: id }))).onConflict((oc) => oc.doNothing()).execute()
    expect(await queued('figures_queue')).toBeGreaterThanOrEqual(ids.length)

    const refreshers = startRefreshersInThread(t.db, { logLevel: 'warn', figuresIntervalMs: 50, qualificationIntervalMs: 50 })
    try {
      // Both queues empty at the same moment: judging a player queues its figures again, so
      // the figures' queue may fill once more after it was first seen empty.
      await expect.poll(async () => [await queued('figures_queue'), await queued('qualification_queue')], { timeout: 60_000 }).toEqual([0, 0])
      const counted = await t.db.selectFrom('figure_players').select('player_id').where('player_id', 'in', ids).execute()
      expect(counted).toHaveLength(ids.length)
      const judged = await t.db.selectFrom('market_players').select('qualified_products').where('id', 'in', ids).execute()
      expect(judged.map((p) => p.qualified_products)).not.toContain('stale')
    } finally {
      await refreshers.stop()
    }
    // Stopped: what is queued now stays queued.
    await t.db.insertInto('figures_queue').values({ player_id: ids[0] }).execute()
    expect(await queued('figures_queue')).toBe(1)
  })
})
