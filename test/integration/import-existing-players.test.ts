// How an import finds the players its rows name: within the importing unit's subtree, and
// through the key's own index. Given a chunk of 500 keys and no statistics (every fresh
// import), SQLite's planner took the unit's index instead and read every player of the unit
// for each chunk: a 100,000-row import spent more time there than inserting (0241).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existingInScope } from '../../app/services/import/apply-batch.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { newPlayerColumns } from '../../app/services/player-record.server'
import { buildOrg, playerFields } from '../support/fixtures'
import { makeUscc } from '../support/lists'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-server'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let org: Awaited<ReturnType<typeof buildOrg>>

beforeAll(async () => {
  t = await createTestDatabase()
  org = await buildOrg(t.db)
  const now = new Date().toISOString()
  const player = (serial: number, orgUnitId: number) => ({
    ...newPlayerColumns(playerFields(`第${serial}号商贸有限公司`, { uscc: makeUscc(serial) }), pii, () => undefined),
    org_unit_id: orgUnitId,
    source: 'tax' as const,
    campaign_status: 'not_visited' as const,
    created_at: now,
    updated_at: now,
  })
  await t.db.insertInto('market_players').values([player(1, org.outletA1.id), player(2, org.outletA2.id), player(3, org.outletB1.id)]).execute()
})
afterAll(async () => {
  await t?.destroy()
})

describe('the players an import finds', () => {
  const keys = [makeUscc(1), makeUscc(2), makeUscc(3), ...Array.from({ length: 497 }, (_, i) => makeUscc(100 + i))]

  it("are the importing unit's subtree's only, looked up by their key's index (SQLite has no statistics yet)", async () => {
    const { path } = await t.db.selectFrom('org_units').select('path').where('id', '=', org.branchA.id).executeTakeFirstOrThrow()
    const found = await existingInScope(t.db, 'uscc', keys, path).execute()
    expect(found.map((p) => p.uscc)).toEqual([makeUscc(1), makeUscc(2)])
    // PostgreSQL plans by its own statistics; SQLite's planner is the one that went wrong.
    if (t.dialect !== 'sqlite') return
    for (const column of ['uscc', 'match_key'] as const) {
      const query = existingInScope(t.db, column, keys, path).compile()
      const plan = (t.sqlite!.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[]).map((s) => s.detail)
      expect(plan.find((detail) => detail.includes('market_players '))).toMatch(
        column === 'uscc' ? /USING INDEX sqlite_autoindex_market_players_1 \(uscc=\?\)/ : /USING INDEX market_players_match \(match_key=\?\)/,
      )
    }
  })
})
