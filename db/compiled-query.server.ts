// Statements a hot path runs with the same shape every time (a loan QR try's, every audit
// entry's), built and compiled by Kysely once per database and dialect, then run with the
// values of the call. Building a query's tree and compiling it to SQL was a third of an
// accepted loan QR try's thread time (decision 0641's profile; issue 25, decision 0721); the
// SQL is the same each time, so only the values need passing (better-sqlite3's prepared
// statement is kept by its text, connection.server.ts).
//
// `build` gets a `slot(n)` standing for the n-th value: it must give the same shape whatever
// the values (no value decides a column, a join or an `in` list's length), and every value it
// uses must be a slot. Constants written in it stay as compiled.
import { CompiledQuery, type Compilable, type Kysely, type Transaction } from 'kysely'
import type { Database } from './schema'

type Db = Kysely<Database> | Transaction<Database>

/** Stands for the n-th value of the call in a query built once (of any column's type). */
export type Slot = (index: number) => never

const SLOT = '\u0000wanqi-slot:'

interface Kept {
  sql: string
  /** Each parameter: a slot's index, or a constant written in the query. */
  parameters: ({ slot: number } | { constant: unknown })[]
}

// Per database handle's adapter (a transaction shares its handle's): the SQL differs by dialect.
const keptBy = new WeakMap<object, Map<string, Kept>>()

function keptFor(db: Db, name: string, build: (db: Db, slot: Slot) => Compilable<unknown>): Kept {
  const adapter = db.getExecutor().adapter
  let byName = keptBy.get(adapter)
  if (!byName) keptBy.set(adapter, (byName = new Map()))
  let kept = byName.get(name)
  if (!kept) {
    const compiled = build(db, ((index: number) => `${SLOT}${index}`) as unknown as Slot).compile()
    kept = {
      sql: compiled.sql,
      parameters: compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(SLOT) ? { slot: Number(p.slice(SLOT.length)) } : { constant: p })),
    }
    byName.set(name, kept)
  }
  return kept
}

/**
 * Runs the statement `name` (built by `build` the first time on this database) with `values`;
 * answers its rows (none for a statement without `returning`).
 */
export async function runCompiled<R>(db: Db, name: string, build: (db: Db, slot: Slot) => Compilable<R>, values: readonly unknown[]): Promise<R[]> {
  const kept = keptFor(db, name, build)
  const parameters = kept.parameters.map((p) => ('slot' in p ? values[p.slot] : p.constant))
  const result = await db.executeQuery<R>(CompiledQuery.raw(kept.sql, parameters))
  return result.rows
}
