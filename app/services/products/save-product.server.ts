import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema'
import { AppError } from '../../domain/app-error'
import type { ProductRules } from '../../domain/products'
import { recordAudit, type Actor } from '../audit.server'

/**
 * Saves a product as its next version (version 1 of a new code), audited with what changed.
 * `expectedVersion` is the version the admin edited: when someone saved another since, the
 * save is refused rather than silently overwriting theirs.
 */
export async function saveProduct(
  db: Kysely<Database>,
  caller: { actor: Actor & { id: number } },
  input: { rules: ProductRules & { active: boolean }; expectedVersion: number | null },
): Promise<{ version: number }> {
  const { actor } = caller
  const { rules, expectedVersion } = input
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
