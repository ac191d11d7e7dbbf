import { describe, expect, it } from 'vitest'
import {
  checkMobile,
  checkResidentId,
  checkUscc,
  isHouseholdUscc,
  residentIdCheckCharacter,
  usccCheckCharacter,
} from '../../app/domain/identifiers'

describe('USCC (GB 32100-2015)', () => {
  it('accepts the published valid codes', () => {
    expect(checkUscc('91110000600037341L')).toEqual({ ok: true, value: '91110000600037341L' })
    expect(checkUscc('92340602MA2PBMEM24')).toEqual({ ok: true, value: '92340602MA2PBMEM24' })
  })

  it('upper-cases and strips whitespace, full-width characters folded', () => {
    expect(checkUscc(' 9111 0000 6000 3734 1l ')).toEqual({ ok: true, value: '91110000600037341L' })
    expect(checkUscc('92340602ＭＡ2PBMEM24\t')).toEqual({ ok: true, value: '92340602MA2PBMEM24' })
  })

  it('rejects a wrong check character and names the right one', () => {
    expect(checkUscc('91110000600037341N')).toEqual({
      ok: false,
      value: '91110000600037341N',
      reason: 'check',
      expected: 'L',
      message: { key: 'uscc.check', params: { expected: 'L' } },
    })
  })

  it('rejects a code that is not 18 characters, saying how long it is', () => {
    const result = checkUscc('91110000600037341')
    expect(result).toMatchObject({ ok: false, reason: 'length', message: { key: 'uscc.length', params: { length: 17 } } })
    expect(checkUscc('')).toMatchObject({ ok: false, reason: 'length' })
    expect(checkUscc('91110000600037341LL')).toMatchObject({ ok: false, reason: 'length' })
  })

  it('rejects characters outside the 31-character set (I, O, S, V, Z), naming them', () => {
    expect(checkUscc('9111000060003734IO')).toMatchObject({
      ok: false,
      reason: 'charset',
      message: { key: 'uscc.charset', params: { chars: 'I O' } },
    })
    expect(checkUscc('91110000600037341S')).toMatchObject({ ok: false, reason: 'charset' })
    expect(checkUscc('9111000060003734-L')).toMatchObject({ ok: false, reason: 'charset' })
  })

  it('computes the check character for generators', () => {
    expect(usccCheckCharacter('91110000600037341')).toBe('L')
    expect(usccCheckCharacter('92340602MA2PBMEM2')).toBe('4')
    expect(() => usccCheckCharacter('9111')).toThrow(RangeError)
  })

  it('tells a household code by its 92 prefix', () => {
    expect(isHouseholdUscc('92340602MA2PBMEM24')).toBe(true)
    expect(isHouseholdUscc('91110000600037341L')).toBe(false)
  })
})

describe('resident ID (GB 11643)', () => {
  it('accepts the published valid number, lower-case x as X', () => {
    expect(checkResidentId('11010519491231002X')).toEqual({ ok: true, value: '11010519491231002X' })
    expect(checkResidentId(' 11010519491231002x ')).toEqual({ ok: true, value: '11010519491231002X' })
  })

  it('rejects a wrong check character and names the right one', () => {
    expect(checkResidentId('110105194912310021')).toEqual({
      ok: false,
      value: '110105194912310021',
      reason: 'check',
      expected: 'X',
      message: { key: 'idNumber.check', params: { expected: 'X' } },
    })
  })

  it('rejects a wrong length, including the old 15-digit numbers', () => {
    expect(checkResidentId('110105491231002')).toMatchObject({
      ok: false,
      reason: 'length',
      message: { key: 'idNumber.length', params: { length: 15 } },
    })
  })

  it('rejects letters anywhere but the check position', () => {
    expect(checkResidentId('1101051949123100AX')).toMatchObject({ ok: false, reason: 'format', message: { key: 'idNumber.format' } })
    expect(checkResidentId('11010519491231X02X')).toMatchObject({ ok: false, reason: 'format' })
  })

  it('rejects a birth date that does not exist, even with a right check character', () => {
    const first17 = '11010519490230002' // 1949-02-30
    const id = first17 + residentIdCheckCharacter(first17)
    expect(checkResidentId(id)).toMatchObject({
      ok: false,
      reason: 'date',
      message: { key: 'idNumber.date', params: { date: '1949-02-30' } },
    })
    const leapDay = '11010520000229002'
    expect(checkResidentId(leapDay + residentIdCheckCharacter(leapDay)).ok).toBe(true)
    const notLeap = '11010519000229002'
    expect(checkResidentId(notLeap + residentIdCheckCharacter(notLeap))).toMatchObject({ reason: 'date' })
    const month13 = '11010519491331002'
    expect(checkResidentId(month13 + residentIdCheckCharacter(month13))).toMatchObject({ reason: 'date' })
  })

  it('computes the check character', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X')
    expect(() => residentIdCheckCharacter('1101051949123100A')).toThrow(RangeError)
  })
})

describe('mobile phone', () => {
  it('accepts 11 digits starting 13–19, stripping separators and the +86, 0086 or 86 prefix', () => {
    expect(checkMobile('13812345678')).toEqual({ ok: true, value: '13812345678' })
    expect(checkMobile('+86 138-1234-5678')).toEqual({ ok: true, value: '13812345678' })
    expect(checkMobile('8613812345678')).toEqual({ ok: true, value: '13812345678' })
    expect(checkMobile('0086 19912345678')).toEqual({ ok: true, value: '19912345678' })
  })

  it('rejects a number that is not 11 digits', () => {
    expect(checkMobile('1381234567')).toMatchObject({ ok: false, reason: 'length', message: { key: 'phone.length' } })
    expect(checkMobile('138123456789')).toMatchObject({ ok: false, reason: 'length' })
  })

  it('rejects 11 characters that are not a mobile number', () => {
    expect(checkMobile('12812345678')).toMatchObject({
      ok: false,
      reason: 'format',
      message: { key: 'phone.format', params: { value: '12812345678' } },
    })
    expect(checkMobile('1381234567a')).toMatchObject({ ok: false, reason: 'format' })
    expect(checkMobile('')).toMatchObject({ ok: false, reason: 'format' })
  })
})
