// A list row is read leniently (issue 21): only identity refuses it.
import { describe, expect, it } from 'vitest'
import { assessFirstLender } from '../../app/domain/first-lender'
import { checkPhone, lostDigits } from '../../app/domain/identifiers'
import { isKnownHeader, recogniseHeaders } from '../../app/domain/list-columns'
import type { RowResult } from '../../app/domain/market-player'
import { maskPhone } from '../../app/domain/masking'
import { parsePlayerRow } from '../../app/domain/player-row'
import { checkProduct, DEFAULT_PRODUCTS } from '../../app/domain/products'

const TODAY = { today: '2026-06-30' }

function accepted(result: RowResult) {
  if (!result.ok) throw new Error(`row refused: ${JSON.stringify(result.errors)}`)
  return result
}

describe('a list row: identity decides', () => {
  it('keeps a valid enterprise whose phone is a landline, masked 0572-****388', () => {
    const row = accepted(parsePlayerRow({ name: '湖州某某有限公司', uscc: '91110000600037341L', phone: '0572-6029388' }, TODAY))
    expect(row.fields.phone).toBe('0572-6029388')
    expect(row.warnings).toEqual([])
    expect(maskPhone(row.fields.phone!)).toBe('0572-****388')
  })

  it('reads landlines with or without a dash, in brackets, with an extension', () => {
    expect(checkPhone('05726029388')).toMatchObject({ ok: true, value: '0572-6029388' })
    expect(checkPhone('010-12345678')).toMatchObject({ ok: true, value: '010-12345678' })
    expect(checkPhone('01012345678')).toMatchObject({ ok: true, value: '010-12345678' })
    expect(checkPhone('(0755)23484353')).toMatchObject({ ok: true, value: '0755-23484353' })
    expect(checkPhone('0572-6029388转801')).toMatchObject({ ok: true, value: '0572-6029388-801' })
    expect(checkPhone('+86 138 1234 5678')).toMatchObject({ ok: true, value: '13812345678' })
    expect(checkPhone('12345')).toMatchObject({ ok: false })
    expect(maskPhone('0572-6029388-801')).toBe('0572-****388')
    expect(maskPhone('010-12345678')).toBe('010-*****678')
  })

  it('blanks a bad phone, date, grade, number or status with a warning naming the field, and keeps the row', () => {
    const row = accepted(
      parsePlayerRow(
        {
          name: '某某商贸有限公司',
          uscc: '91110000600037341L',
          phone: '12345',
          registeredOn: '2023-02-30',
          taxGrade: 'Z',
          employees: 'many',
          registrationStatus: '不明',
          idNumber: '110105194912310021',
          kind: '外星企业类型',
        },
        TODAY,
      ),
    )
    expect(row.fields).toMatchObject({ phone: null, registeredOn: null, taxGrade: null, employees: null, registrationStatus: null, idNumber: null, kind: 'enterprise' })
    expect(row.warnings.map((w) => w.field).sort()).toEqual(['employees', 'idNumber', 'phone', 'registeredOn', 'registrationStatus', 'taxGrade'].sort())
  })

  it('refuses a row without a name, and one whose USCC fails its check', () => {
    expect(parsePlayerRow({ uscc: '91110000600037341L' }, TODAY)).toMatchObject({ ok: false, errors: [{ field: 'name' }] })
    expect(parsePlayerRow({ name: 'x', uscc: '91110000600037341N' }, TODAY)).toMatchObject({ ok: false, errors: [{ field: 'uscc', message: { key: 'uscc.check' } }] })
  })

  it('takes an enterprise without a USCC (a lead to verify), and a 企业类型 as the kind', () => {
    expect(accepted(parsePlayerRow({ name: '深圳市润点创新科技有限公司' }, TODAY)).fields).toMatchObject({ kind: 'enterprise', uscc: null })
    expect(accepted(parsePlayerRow({ name: 'x', kind: '有限责任公司（自然人投资或控股）' }, TODAY)).fields.kind).toBe('enterprise')
    expect(accepted(parsePlayerRow({ name: 'x', kind: '个体' }, TODAY)).fields.kind).toBe('household')
    // N/A, as registry exports write it: the kind comes from the USCC.
    expect(accepted(parsePlayerRow({ name: 'x', kind: 'N/A', uscc: '92340602MA2PBMEM24' }, TODAY)).fields.kind).toBe('household')
  })

  it('refuses a code that lost its last digits as a number, with the fix, even when bad check characters are accepted', () => {
    for (const uscc of ['914101815897281000', '9.14101815897281E+17']) {
      const result = parsePlayerRow({ name: 'x', uscc }, { ...TODAY, acceptBadCheck: true })
      expect(result, uscc).toMatchObject({ ok: false, errors: [{ field: 'uscc', message: { key: 'row.lostDigits', params: { value: uscc } } }] })
    }
    expect(parsePlayerRow({ name: 'x', uscc: '91110000600037341L', idNumber: '110105194912310000' }, TODAY)).toMatchObject({
      ok: false,
      errors: [{ field: 'idNumber', message: { key: 'row.lostDigits' } }],
    })
    // An all-digit code that passes its check is a code, not a number, even ending in zeros.
    expect(lostDigits('914101045897445036')).toBe(false)
    expect(accepted(parsePlayerRow({ name: 'x', uscc: '914116220000120000' }, TODAY)).fields.uscc).toBe('914116220000120000')
    expect(accepted(parsePlayerRow({ name: 'x', uscc: '914101045897445036' }, TODAY)).fields.uscc).toBe('914101045897445036')
  })

  it('reads the tax grade under its 2025 name with its evaluation year', () => {
    const { columns } = recogniseHeaders(['公司名称', '纳税缴费信用等级', '评价年度', '征信查询日期', '企业地址', '法人', '企业类型', '公司'])
    expect(columns).toEqual(['name', 'taxGrade', 'taxGradeYear', 'loanCheckedOn', 'address', 'legalRepresentative', 'kind', null])
    const row = accepted(parsePlayerRow({ name: 'x', uscc: '91110000600037341L', taxGrade: 'A', taxGradeYear: '2025' }, TODAY))
    expect(row.fields).toMatchObject({ taxGrade: 'A', taxGradeYear: 2025 })
    expect(isKnownHeader('XX县小微企业名单（2026年）')).toBe(false)
  })
})

