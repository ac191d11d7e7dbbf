// An admin saves the authorisation text (and how many days a consent signed on it counts
// for): always a new version, audited with what changed; earlier versions stay as they were,
// since signed consents point at them. `expectedVersion` is the version the admin edited: a
// save made meanwhile by someone else is not overwritten silently.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import { MAX_CONSENT_TEXT_CHARS, MAX_VALID_DAYS } from '../../domain/consent'
import { recordAudit } from '../audit.server'
import type { Caller } from '../caller.server'

export async function saveConsentText(
  db: Kysely<Database>,
  caller: Pick<Caller, 'actor'>,
  input: { body: string; validDays: number; expectedVersion: number | null; now?: Date },
): Promise<{ version: number }> {
  const body = input.body.replace(/\r\n/g, '\n').trim()
  if (!body) throw new AppError('bad_request', 'validation.required', { field: 'body' })
  if (body.length > MAX_CONSENT_TEXT_CHARS) throw new AppError('bad_request', 'validation.tooLong', { field: 'body', max: MAX_CONSENT_TEXT_CHARS })
  if (!Number.isInteger(input.validDays) || input.validDays < 1 || input.validDays > MAX_VALID_DAYS) {
    throw new AppError('bad_request', 'validation.wholeNumberBetween', { field: 'validDays', min: 1, max: MAX_VALID_DAYS })
  }
  return db.transaction().execute(async (trx) => {
    const previous = await trx.selectFrom('consent_texts').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst()
    if ((previous?.version ?? null) !== input.expectedVersion) throw new AppError('conflict', 'consentText.changedMeanwhile', { field: '_form' })
    const version = (previous?.version ?? 0) + 1
    await trx
      .insertInto('consent_texts')
      .values({ version, body, valid_days: input.validDays, created_by: caller.actor.id, created_at: (input.now ?? new Date()).toISOString() })
      .execute()
    await recordAudit(trx, caller.actor, {
      action: 'consent_text.saved',
      entityType: 'consent_text',
      entityId: version,
      detail: { version, validDays: input.validDays, before: previous ? { version: previous.version, validDays: previous.valid_days, body: previous.body } : null, body },
    })
    return { version }
  })
}
