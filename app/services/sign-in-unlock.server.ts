// An admin lets a user sign in again at once: the slow-down counters of every (user name,
// address) pair of theirs are cleared, in one transaction with its audit entry. The counters
// of an address (many names tried from it) stay: they are about the address, not the user.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { pairKeyPrefix, secondsLocked } from '../domain/sign-in-throttle'
import { recordAudit, type Actor, type Db } from './audit.server'
import { normaliseUsername } from './sessions.server'

export interface SignInHold {
  /** Pairs (addresses) with failures counted against this user name. */
  pairs: number
  failures: number
  /** The longest wait any of them has now, seconds. */
  longestWaitSeconds: number
}

function ofUser(username: string) {
  const prefix = pairKeyPrefix(normaliseUsername(username))
  return sql<boolean>`substr(${sql.ref('key')}, 1, ${prefix.length}) = ${prefix}`
}

/** What holds a user's sign-ins back now, for their admin page. */
export async function findSignInHold(db: Db, username: string, now = new Date()): Promise<SignInHold> {
  const rows = await db.selectFrom('login_throttle').selectAll().where(ofUser(username)).execute()
  return {
    pairs: rows.length,
    failures: rows.reduce((sum, r) => sum + r.failures, 0),
    longestWaitSeconds: Math.max(0, ...rows.map((r) => secondsLocked({ failures: r.failures, windowStartedAt: r.window_started_at, lockedUntil: r.locked_until }, now))),
  }
}

/** Clears the user's counters; returns how many pairs were cleared. */
export async function unlockSignIn(db: Kysely<Database>, actor: Actor, user: { id: number; username: string }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom('login_throttle').where(ofUser(user.username)).executeTakeFirst()
    const cleared = Number(result.numDeletedRows)
    await recordAudit(trx, actor, { action: 'sign_in.unlocked', entityType: 'user', entityId: user.id, detail: { pairs: cleared } })
    return cleared
  })
}
