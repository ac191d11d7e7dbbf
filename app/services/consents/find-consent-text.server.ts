// The authorisation text in force (the highest version) and, for the admin page, every
// version with who saved it.
import type { ConsentText } from '../../../db/schema'
import type { Db } from '../audit.server'

export async function findCurrentConsentText(db: Db): Promise<ConsentText | null> {
  return (await db.selectFrom('consent_texts').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst()) ?? null
}

export async function listConsentTextVersions(db: Db) {
  return db
    .selectFrom('consent_texts')
    .leftJoin('users', 'users.id', 'consent_texts.created_by')
    .select(['consent_texts.version', 'consent_texts.body', 'consent_texts.valid_days as validDays', 'consent_texts.created_at as createdAt', 'users.name as createdBy'])
    .orderBy('consent_texts.version', 'desc')
    .execute()
}
