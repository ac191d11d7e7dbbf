// The product catalogue: one row per version of a product, the highest version of a code in
// force. A change is a new version, audited; it applies to verdicts made after it (and asks
// for every player's flag to be judged again), while a referral keeps the verdict and the
// version it was made with.
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import type { ProductRules } from '../../domain/products'
import { AppError } from '../../domain/app-error'
import { recordAudit, type Actor, type Db } from '../audit.server'

export type CatalogueProduct = ProductRules & { version: number }

function latestOf<T extends { code: string; version: number }>(rows: T[]): T[] {
  const latest = new Map<string, T>()
  for (const r of [...rows].sort((a, b) => a.code.localeCompare(b.code) || b.version - a.version)) if (!latest.has(r.code)) latest.set(r.code, r)
  return [...latest.values()]
}

/** The catalogue in force: the latest version of each product, where that one is active. */
export async function loadCatalogue(db: Db): Promise<CatalogueProduct[]> {
  const rows = await db.selectFrom('product_versions').selectAll().execute()
  return latestOf(rows)
    .filter((r) => r.active === 1)
    .map((r) => ({
      ...(JSON.parse(r.rules) as ProductRules),
      name: r.name,
      version: r.version,
    }))
}

/** Every product's latest version, active or not, with its history, for the admin page. */
export async function listProducts(db: Db) {
  const rows = await db
    .selectFrom('product_versions')
    .leftJoin('users', 'users.id', 'product_versions.created_by')
    .select([
      'product_versions.code',
      'product_versions.version',
      'product_versions.name',
      'product_versions.active',
      'product_versions.rules',
      'product_versions.created_at',
      'users.name as createdBy',
    ])
    .execute()
  return latestOf(rows).map((latest) => ({
    code: latest.code,
    version: latest.version,
    active: latest.active === 1,
    rules: { ...(JSON.parse(latest.rules) as ProductRules), name: latest.name },
    history: rows
      .filter((r) => r.code === latest.code)
      .sort((a, b) => b.version - a.version)
      .map((r) => ({
        version: r.version,
        name: r.name,
        active: r.active === 1,
        at: r.created_at,
        by: r.createdBy,
      })),
  }))
}

/**
 * Saves a product as its next version (version 1 of a new code), audited with what changed.
 * `expectedVersion` is the version the admin edited: when someone saved another since, the
 * save is refused rather than silently overwriting theirs.
 */
export async function saveProduct(
  db: Kysely<Database>,
  actor: Actor & { id: number },
  rules: ProductRules & { active: boolean },
  expectedVersion: number | null,
): Promise<{ version: number }> {
  const { active, ...stored } = rules
  return db.transaction().execute(async (trx) => {
    const previous = await trx.selectFrom('product_versions').selectAll().where('code', '=', rules.code).orderBy('version', 'desc').limit(1).executeTakeFirst()
    if ((previous?.version ?? null) !== expectedVersion) {
      throw new AppError('conflict', previous && expectedVersion === null ? 'productAdmin.codeTaken' : 'productAdmin.changedMeanwhile', {
        field: expectedVersion === null ? 'code' : '_form',
      })
    }
    const version = (previous?.version ?? 0) + 1
    await trx
      .insertInto('product_versions')
      .values({
        code: rules.code,
        version,
        name: rules.name,
        active: active ? 1 : 0,
        rules: JSON.stringify(stored),
        created_by: actor.id,
        created_at: new Date().toISOString(),
      })
      .execute()
    await recordAudit(trx, actor, {
      action: previous ? 'product.changed' : 'product.created',
      entityType: 'product',
      entityId: rules.code,
      detail: {
        version,
        before: previous
          ? {
              ...(JSON.parse(previous.rules) as object),
              active: previous.active === 1,
            }
          : null,
        after: { ...stored, active },
      },
    })
    // Every player's flag is judged again under the new version (qualification.server.ts).
    await trx.updateTable('qualification_state').set({ stale: 1 }).where('id', '=', 1).execute()
    return { version }
  })
}
