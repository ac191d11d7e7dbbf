// The organisation tree: hq → branch → sub-branch → outlet, stored as materialised paths.
import type { OrgUnitKind } from '../../db/schema'

export const ORG_UNIT_KINDS: readonly OrgUnitKind[] = ['hq', 'branch', 'sub_branch', 'outlet']

export function pathOf(parentPath: string | null, id: number): string {
  return `${parentPath ?? '/'}${id}/`
}

/** Ids from the root down, from a path such as `/1/4/9/`. */
export function idsOnPath(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number)
}

export type MoveCheck = { ok: true } | { ok: false; reason: 'org.move.intoItself' | 'org.move.rootFixed' | 'org.move.kindOrder' }

/**
 * A unit may move under any unit outside its own subtree whose kind sits above its own
 * (an outlet under a sub-branch or branch, never under another outlet).
 */
export function checkMove(
  unit: { path: string; kind: OrgUnitKind; parentId: number | null },
  newParent: { path: string; kind: OrgUnitKind },
): MoveCheck {
  if (unit.parentId === null) return { ok: false, reason: 'org.move.rootFixed' }
  if (newParent.path.startsWith(unit.path)) return { ok: false, reason: 'org.move.intoItself' }
  if (ORG_UNIT_KINDS.indexOf(newParent.kind) >= ORG_UNIT_KINDS.indexOf(unit.kind)) {
    return { ok: false, reason: 'org.move.kindOrder' }
  }
  return { ok: true }
}

/** Kinds a new unit may have under a parent of the given kind. */
export function childKindsOf(parentKind: OrgUnitKind): OrgUnitKind[] {
  return ORG_UNIT_KINDS.slice(ORG_UNIT_KINDS.indexOf(parentKind) + 1) as OrgUnitKind[]
}

/**
 * Totals for each unit over its whole subtree, from counts held by single units.
 * `units` carry their paths; `own` maps a unit id to what sits directly in it.
 */
export function rollUp<K extends string>(
  units: readonly { id: number; path: string }[],
  own: ReadonlyMap<number, Record<K, number>>,
  keys: readonly K[],
): Map<number, Record<K, number>> {
  const totals = new Map<number, Record<K, number>>()
  for (const unit of units) totals.set(unit.id, Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>)
  for (const unit of units) {
    const counts = own.get(unit.id)
    if (!counts) continue
    for (const ancestor of idsOnPath(unit.path)) {
      const total = totals.get(ancestor)
      if (total) for (const k of keys) total[k] += counts[k]
    }
  }
  return totals
}
