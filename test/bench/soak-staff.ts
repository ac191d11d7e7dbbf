// The several-servers soak's own database when no seeded one is given (SOAK_SERVERS=3
// without SOAK_DATABASE_URL): a fresh PostgreSQL database on TEST_DATABASE_URL's server with
// the demo county (fewer players) and as many officers as the soak asks (2,000, a province's
// staff), each holding their share of the players. Minutes, not the province's 30-minute
// seed: the soak measures the servers' pages under many people, not the province's size.
// Also the officers whose pages the soak and the QR bench ask for (officersHoldingPlayers).
import type { Kysely } from 'kysely'
import { hashInitialPassword } from '../../app/services/password.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import type { Database } from '../../db/schema'
import { DEMO_PASSWORD, seedDatabase } from '../../db/seed/index'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { TEST_DATA_KEY } from '../support/test-server'

/** The first `limit` active officers (by id) who hold players: the ones whose pages the benches ask for. */
export function officersHoldingPlayers(db: Kysely<Database>, limit: number): Promise<{ id: number; username: string }[]> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.username'])
    .where('users.role', '=', 'officer')
    .where('users.active', '=', 1)
    .where((eb) => eb.exists(eb.selectFrom('market_players').select('market_players.id').whereRef('market_players.assigned_officer_id', '=', 'users.id')))
    .orderBy('users.id')
    .limit(limit)
    .execute()
}

/** Players per officer in the staff database. */
const PLAYERS_EACH = 5

export async function openStaffDatabase(officers: number, log: (message: string) => void): Promise<TestDatabase & { dataKey: string }> {
  if (!process.env.TEST_DATABASE_URL) throw new Error('several app servers share one PostgreSQL: set SOAK_DATABASE_URL (a seeded database) or TEST_DATABASE_URL (a server to make one on)')
  process.env.WANQI_TEST_DIALECT = 'postgres'
  const database = await createTestDatabase()
  const { db } = database
  log(`seeding the county with ${(officers * PLAYERS_EACH).toLocaleString('en')} players on PostgreSQL`)
  await seedDatabase(db, { scale: 'county', seed: 22, pii: createPersonalDataCipher(TEST_DATA_KEY), players: officers * PLAYERS_EACH, log })
  const seeded = await db.selectFrom('users').selectAll().where('role', '=', 'officer').orderBy('id').execute()
  // The soak signs every officer in: a one-time password's cheaper hash (verifying reads
  // the cost stored with it) keeps 2,000 sign-ins to a minute on a busy machine.
  const hash = await hashInitialPassword(DEMO_PASSWORD)
  const extra = Array.from({ length: Math.max(0, officers - seeded.length) }, (_, i) => {
    const like = seeded[i % seeded.length]
    return { username: `soak_officer${i + 1}`, name: `压测客户经理${i + 1}`, role: 'officer' as const, org_unit_id: like.org_unit_id, active: 1, password_hash: hash, created_at: like.created_at, updated_at: like.updated_at }
  })
  for (let i = 0; i < extra.length; i += 500) await db.insertInto('users').values(extra.slice(i, i + 500)).execute()
  await db.updateTable('users').set({ password_hash: hash }).where('role', 'in', ['officer', 'manager', 'hq']).execute()
  // Every officer takes PLAYERS_EACH players of their own, round the list.
  const all = (await db.selectFrom('users').select('id').where('role', '=', 'officer').orderBy('id').execute()).map((u) => u.id)
  const players = (await db.selectFrom('market_players').select('id').orderBy('id').execute()).map((p) => p.id)
  const shares = all.map(() => [] as number[])
  players.forEach((id, i) => shares[i % all.length].push(id))
  for (let o = 0; o < all.length; o++) if (shares[o].length) await db.updateTable('market_players').set({ assigned_officer_id: all[o] }).where('id', 'in', shares[o]).execute()
  log(`${all.length.toLocaleString('en')} officers hold ${players.length.toLocaleString('en')} players`)
  return Object.assign(database, { dataKey: TEST_DATA_KEY })
}
