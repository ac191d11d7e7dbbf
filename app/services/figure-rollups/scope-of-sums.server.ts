// Which rows of the sums a read of a scope takes, and the snapshot its reads share: the scope
// with its org units looked up once, and the players still queued (whose corrections the
// read makes itself, sums.server.ts).
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Db } from '../audit.server'
import type { FigureScope } from '../figures.server'
import { orgUnitIdsOf } from '../scope.server'
import { BANK, type Group } from './counted-players.server'

/** A scope with its org units looked up once: the ids every org condition allows (null: no org condition). */
export interface Resolved {
  scope: FigureScope
  orgIds: number[] | null
}

async function resolve(db: Db, scope: FigureScope): Promise<Resolved> {
  return { scope, orgIds: await orgUnitIdsOf(db, scope.scopes) }
}

/** Whether a group lies in the scope, for the players still queued. */
export function groupFilter({ scope, orgIds }: Resolved): (g: Group) => boolean {
  const org = orgIds === null ? null : new Set(orgIds)
  const officers = scope.scopes.flatMap((s) => (s.kind === 'own' ? [s.userId] : []))
  return (g) => (org === null || org.has(g.orgUnitId)) && officers.every((id) => g.officerId === id) && (scope.township === undefined || g.township === scope.township)
}

/** Whether a read covers the whole bank, or one township of it, with no other condition. */
const bankWide = (scope: FigureScope) => scope.scopes.every((s) => s.kind === 'all')

/**
 * The rows of the scope's groups (or the bank's own rows when they hold the read). The org
 * units go in as a list of ids, which the key's second column takes (a subquery there would
 * leave SQLite scanning every group of the period).
 */
export function inScope<T extends 'figure_rollup' | 'figure_leads'>(db: Db, table: T, { scope, orgIds }: Resolved, by: Dimension | null) {
  const q = db.selectFrom(table as 'figure_rollup')
  if (bankWide(scope) && (by === null || by === 'township_code')) {
    const bank = q.where('org_unit_id', '=', BANK.orgUnitId).where('officer_id', '=', BANK.officerId)
    if (scope.township !== undefined) return bank.where('township_code', '=', scope.township)
    return by === null ? bank.where('township_code', '=', BANK.township) : bank.where('township_code', '<>', BANK.township)
  }
  let groups = orgIds === null ? q.where('org_unit_id', '<>', BANK.orgUnitId) : q.where('org_unit_id', 'in', orgIds.length ? orgIds : [-1])
  const officers = scope.scopes.some((s) => s.kind === 'own')
  if (!officers && scope.township === undefined && by !== 'officer_id' && by !== 'township_code') return groups.where('officer_id', '=', 0).where('township_code', '=', '*')
  groups = groups.where('township_code', '<>', '*')
  for (const s of scope.scopes) if (s.kind === 'own') groups = groups.where('officer_id', '=', s.userId)
  if (scope.township !== undefined) groups = groups.where('township_code', '=', scope.township)
  return groups
}

/** What the sums can be split by: a group's org unit, officer or township. */
export type Dimension = 'org_unit_id' | 'officer_id' | 'township_code'
export const dimensionOf = (g: Group, by: Dimension | null): string => (by === 'org_unit_id' ? String(g.orgUnitId) : by === 'officer_id' ? String(g.officerId) : by === 'township_code' ? g.township : '*')

/** What the reads of one snapshot share: the scope with its org units, and the players still queued. */
export interface Snapshot {
  resolved: Resolved
  queued: number[]
}

async function snapshotOf(db: Db, scope: FigureScope): Promise<Snapshot> {
  const resolved = await resolve(db, scope)
  const queued = (await db.selectFrom('figures_queue').select('player_id').execute()).map((q) => q.player_id)
  return { resolved, queued }
}

/** Reads in one snapshot (`inSnapshot`), the scope resolved and the queue read once for all. */
export function inScopeSnapshot<T>(db: Kysely<Database>, scope: FigureScope, read: (trx: Db, snapshot: Snapshot) => Promise<T>): Promise<T> {
  return inSnapshot(db, async (trx) => read(trx, await snapshotOf(trx, scope)))
}

/** A read of the sums in one snapshot (PostgreSQL: repeatable read; SQLite: a transaction). */
function inSnapshot<T>(db: Kysely<Database>, read: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read)
}
