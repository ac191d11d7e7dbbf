import { Migrator, NO_MIGRATIONS, type Kysely, type MigrationResultSet } from 'kysely'
import { migrations } from './migrations/index'

const provider = { getMigrations: async () => migrations }

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const result = await new Migrator({ db, provider }).migrateToLatest()
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`, {
      cause: result.error,
    })
  }
  return result
}

/** How many migrations this database has applied. */
export async function countAppliedMigrations(db: Kysely<any>): Promise<number> {
  const all = await new Migrator({ db, provider }).getMigrations()
  return all.filter((m) => m.executedAt !== undefined).length
}

/** How many of this version's migrations this database has not applied (0: it is at this version or a newer one). */
export async function countPendingMigrations(db: Kysely<any>): Promise<number> {
  const all = await new Migrator({ db, provider }).getMigrations()
  return all.filter((m) => m.executedAt === undefined).length
}

/** Undoes every migration: an empty database, on either dialect. */
export async function resetDatabase(db: Kysely<any>): Promise<void> {
  const result = await new Migrator({ db, provider }).migrateTo(NO_MIGRATIONS)
  if (result.error) throw result.error as Error
}
