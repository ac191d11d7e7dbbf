// The refreshers' daily and rare jobs beside the serving thread's writes on SQLite (issue 22,
// decision 0841): the qualification pass and the queue's drain, the map cells' rebuild and
// the clock sums' rebuild never hold the write lock for more than a slice and its commit
// while a request waits for it. The request's write is made on the serving connection
// (SERVING_CONNECTION), which waits for the lock between turns; each job runs on a
// background connection, as in its thread. The slices are watched through the jobs' hooks,
// never the clock: time never ends a transaction here (a minute's budget), only the waiting
// write does. SQLite only: PostgreSQL's row locks keep no writer waiting.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { lockQueue, openDatabase, SERVING_CONNECTION, sqliteHandleOf, type DatabaseHandle } from '../../db/connection.server'
import { openClocksFor } from '../../app/services/clocks/open-clocks.server'
import { rebuildClockSums } from '../../app/services/clocks/clock-sums.server'
import { MAP_SLICE, rebuildMapCells } from '../../app/services/map-cells.server'
import { drainQualificationQueue, QUALIFICATION_SLICE, runFullQualification } from '../../app/services/qualification.server'
import { WAIT_MS } from '../support/test-constants'
import { createSeededTestDatabase, type TestDatabase } from '../support/test-db'

let t: TestDatabase
let background: DatabaseHandle
let server: DatabaseHandle
let orgUnitId: number

beforeAll(async () => {
  t = await createSeededTestDatabase({ seed: 12, players: 1_500 })
  background = openDatabase(t.url, { yieldAfterCommit: true })
  server = openDatabase(t.url, SERVING_CONNECTION)
  orgUnitId = (await t.db.selectFrom('org_units').select('id').orderBy('id').executeTakeFirstOrThrow()).id
})
afterAll(async () => {
  await background.db.destroy()
  await server.db.destroy()
  await t.destroy()
})

/**
 * A request's write on the serving connection, made at the first slice of a job's first
 * transaction and seen waiting for the lock there; `commits()` the job's commits so far. The
 * answer says after how many commits the write went through.
 */
function writeAtFirstSlice(commits: () => number) {
  let write: Promise<unknown> | null = null
  let writtenAfter: number | null = null
  return {
    onSlice: async () => {
      if (write) return
      write = server.db
        .updateTable('org_units')
        .set({ name: `等切片 ${Math.random()}` })
        .where('id', '=', orgUnitId)
        .execute()
        .then(() => (writtenAfter = commits()))
      await vi.waitFor(() => expect(lockQueue().waiting).toBe(1), { timeout: WAIT_MS, interval: 1 })
    },
    written: async () => {
      expect(write).not.toBeNull()
      await write
      return writtenAfter
    },
  }
}

const count = async (table: 'market_players' | 'qualification_queue' | 'map_cells') =>
  Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

