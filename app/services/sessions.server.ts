// Sign-in, sessions and sign-out. Sessions live in the database, so any app server behind a
// load balancer can serve any request, and an admin can end a user's sessions.
import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, Role } from '../../db/schema'
import { CLIENT_RULE, PAIR_RULE, afterFailure, clientKey, pairKey, secondsLocked, type ThrottleRule, type ThrottleState } from '../domain/sign-in-throttle'
import { recordAudit, type Db } from './audit.server'
import { decoyHash, verifyPassword } from './password.server'

export interface SessionPolicy {
  sessionIdleMinutes: number
  sessionMaxHours: number
}

export interface CurrentUser {
  id: number
  username: string
  name: string
  role: Role
  orgUnitId: number
  orgPath: string
  orgName: string
  sessionId: string
  /** Signed in with a one-time password: nothing but choosing their own works. */
  mustChangePassword: boolean
}

export type SignInResult =
  | { ok: true; token: string; user: { id: number; role: Role } }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase()
}

export async function signIn(
  db: Kysely<Database>,
  input: { username: string; password: string; ip: string | null; userAgent: string | null },
  policy: SessionPolicy,
  now = new Date(),
): Promise<SignInResult> {
  const username = normaliseUsername(input.username)
  // Per (name, address) pair and per address, never per name alone: see domain/sign-in-throttle.ts.
  const keys = [
    { key: pairKey(username, input.ip), rule: PAIR_RULE },
    ...(input.ip ? [{ key: clientKey(input.ip), rule: CLIENT_RULE }] : []),
  ]
  const states = await Promise.all(keys.map((k) => findThrottle(db, k.key)))
  const wait = Math.max(...states.map((s) => secondsLocked(s, now)))
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait }

  const user = await db
    .selectFrom('users')
    .select(['id', 'role', 'password_hash', 'active'])
    .where('username', '=', username)
    .executeTakeFirst()
  const valid = await verifyPassword(input.password, user?.password_hash ?? (await decoyHash()))
  const actor = { id: user?.id ?? null, username, ip: input.ip }

  if (!user || !valid || user.active !== 1) {
    await db.transaction().execute(async (trx) => {
      for (const [i, k] of keys.entries()) await saveThrottle(trx, k.key, afterFailure(states[i], k.rule, now), states[i] !== null)
      await recordAudit(trx, actor, { action: 'sign_in.failed', entityType: 'user', entityId: user?.id ?? null })
    })
    return { ok: false, reason: 'invalid' }
  }

  const token = crypto.randomBytes(32).toString('base64url')
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('login_throttle').where('key', '=', pairKey(username, input.ip)).execute()
    await trx
      .insertInto('sessions')
      .values({
        id: hashToken(token),
        user_id: user.id,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: new Date(now.getTime() + policy.sessionMaxHours * 3_600_000).toISOString(),
        ip: input.ip,
        user_agent: input.userAgent?.slice(0, 300) ?? null,
      })
      .execute()
    await recordAudit(trx, actor, { action: 'sign_in', entityType: 'user', entityId: user.id })
  })
  return { ok: true, token, user: { id: user.id, role: user.role } }
}

/** The signed-in user behind a session token, or null when the session is unknown, has
 * expired (idle or absolute), or its user is deactivated. */
export async function findSessionUser(
  db: Kysely<Database>,
  token: string,
  policy: SessionPolicy,
  now = new Date(),
): Promise<CurrentUser | null> {
  const id = hashToken(token)
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('org_units', 'org_units.id', 'users.org_unit_id')
    .select([
      'sessions.id as sessionId',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'users.id',
      'users.username',
      'users.name',
      'users.role',
      'users.active',
      'users.must_change_password',
      'users.org_unit_id as orgUnitId',
      'org_units.path as orgPath',
      'org_units.name as orgName',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst()
  if (!row) return null
  const idleLimit = Date.parse(row.last_seen_at) + policy.sessionIdleMinutes * 60_000
  if (row.active !== 1 || now.getTime() >= Date.parse(row.expires_at) || now.getTime() >= idleLimit) {
    await db.deleteFrom('sessions').where('id', '=', id).execute()
    return null
  }
  // Touch at most once a minute: a signed-in page view should not always be a write.
  if (now.getTime() - Date.parse(row.last_seen_at) > 60_000) {
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', id).execute()
  }
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    role: row.role,
    orgUnitId: row.orgUnitId,
    orgPath: row.orgPath,
    orgName: row.orgName,
    sessionId: row.sessionId,
    mustChangePassword: row.must_change_password === 1,
  }
}

export async function signOut(db: Kysely<Database>, token: string, actor: { id: number; username: string; ip: string | null }) {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sessions').where('id', '=', hashToken(token)).execute()
    await recordAudit(trx, actor, { action: 'sign_out', entityType: 'user', entityId: actor.id })
  })
}

/** How many sessions of a user are open (signed in on as many browsers), expired ones aside. */
export async function countSessionsOfUser(db: Db, userId: number, now = new Date()): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Ends every session of a user (deactivation, password reset, an admin's decision). */
export async function endSessionsOfUser(db: Db, userId: number): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst()
  return Number(result.numDeletedRows)
}

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url')
}

async function findThrottle(db: Db, key: string): Promise<ThrottleState | null> {
  const row = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst()
  return row ? { failures: row.failures, windowStartedAt: row.window_started_at, lockedUntil: row.locked_until } : null
}

async function saveThrottle(db: Db, key: string, state: ThrottleState, exists: boolean) {
  const values = { failures: state.failures, window_started_at: state.windowStartedAt, locked_until: state.lockedUntil }
  if (exists) await db.updateTable('login_throttle').set(values).where('key', '=', key).execute()
  else
    await db
      .insertInto('login_throttle')
      .values({ key, ...values })
      .onConflict((oc) => oc.column('key').doUpdateSet(values))
      .execute()
}

export type { ThrottleRule }