describe('statuses beyond active', () => {
  it('reads 停业, 清算, 迁出 and the combined active wording', () => {
    const statusOf = (registrationStatus: string) => accepted(parsePlayerRow({ name: 'x', kind: '个体户', registrationStatus }, TODAY)).fields.registrationStatus
    expect(statusOf('存续（在营、开业、在册）')).toBe('active')
    expect(statusOf('停业')).toBe('suspended')
    expect(statusOf('清算')).toBe('in_liquidation')
    expect(statusOf('迁出')).toBe('moved_out')
    expect(statusOf('撤销')).toBe('deregistered')
  })

  it('makes a moved-out player "to verify", and no other status that is not active a candidate or qualified', () => {
    const verdict = (registrationStatus: 'moved_out' | 'suspended' | 'in_liquidation') =>
      assessFirstLender({ loanHistory: 'none', loanCheckedOn: null, registrationStatus }).status
    expect(verdict('moved_out')).toBe('to_verify')
    expect(verdict('suspended')).toBe('not_candidate')
    expect(verdict('in_liquidation')).toBe('not_candidate')
    const facts = { kind: 'enterprise', taxGrade: 'A', registeredOn: '2020-01-01', need: { amountYuan: 100000, termMonths: 12, collateral: true } } as const
    for (const registrationStatus of ['moved_out', 'suspended', 'in_liquidation'] as const) {
      for (const product of DEFAULT_PRODUCTS) {
        const result = checkProduct(product, { ...facts, registrationStatus } as Parameters<typeof checkProduct>[1], '2026-06-30')
        expect(result.qualifies, `${registrationStatus} ${product.name}`).toBe(false)
      }
    }
  })
})

describe('a platform’s application reference', () => {
  it('is read from 申请编号 into the player’s channel reference', () => {
    const recognised = recogniseHeaders(['企业名称', '平台申请编号', '申请编号'])
    expect(recognised.columns).toEqual(['name', 'applicationRef', null])
    const row = parsePlayerRow({ name: '平台企业', applicationRef: ' XYD-1 ' }, TODAY)
    expect(row.ok && row.fields.channelRef).toBe('XYD-1')
  })
})