describe('the refreshers\' jobs beside a request\'s write on SQLite', () => {
  it('the qualification pass commits after the slice under way when a request waits for the lock', async () => {
    // 5,000 players a transaction before (0791's Consequences): the write waited for all of them.
    const players = await count('market_players')
    expect(players).toBeGreaterThan(4 * QUALIFICATION_SLICE)
    // Flags a pass corrects, so that its slices write.
    await t.db.updateTable('market_players').set({ candidate_reasons: '["stale"]' }).execute()
    const commits: number[] = []
    const request = writeAtFirstSlice(() => commits.length)
    const pass = await runFullQualification(background.db, { force: true, transactionMs: 60_000, onSlice: request.onSlice, onTransaction: (judged) => commits.push(judged) })
    expect(commits[0]).toBe(QUALIFICATION_SLICE)
    expect(await request.written()).toBeLessThanOrEqual(1)
    expect(pass).toEqual({ players, changed: players })
    expect(commits.at(-1)).toBe(players)
    // The same verdicts as one transaction's: a pass after it finds nothing to correct.
    expect(await runFullQualification(t.db, { force: true })).toEqual({ players, changed: 0 })
    expect((await t.db.selectFrom('qualification_state').select(['done', 'total', 'running_since']).executeTakeFirstOrThrow())).toEqual({ done: players, total: players, running_since: null })
  })

  it('the qualification queue\'s drain commits after the slice under way when a request waits for the lock', async () => {
    await t.db.deleteFrom('qualification_queue').execute()
    await t.db.insertInto('qualification_queue').columns(['player_id']).expression(t.db.selectFrom('market_players').select('id')).execute()
    const queued = await count('qualification_queue')
    expect(queued).toBeGreaterThan(4 * QUALIFICATION_SLICE)
    const commits: number[] = []
    const request = writeAtFirstSlice(() => commits.length)
    const judged = await drainQualificationQueue(background.db, { transactionMs: 60_000, onSlice: request.onSlice, onTransaction: (judged) => commits.push(judged) })
    expect(commits[0]).toBe(QUALIFICATION_SLICE)
    expect(await request.written()).toBeLessThanOrEqual(1)
    expect(judged).toBe(queued)
    expect(await count('qualification_queue')).toBe(0)
  })

  it('the map cells\' rebuild commits after the slice under way when a request waits for the lock', async () => {
    // 4,096 cells a transaction before, at nice 10.
    let commits = 0
    let slices = 0
    const slicesAtCommit: number[] = []
    const request = writeAtFirstSlice(() => commits)
    const rebuilt = await rebuildMapCells(background.db, {
      transactionMs: 60_000,
      onSlice: async () => {
        slices++
        await request.onSlice()
      },
      onTransaction: () => {
        slicesAtCommit.push(slices)
        commits++
      },
    })
    expect(rebuilt.cells).toBeGreaterThan(4 * MAP_SLICE)
    // The first transaction ended with the slice under way when the request waited.
    expect(slicesAtCommit[0]).toBe(1)
    expect(await request.written()).toBeLessThanOrEqual(1)
    expect(await count('map_cells')).toBe(rebuilt.cells)
    // A second rebuild writes the same cells and deletes the first's, both in slices.
    const again = await rebuildMapCells(background.db, { transactionMs: 0 })
    expect(again.cells).toBe(rebuilt.cells)
    expect(await count('map_cells')).toBe(rebuilt.cells)
  })

  describe('the clock sums\' rebuild', () => {
    const NOW = new Date('2026-11-20T04:00:00.000Z')
    const sums = () => t.db.selectFrom('clock_sums').selectAll().orderBy('month').orderBy('org_unit_id').orderBy('officer_id').execute()

    beforeAll(async () => {
      // Clocks for a few hundred of the seeded players, over two months.
      const players = await t.db.selectFrom('market_players').select('id').where('assigned_officer_id', 'is not', null).orderBy('id').limit(400).execute()
      for (const [i, p] of players.entries())
        await t.db
          .updateTable('market_players')
          .set({ channel: i % 2 ? 'loan_qr' : 'working_group', channel_at: new Date(Date.parse('2026-10-01T01:00:00Z') + i * 3 * 3_600_000).toISOString() })
          .where('id', '=', p.id)
          .execute()
      await t.db.transaction().execute((trx) => openClocksFor(trx, players.map((p) => p.id)))
      expect(Number((await t.db.selectFrom('player_clocks').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThan(100)
    })

    it('counts without holding the write lock: a request writes at once meanwhile, and the sums come out as one transaction\'s', async () => {
      // One transaction counting every clock and referral before: a write waited for all of it.
      await rebuildClockSums(background.db, new Date(NOW.getTime() - 86_400_000))
      let counted = false
      await rebuildClockSums(background.db, NOW, {
        beforeWrite: async () => {
          counted = true
          // Counted, and no transaction of the rebuild's open.
          expect(sqliteHandleOf(background.db)!.inTransaction).toBe(false)
          // The request's write goes through while the rebuild has counted and not written;
          // it moves a clocked player to another officer and meets a clock: both groups marked.
          const [moved, met] = await server.db.selectFrom('player_clocks').select('player_id').orderBy('player_id').limit(2).execute()
          const officer = await server.db.selectFrom('users').select('id').where('role', '=', 'officer').orderBy('id', 'desc').executeTakeFirstOrThrow()
          await server.db.updateTable('market_players').set({ assigned_officer_id: officer.id }).where('id', '=', moved!.player_id).execute()
          await server.db.updateTable('player_clocks').set({ contacted_at: NOW.toISOString() }).where('player_id', '=', met!.player_id).execute()
          expect(await server.db.selectFrom('clock_sums_dirty').selectAll().execute()).not.toHaveLength(0)
        },
      })
      expect(counted).toBe(true)
      const written = await sums()
      expect(written.length).toBeGreaterThan(0)
      expect(await t.db.selectFrom('clock_sums_dirty').selectAll().execute()).toHaveLength(0)
      expect((await t.db.selectFrom('clock_sums_state').select('as_of').executeTakeFirstOrThrow()).as_of).toBe(NOW.toISOString())
      // A rebuild at the same moment with nothing written meanwhile counts the same sums.
      await rebuildClockSums(background.db, NOW)
      expect(await sums()).toEqual(written)
    })

    it('gives way to another rebuild that wrote while it counted', async () => {
      const later = new Date(NOW.getTime() + 3_600_000)
      await rebuildClockSums(background.db, new Date(NOW.getTime() + 60_000), {
        beforeWrite: async () => {
          await server.db.updateTable('player_clocks').set({ decided_at: later.toISOString() }).where('player_id', '=', (await server.db.selectFrom('player_clocks').select('player_id').orderBy('player_id', 'desc').executeTakeFirstOrThrow()).player_id).execute()
          await rebuildClockSums(server.db, later)
        },
      })
      expect((await t.db.selectFrom('clock_sums_state').select('as_of').executeTakeFirstOrThrow()).as_of).toBe(later.toISOString())
      const written = await sums()
      await rebuildClockSums(t.db, later)
      expect(await sums()).toEqual(written)
    })
  })
})
