// The audit log is append-only: this module only ever inserts into it.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/schema'

export type Db = Kysely<Database> | Transaction<Database>

export interface Actor {
  id: number | null
  username: string | null
  ip: string | null
}

export const SYSTEM_ACTOR: Actor = { id: null, username: 'system', ip: null }

export async function recordAudit(
  db: Db,
  actor: Actor,
  entry: { action: string; entityType: string; entityId?: string | number | null; detail?: unknown },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: new Date().toISOString(),
      actor_id: actor.id,
      actor_username: actor.username,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
      ip: actor.ip,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    })
    .execute()
}

export async function findAuditEntries(db: Db, filter: { entityType?: string; entityId?: string; limit?: number }) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100)
  if (filter.entityType) q = q.where('entity_type', '=', filter.entityType)
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId)
  return q.execute()
}
