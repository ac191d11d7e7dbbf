// A credit platform polling the bank's decisions on its applications with its token
// (GET /api/v1/platform-feedback?since=…): the token answers for one platform and the whole
// bank or one org unit's subtree. Decisions are read up to a minute before now, so one whose
// transaction commits a moment after its decision time is not skipped by the next poll from
// `next`. Each read is audited (which token, from when, how many), with the token's last use.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { Scope } from '../../domain/scope'
import { recordAudit } from '../audit.server'
import { findPlatformFeedback, type PlatformFeedbackRow } from './find-platform-feedback.server'

/** How far behind now a poll reads: longer than any transaction that records a decision. */
export const FEEDBACK_LAG_MS = 60_000
export const FEEDBACK_PAGE = 1_000

export interface PlatformToken {
  id: number
  name: string
  orgPath: string | null
  channelGroup: string | null
}

export interface PlatformFeedbackPage {
  platform: string
  since: string
  /** Poll again from here: the end of what was read, or the last decision's time when a page was full. */
  next: string
  more: boolean
  items: PlatformFeedbackRow[]
}

export async function readPlatformFeedback(db: Kysely<Database>, token: PlatformToken, input: { since: string; ip: string | null; now?: Date }): Promise<PlatformFeedbackPage> {
  const platform = token.channelGroup ?? ''
  const scope: Scope = token.orgPath === null ? { kind: 'all' } : { kind: 'org', orgPath: token.orgPath }
  const now = input.now ?? new Date()
  const until = new Date(now.getTime() - FEEDBACK_LAG_MS).toISOString()
  const items = input.since < until ? await findPlatformFeedback(db, scope, { platform, since: input.since, until, limit: FEEDBACK_PAGE }) : []
  const more = items.length === FEEDBACK_PAGE
  const next = more ? items[items.length - 1].decidedAt! : input.since < until ? until : input.since
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', token.id).execute()
    await recordAudit(trx, { id: null, username: `token:${token.name}`, ip: input.ip }, { action: 'platform_feedback.read', entityType: 'api_token', entityId: token.id, detail: { platform, since: input.since, until, rows: items.length } })
  })
  return { platform, since: input.since, next, more, items }
}
