// Delivering outbox entries to the loan system over HTTP: each POST carries an
// HMAC-SHA256 signature of its body and the entry's idempotency key, so the loan system
// can refuse forgeries and take a resend as the same case. Entries are claimed before
// sending (with row locks on PostgreSQL, `for update skip locked`), so several workers on
// several app servers never send one entry at the same time; a 2xx marks it delivered, a
// 4xx marks it failed with the answer shown, anything else (or no answer) is retried with
// exponential backoff.
import crypto from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database, OutboxEntry } from '../../db/schema'
import { dialectOf } from '../../db/dialect.server'
import { logger } from '../server/logger.server'
import { startBackgroundLoop, type BackgroundLoop } from './background-loop.server'

const CLAIM_MS = 60_000
const MAX_BACKOFF_MS = 10 * 60_000

export function signBody(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Whether `signature` is the body's, in constant time. */
export function verifySignature(secret: string, body: string, signature: string | null): boolean {
  if (!signature) return false
  const expected = Buffer.from(signBody(secret, body))
  const given = Buffer.from(signature)
  return expected.length === given.length && crypto.timingSafeEqual(expected, given)
}

/** After `attempts` failed sends: 1 s, 2 s, 4 s, … up to ten minutes. */
export function outboxBackoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1))
}

/** Claims up to `limit` entries that are due, for `worker`, for a minute. */
export async function claimOutboxEntries(db: Kysely<Database>, worker: string, limit: number, now = new Date()): Promise<OutboxEntry[]> {
  const stamp = now.toISOString()
  let due = db
    .selectFrom('outbox')
    .select('id')
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', stamp)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', stamp)]))
    .orderBy('id')
    .limit(limit)
  if (dialectOf(db) === 'postgres') due = due.forUpdate().skipLocked()
  return db
    .updateTable('outbox')
    .set({ claimed_by: worker, claimed_until: new Date(now.getTime() + CLAIM_MS).toISOString() })
    .where('id', 'in', due)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', stamp)]))
    .returningAll()
    .execute()
}

export interface LoanSystem {
  url: string
  secret: string
}

export interface DeliveryResult {
  delivered: number
  failed: number
  retried: number
}

/** Sends the claimed entries, one after another, and records what became of each. */
export async function deliverClaimed(db: Kysely<Database>, entries: OutboxEntry[], target: LoanSystem, now: () => Date = () => new Date()): Promise<DeliveryResult> {
  const result: DeliveryResult = { delivered: 0, failed: 0, retried: 0 }
  for (const entry of entries) {
    let status = 0
    let answer = ''
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': entry.idempotency_key, 'X-Wanqi-Signature': signBody(target.secret, entry.payload) },
        body: entry.payload,
        signal: AbortSignal.timeout(10_000),
      })
      status = response.status
      answer = await response.text()
    } catch (error) {
      answer = (error as Error).message
    }
    const stamp = now().toISOString()
    if (status >= 200 && status < 300) {
      let externalRef: string | null = null
      try {
        externalRef = (JSON.parse(answer) as { externalRef?: string }).externalRef ?? null
      } catch {
        // an answer without a body is fine
      }
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('outbox').set({ state: 'delivered', delivered_at: stamp, claimed_by: null, claimed_until: null, last_error: null, attempts: sql`attempts + 1` }).where('id', '=', entry.id).execute()
        if (externalRef && entry.referral_id) await trx.updateTable('referrals').set({ external_ref: externalRef }).where('id', '=', entry.referral_id).where('external_ref', 'is', null).execute()
      })
      result.delivered++
    } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      await db.updateTable('outbox').set({ state: 'failed', claimed_by: null, claimed_until: null, last_error: `${status}: ${answer.slice(0, 500)}`, attempts: sql`attempts + 1` }).where('id', '=', entry.id).execute()
      logger.warn('outbox entry refused', { id: entry.id, status })
      result.failed++
    } else {
      const attempts = entry.attempts + 1
      await db
        .updateTable('outbox')
        .set({
          attempts,
          next_attempt_at: new Date(Date.parse(stamp) + outboxBackoffMs(attempts)).toISOString(),
          claimed_by: null,
          claimed_until: null,
          last_error: status ? `${status}: ${answer.slice(0, 500)}` : answer.slice(0, 500),
        })
        .where('id', '=', entry.id)
        .execute()
      result.retried++
    }
  }
  return result
}

export type OutboxWorker = BackgroundLoop

/** Claims and delivers due entries every `intervalMs` until stopped. */
export function startOutboxWorker(db: Kysely<Database>, target: LoanSystem, options: { intervalMs?: number; batch?: number; name?: string } = {}): OutboxWorker {
  const worker = options.name ?? `${process.pid}-${crypto.randomBytes(3).toString('hex')}`
  return startBackgroundLoop('outbox delivery', options.intervalMs ?? 2_000, async (stopping) => {
    // Everything due, a batch at a time, before the next pause (or until shut down).
    for (;;) {
      const entries = await claimOutboxEntries(db, worker, options.batch ?? 20)
      if (!entries.length || stopping()) return
      await deliverClaimed(db, entries, target)
    }
  })
}
