// The audit log is append-only: this module only ever inserts into it.
import { sql, type Kysely, type Transaction } from 'kysely'
import { runCompiled, type Slot } from '../../db/compiled-query.server'
import type { Database } from '../../db/schema'
import { displayAddress } from '../domain/audit-actions'
import { chinaDateTime, chinaMidnight } from '../domain/china-time'
import { csvLine } from '../domain/csv'
import type { Translate } from '../i18n/index'

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
  // Built once per database (db/compiled-query.server.ts): every change writes one.
  await runCompiled(db, 'audit.insert', insertEntry, [
    new Date().toISOString(),
    actor.id,
    actor.username,
    entry.action,
    entry.entityType,
    entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
    // An IPv4 client reached through an IPv6 socket is stored as people write it.
    displayAddress(actor.ip),
    entry.detail === undefined ? null : JSON.stringify(entry.detail),
  ])
}

const insertEntry = (db: Db, slot: Slot) =>
  db.insertInto('audit_log').values({
    at: slot(0),
    actor_id: slot(1),
    actor_username: slot(2),
    action: slot(3),
    entity_type: slot(4),
    entity_id: slot(5),
    ip: slot(6),
    detail: slot(7),
  })

/** How long a repeated read of the same personal data stays one audit entry. */
export const REPEATED_READ_WINDOW_MS = 30 * 60_000

/**
 * Records a read that pages repeat on their own (the officer's list reloads after every
 * visit sent and every sync) once: not again while the same actor's same action, on the
 * same record with the same detail, was recorded within the window. What changes is
 * recorded at once.
 */
export async function recordRepeatedRead(
  db: Db,
  actor: Actor,
  entry: { action: string; entityType: string; entityId?: string | number | null; detail?: unknown },
  now: Date = new Date(),
): Promise<boolean> {
  const since = new Date(now.getTime() - REPEATED_READ_WINDOW_MS).toISOString()
  const entityId = entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId)
  let q = db
    .selectFrom('audit_log')
    .select('detail')
    .where('action', '=', entry.action)
    .where('entity_type', '=', entry.entityType)
    .where('at', '>=', since)
    .orderBy('id', 'desc')
    .limit(1)
  q = actor.id === null ? q.where('actor_id', 'is', null) : q.where('actor_id', '=', actor.id)
  q = entityId === null ? q.where('entity_id', 'is', null) : q.where('entity_id', '=', entityId)
  const last = await q.executeTakeFirst()
  const detail = entry.detail === undefined ? null : JSON.stringify(entry.detail)
  if (last && last.detail === detail) return false
  await recordAudit(db, actor, entry)
  return true
}

/** Who can be picked in the log's filter: every user, by user name, and the system. */
export async function listAuditActors(db: Db): Promise<{ username: string; name: string }[]> {
  const users = await db.selectFrom('users').select(['username', 'name']).orderBy('username').execute()
  return [{ username: 'system', name: 'system' }, ...users]
}

export async function findAuditEntries(db: Db, filter: { entityType?: string; entityId?: string; limit?: number }) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100)
  if (filter.entityType) q = q.where('entity_type', '=', filter.entityType)
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId)
  return q.execute()
}

/** What the admin page filters the log by. Dates are China days (UTC+8), both included. */
export interface AuditFilter {
  /** A user name, exactly (they are stored lower-case). */
  actor?: string
  /** An action and its sub-actions: `sign_in` also finds `sign_in.failed`. */
  action?: string
  entityType?: string
  entityId?: string
  from?: string
  to?: string
  /** The start of the client's address: `10.2.` or `fe80:`. */
  ipPrefix?: string
}

export const AUDIT_PAGE_SIZE = 50

/** The log filtered, as one query both the page and the export read. Ids order it: newest last written, highest id. */
function filteredEntries(db: Db, filter: AuditFilter) {
  let q = db.selectFrom('audit_log')
  if (filter.actor) q = q.where('actor_username', '=', filter.actor)
  if (filter.action) {
    const action = filter.action
    // substr, not LIKE: `_` in `sign_in` would be a wildcard.
    q = q.where((eb) => eb.or([eb('action', '=', action), eb(sql<string>`substr(action, 1, ${sql.lit(action.length + 1)})`, '=', `${action}.`)]))
  }
  if (filter.entityType) q = q.where('entity_type', '=', filter.entityType)
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId)
  if (filter.from) q = q.where('at', '>=', chinaMidnight(filter.from))
  if (filter.to) q = q.where('at', '<', chinaMidnight(filter.to, 1))
  // The filter lets only [0-9a-f.:] through, so the prefix carries no wildcard.
  // Entries written before addresses were normalised carry `::ffff:` before an IPv4 address.
  const ipPrefix = filter.ipPrefix
  if (ipPrefix) q = q.where((eb) => eb.or([eb('ip', 'like', `${ipPrefix}%`), eb('ip', 'like', `::ffff:${ipPrefix}%`)]))
  return q
}

/** A page of the filtered log, newest first: the entries older than `before`, and the cursor to the next page. */
export async function listAuditEntries(db: Db, filter: AuditFilter, page: { before?: number; size?: number } = {}) {
  const size = page.size ?? AUDIT_PAGE_SIZE
  let q = filteredEntries(db, filter).selectAll()
  if (page.before !== undefined) q = q.where('id', '<', page.before)
  const rows = await q.orderBy('id', 'desc').limit(size + 1).execute()
  const entries = rows.slice(0, size)
  return { entries, nextBefore: rows.length > size ? entries[entries.length - 1].id : null }
}

const EXPORT_BATCH = 1_000

/**
 * The filtered log as CSV (UTF-8 with a byte-order mark, so Excel and WPS read the Chinese),
 * newest first. The export is itself written to the log first, with its filter. It streams:
 * a batch is read only when the client has taken the one before.
 */
export async function exportAuditEntries(options: { db: Kysely<Database>; actor: Actor; t: Translate; filter: AuditFilter }): Promise<ReadableStream<Uint8Array>> {
  const { db, actor, t, filter } = options
  await recordAudit(db, actor, { action: 'audit.exported', entityType: 'audit_log', detail: { format: 'csv', filter } })
  const encoder = new TextEncoder()
  let before: number | undefined
  let started = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true
        const labels = [t('audit.column.id'), t('audit.column.at'), t('audit.actor'), t('audit.action'), t('audit.entityType'), t('audit.entityId'), t('audit.address'), t('audit.detail')]
        controller.enqueue(encoder.encode('\ufeff' + csvLine(labels)))
        return
      }
      const { entries, nextBefore } = await listAuditEntries(db, filter, { before, size: EXPORT_BATCH })
      if (entries.length) {
        const lines = entries.map((e) => csvLine([String(e.id), chinaDateTime(e.at), e.actor_username ?? '', e.action, e.entity_type, e.entity_id ?? '', displayAddress(e.ip) ?? '', e.detail ?? '']))
        controller.enqueue(encoder.encode(lines.join('')))
      }
      if (nextBefore === null) controller.close()
      else before = nextBefore
    },
  })
}
