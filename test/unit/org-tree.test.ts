import { describe, expect, it } from 'vitest'
import { checkMove, childKindsOf, idsOnPath, pathOf, rollUp } from '../../app/domain/org-tree'
import { scopeCoversOrgPath, scopeOf } from '../../app/domain/scope'
import { can } from '../../app/domain/roles'

describe('org tree paths', () => {
  it('builds a child path from its parent and reads ids back', () => {
    expect(pathOf(null, 1)).toBe('/1/')
    expect(pathOf('/1/4/', 9)).toBe('/1/4/9/')
    expect(idsOnPath('/1/4/9/')).toEqual([1, 4, 9])
  })

  it('allows only lower kinds under a parent', () => {
    expect(childKindsOf('hq')).toEqual(['branch', 'sub_branch', 'outlet'])
    expect(childKindsOf('sub_branch')).toEqual(['outlet'])
    expect(childKindsOf('outlet')).toEqual([])
  })

  it('refuses to move a unit into its own subtree, the root, or under a peer', () => {
    const subBranch = { path: '/1/2/3/', kind: 'sub_branch' as const, parentId: 2 }
    expect(checkMove(subBranch, { path: '/1/2/3/7/', kind: 'outlet' })).toEqual({ ok: false, reason: 'org.move.intoItself' })
    expect(checkMove(subBranch, { path: '/1/2/3/', kind: 'sub_branch' })).toEqual({ ok: false, reason: 'org.move.intoItself' })
    expect(checkMove({ path: '/1/', kind: 'hq', parentId: null }, { path: '/1/2/', kind: 'branch' })).toEqual({
      ok: false,
      reason: 'org.move.rootFixed',
    })
    expect(checkMove(subBranch, { path: '/1/5/6/', kind: 'sub_branch' })).toEqual({ ok: false, reason: 'org.move.kindOrder' })
    expect(checkMove(subBranch, { path: '/1/5/', kind: 'branch' })).toEqual({ ok: true })
  })

  it('rolls counts up to every ancestor', () => {
    const units = [
      { id: 1, path: '/1/' },
      { id: 2, path: '/1/2/' },
      { id: 3, path: '/1/2/3/' },
      { id: 4, path: '/1/4/' },
    ]
    const own = new Map([
      [3, { officers: 5 }],
      [4, { officers: 2 }],
      [2, { officers: 1 }],
    ])
    const totals = rollUp(units, own, ['officers'] as const)
    expect(totals.get(1)).toEqual({ officers: 8 })
    expect(totals.get(2)).toEqual({ officers: 6 })
    expect(totals.get(3)).toEqual({ officers: 5 })
    expect(totals.get(4)).toEqual({ officers: 2 })
  })
})

describe('scope', () => {
  it('gives officers their own records, managers their subtree, hq and admin everything', () => {
    expect(scopeOf({ id: 7, role: 'officer', orgPath: '/1/2/' })).toEqual({ kind: 'own', userId: 7, orgPath: '/1/2/' })
    expect(scopeOf({ id: 8, role: 'manager', orgPath: '/1/2/' })).toEqual({ kind: 'org', orgPath: '/1/2/' })
    expect(scopeOf({ id: 9, role: 'hq', orgPath: '/1/' })).toEqual({ kind: 'all' })
    expect(scopeOf({ id: 10, role: 'admin', orgPath: '/1/' })).toEqual({ kind: 'all' })
  })

  it('covers an org path only inside the subtree; /1/2/ does not cover /1/20/', () => {
    const scope = scopeOf({ id: 8, role: 'manager', orgPath: '/1/2/' })
    expect(scopeCoversOrgPath(scope, '/1/2/5/')).toBe(true)
    expect(scopeCoversOrgPath(scope, '/1/20/')).toBe(false)
    expect(scopeCoversOrgPath(scope, '/1/')).toBe(false)
  })

  it('grants administration only to admin, and unmasking to managers and admin', () => {
    expect(can('admin', 'users:manage')).toBe(true)
    expect(can('hq', 'users:manage')).toBe(false)
    expect(can('manager', 'org:manage')).toBe(false)
    expect(can('manager', 'personal-data:unmask')).toBe(true)
    expect(can('officer', 'personal-data:unmask')).toBe(false)
    expect(can('hq', 'personal-data:unmask')).toBe(false)
  })
})
