// Recomputing every player's flags at province scale (1,000,000 market players, 5,000,000
// visits): the full pass the refresher makes after a new catalogue version or on a new day,
// judging each player's first-lender candidacy and hand-off qualification from the player and
// its latest visit's need, and writing what changed. Beside it, in the same run, a raw SQL
// pass over the same rows: the same join, one rule of the tax credit loan counted in SQL.
// Target (issue 6): under 30 s for 1,000,000 players.
import { runFullQualification } from '../../app/services/qualification.server'
import type { TestDatabase } from '../support/test-db'
import type { Benchmark } from './harness'
import { openProvinceCopy } from './province'

const TARGET_S = 30

export const benchmark: Benchmark = {
  name: 'flags',
  async run({ log }) {
    let database: TestDatabase | undefined
    try {
      database = await openProvinceCopy(log)
      const { db } = database
      const sqlite = database.sqlite!
      const count = (sql: string) => Number(sqlite.prepare(sql).pluck().get())
      const players = count('select count(*) from market_players')
      const qualifying = count(`select count(*) from market_players where qualification = 'qualifies'`)
      log(`${players.toLocaleString('en')} players, ${qualifying.toLocaleString('en')} flagged as qualifying by the seed`)

      // Raw: the same rows read with the same join, a rule decided in SQL, nothing written.
      let started = performance.now()
      const raw = sqlite
        .prepare(
          `select count(*) as players,
                  sum(case when v.has_need = 1 and mp.tax_grade in ('A', 'B', 'M') and mp.registration_status = 'active' then 1 else 0 end) as taxCredit
           from market_players mp
           left join visits v on v.player_id = mp.id and v.visited_at = mp.last_visited_at`,
        )
        .get() as { players: number; taxCredit: number }
      const rawSeconds = (performance.now() - started) / 1000
      log(`raw SQL pass: ${rawSeconds.toFixed(1)} s (${raw.taxCredit.toLocaleString('en')} pass the tax credit loan's grade rule)`)

      // 1. Flags already right: the daily pass, reading and judging everyone, writing nothing.
      started = performance.now()
      const steady = await runFullQualification(db, { force: true })
      const steadySeconds = (performance.now() - started) / 1000
      if (!steady || steady.players !== players) throw new Error(`the pass judged ${steady?.players} players, not ${players}`)
      log(`steady pass: ${steadySeconds.toFixed(1)} s, ${steady.changed} changed`)

      // 2. After a catalogue change: every stored flag is wrong and must be written again.
      sqlite.exec(`update market_players set qualification = 'no_need', qualified_products = '' where qualification <> 'no_need'`)
      sqlite.exec(`delete from qualification_queue`)
      started = performance.now()
      const rewrite = await runFullQualification(db, { force: true })
      const rewriteSeconds = (performance.now() - started) / 1000
      if (!rewrite) throw new Error('the pass did not run')
      const after = count(`select count(*) from market_players where qualification = 'qualifies'`)
      if (after !== qualifying) throw new Error(`after the pass ${after} players qualify; the seed flagged ${qualifying}`)
      log(`rewrite pass: ${rewriteSeconds.toFixed(1)} s, ${rewrite.changed.toLocaleString('en')} changed`)

      const verdict = (s: number) => (s < TARGET_S ? 'pass' : 'FAIL')
      return {
        title: `Flags for ${players.toLocaleString('en')} players (candidate and hand-off), full pass`,
        columns: [
          { label: 'pass', align: 'left' },
          { label: 'players', align: 'right' },
          { label: 'written', align: 'right' },
          { label: 'time', align: 'right' },
          { label: 'raw SQL', align: 'right' },
          { label: '× raw', align: 'right' },
          { label: `target < ${TARGET_S} s`, align: 'left' },
        ],
        rows: [
          ['steady (daily)', players.toLocaleString('en'), steady.changed.toLocaleString('en'), `${steadySeconds.toFixed(1)} s`, `${rawSeconds.toFixed(1)} s`, `${(steadySeconds / rawSeconds).toFixed(1)}×`, verdict(steadySeconds)],
          ['after a catalogue change', players.toLocaleString('en'), rewrite.changed.toLocaleString('en'), `${rewriteSeconds.toFixed(1)} s`, `${rawSeconds.toFixed(1)} s`, `${(rewriteSeconds / rawSeconds).toFixed(1)}×`, verdict(rewriteSeconds)],
        ],
        notes: [
          'Raw SQL: the same join of each player with its latest visit, one rule counted in SQL, nothing written.',
          `Qualifying after the rewrite: ${after.toLocaleString('en')}, as the seed flagged them.`,
        ],
      }
    } finally {
      await database?.destroy()
    }
  },
}
