// The product catalogue: one row per version of a product, the highest version of a code in
// force. A change is a new version, audited; it applies to verdicts made after it (and asks
// for every player's flag to be judged again), while a referral keeps the verdict and the
// version it was made with.
import type { ProductRules } from '../../domain/products'
import type { Db } from '../audit.server'

export type CatalogueProduct = ProductRules & { version: number }

export function latestOf<T extends { code: string; version: number }>(rows: T[]): T[] {
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
