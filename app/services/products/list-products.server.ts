import type { ProductRules } from '../../domain/products'
import type { Db } from '../audit.server'
import { latestOf } from './load-catalogue.server'

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
