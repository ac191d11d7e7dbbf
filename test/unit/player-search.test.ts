import { describe, expect, it } from 'vitest'
import { classifySearch, initialsPatterns } from '../../app/domain/player-search'

describe('what a search box entry is', () => {
  it('tells a USCC, a part of one, a mobile, an ID number, initials and text apart', () => {
    expect(classifySearch(' 91110000600037341l ')).toEqual({ kind: 'uscc', value: '91110000600037341L' })
    expect(classifySearch('9141162')).toEqual({ kind: 'usccPrefix', value: '9141162' })
    expect(classifySearch('+86 138 1234 5678')).toEqual({ kind: 'phone', value: '13812345678' })
    expect(classifySearch('11010519491231002x')).toEqual({ kind: 'idNumber', value: '11010519491231002X' })
    expect(classifySearch('HNMY')).toEqual({ kind: 'initials', value: 'hnmy' })
    expect(classifySearch('面业')).toEqual({ kind: 'text', value: '面业' })
    expect(classifySearch('50%_off')).toEqual({ kind: 'text', value: '50off' })
    expect(classifySearch('   ')).toBeNull()
  })
})

describe('pinyin initials patterns', () => {
  const matches = (initials: string, q: string) =>
    initialsPatterns(q).some((p) => new RegExp(`^${p.replace(/%/g, '.*')}$`).test(initials))

  it('finds 河南××面业 by hnmy, in runs of two letters or more', () => {
    expect(matches('hnjsmyyxgs', 'hnmy')).toBe(true) // 河南金穗面业有限公司
    expect(matches('xhhnmyd', 'hnmy')).toBe(true) // anywhere in the name
    expect(matches('hnfmfzyxgs', 'hnmy')).toBe(false) // 河南福满纺织: the letters scattered one by one
    expect(matches('jsmy', 'hnmy')).toBe(false)
  })

  it('keeps the number of patterns bounded for long entries', () => {
    expect(initialsPatterns('hn')).toEqual(['%hn%'])
    expect(initialsPatterns('hnmy')).toEqual(['%hnmy%', '%hn%my%'])
    expect(initialsPatterns('abcdefghijklmnop').length).toBeLessThanOrEqual(16)
  })
})
