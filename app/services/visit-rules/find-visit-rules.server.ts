// The bank's rules for a visit to count: the latest version, and the versions before it.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/schema'
import type { VisitValidityRules } from '../../domain/visit-validity'

type Db = Kysely<Database> | Transaction<Database>

export interface VisitRulesVersion {
  version: number
  rules: VisitValidityRules
  setAt: string
  setByName: string | null
}

function rulesOf(row: { photo_required: number; radius_m: number; remote_households: number; remote_enterprises: number }): VisitValidityRules {
  return {
    photoRequired: row.photo_required === 1,
    radiusMetres: row.radius_m,
    remoteCountsFor: { household: row.remote_households === 1, enterprise: row.remote_enterprises === 1 },
  }
}

const columns = ['visit_rules.version', 'photo_required', 'radius_m', 'remote_households', 'remote_enterprises', 'set_at'] as const

/** The rules in force (migration 0023 stores the first version, so there always is one). */
export async function findVisitRules(db: Db): Promise<VisitRulesVersion> {
  const [latest] = await listVisitRuleVersions(db, 1)
  if (!latest) throw new Error('visit_rules holds no version: migration 0023 not applied?')
  return latest
}

/** A version by its number (the one a visit was judged by). */
export async function findVisitRulesVersion(db: Db, version: number): Promise<VisitValidityRules | null> {
  const row = await db.selectFrom('visit_rules').select(columns).where('version', '=', version).executeTakeFirst()
  return row ? rulesOf(row) : null
}

/** The versions, newest first: the settings page's history. */
export async function listVisitRuleVersions(db: Db, limit = 20): Promise<VisitRulesVersion[]> {
  const rows = await db
    .selectFrom('visit_rules')
    .leftJoin('users', 'users.id', 'visit_rules.set_by')
    .select([...columns, 'users.name as set_by_name'])
    .orderBy('visit_rules.version', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ version: r.version, rules: rulesOf(r), setAt: r.set_at, setByName: r.set_by_name }))
}
