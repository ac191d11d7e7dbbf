import { describe, expect, it } from 'vitest'
import type { PlayerFields, RowResult } from '../../app/domain/market-player'
import { parseListDate, parsePlayerRow } from '../../app/domain/player-row'
import { translator } from '../../app/i18n/index'

// These rules are the strict ones a person filling in the player form meets (every bad value
// refused); a list is read leniently (test/unit/player-row-lists.test.ts).
const TODAY = { today: '2024-06-30', strict: true }

function fieldsOf(result: RowResult): PlayerFields {
  if (!result.ok) throw new Error(`row refused: ${JSON.stringify(result.errors)}`)
  return result.fields
}

function errorsOf(result: RowResult) {
  if (result.ok) throw new Error('row accepted')
  return result.errors
}

describe('parsePlayerRow', () => {
  it('turns a complete enterprise row into player fields', () => {
    const result = parsePlayerRow(
      {
        uscc: ' 91110000600037341l ',
        name: ' 河南金穗面业有限公司 ',
        kind: '企业',
        legalRepresentative: '王金穗',
        owner: '',
        idNumber: '11010519491231002x',
        industry: 'C13',
        employees: '1,200',
        revenue: '150.5',
        assets: '3000',
        registeredOn: '2023年2月1日',
        registrationStatus: '存续（在营、开业、在册）',
        address: '河南省周口市',
        areaCode: '411625',
        lng: '114.53',
        lat: '33.78',
        taxGrade: 'A级',
        loanHistory: '无',
        loanCheckedOn: '2024/3/5',
        phone: '+86 138-1234-5678',
      },
      TODAY,
    )
    expect(result).toEqual({
      ok: true,
      warnings: [],
      fields: {
        uscc: '91110000600037341L',
        name: '河南金穗面业有限公司',
        kind: 'enterprise',
        legalRepresentative: '王金穗',
        owner: null,
        idNumber: '11010519491231002X',
        phone: '13812345678',
        industry: 'C',
        industryCode: '13',
        employees: 1200,
        revenueYuan: 1_505_000,
        assetsYuan: 30_000_000,
        registeredOn: '2023-02-01',
        registrationStatus: 'active',
        address: '河南省周口市',
        areaCode: '411625',
        lat: 33.78,
        lng: 114.53,
        taxGrade: 'A',
        loanHistory: 'none',
        loanCheckedOn: '2024-03-05',
        taxGradeYear: null,
        channelRef: null,
      },
    })
  })

  it('leaves blank cells (and lone dashes) as not stated', () => {
    const fields = fieldsOf(parsePlayerRow({ name: '张三小吃店', kind: '个体户', phone: '  ', loanHistory: '', taxGrade: '-' }, TODAY))
    expect(fields).toMatchObject({ uscc: null, kind: 'household', phone: null, loanHistory: null, taxGrade: null, industry: null })
  })

  describe('kind and USCC', () => {
    it('takes the kind from a 92 USCC when the kind column is blank, enterprise otherwise', () => {
      expect(fieldsOf(parsePlayerRow({ name: '个体户', uscc: '92340602MA2PBMEM24' }, TODAY)).kind).toBe('household')
      expect(fieldsOf(parsePlayerRow({ name: '公司', uscc: '91110000600037341L' }, TODAY)).kind).toBe('enterprise')
    })

    it('reads the kind in Chinese, English and registry legal forms', () => {
      const kindOf = (kind: string) => fieldsOf(parsePlayerRow({ name: 'x', kind, uscc: '91110000600037341L' }, TODAY)).kind
      expect(kindOf('公司')).toBe('enterprise')
      expect(kindOf('Enterprise')).toBe('enterprise')
      expect(kindOf('有限责任公司（自然人投资或控股）')).toBe('enterprise')
      const householdOf = (kind: string) => fieldsOf(parsePlayerRow({ name: 'x', kind }, TODAY)).kind
      expect(householdOf('个体工商户')).toBe('household')
      expect(householdOf('household')).toBe('household')
    })

    it('requires a USCC of an enterprise but not of a household', () => {
      expect(errorsOf(parsePlayerRow({ name: '某某公司' }, TODAY))).toEqual([{ field: 'uscc', message: { key: 'row.usccRequired' } }])
      expect(errorsOf(parsePlayerRow({ name: '某某公司', kind: '企业' }, TODAY))).toEqual([
        { field: 'uscc', message: { key: 'row.usccRequired' } },
      ])
      expect(parsePlayerRow({ name: '张三小吃店', kind: '个体工商户' }, TODAY).ok).toBe(true)
    })

    it('refuses a kind that contradicts the USCC, either way', () => {
      expect(errorsOf(parsePlayerRow({ name: 'x', kind: '企业', uscc: '92340602MA2PBMEM24' }, TODAY))).toEqual([
        { field: 'kind', message: { key: 'row.kindConflict.enterprise', params: { uscc: '92340602MA2PBMEM24' } } },
      ])
      expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体工商户', uscc: '91110000600037341L' }, TODAY))).toEqual([
        { field: 'kind', message: { key: 'row.kindConflict.household', params: { uscc: '91110000600037341L' } } },
      ])
    })

    it('refuses an unreadable kind without also demanding a USCC', () => {
      expect(errorsOf(parsePlayerRow({ name: 'x', kind: '社团' }, TODAY))).toEqual([
        { field: 'kind', message: { key: 'row.kind', params: { value: '社团' } } },
      ])
    })

    it('refuses a wrong check character with the expected one, unless the manager accepts it', () => {
      expect(errorsOf(parsePlayerRow({ name: 'x', uscc: '91110000600037341N' }, TODAY))).toEqual([
        { field: 'uscc', message: { key: 'uscc.check', params: { expected: 'L' } } },
      ])
      const accepted = parsePlayerRow({ name: 'x', uscc: '91110000600037341N' }, { ...TODAY, acceptBadCheck: true })
      expect(accepted).toMatchObject({
        ok: true,
        fields: { uscc: '91110000600037341N', kind: 'enterprise' },
        warnings: [{ field: 'uscc', message: { key: 'uscc.checkAccepted', params: { value: '91110000600037341N', expected: 'L' } } }],
      })
    })

    it('never accepts a USCC of the wrong length or characters, even with acceptBadCheck', () => {
      const result = parsePlayerRow({ name: 'x', uscc: '9111000060003734IL' }, { ...TODAY, acceptBadCheck: true })
      expect(errorsOf(result)).toMatchObject([{ field: 'uscc', message: { key: 'uscc.charset' } }])
    })
  })

  it('requires a name', () => {
    expect(errorsOf(parsePlayerRow({ name: '   ', kind: '个体户' }, TODAY))).toEqual([
      { field: 'name', message: { key: 'row.nameRequired' } },
    ])
  })

  describe('dates', () => {
    it('reads the three written forms, Excel serial numbers and ISO date-times', () => {
      for (const text of ['2023-02-01', '2023/2/1', '2023年2月1日', '2023-2-1', '2023.02.01', '20230201', '44958', '44958.75', '2023-02-01T00:00:00.000Z', '２０２３年２月１日']) {
        expect(parseListDate(text), text).toEqual({ ok: true, value: '2023-02-01' })
      }
    })

    it('refuses a date that does not exist, naming it', () => {
      expect(parseListDate('2023-02-30')).toEqual({ ok: false, message: { key: 'date.notExist', params: { value: '2023-02-30' } } })
      expect(parseListDate('2023年2月29日')).toMatchObject({ ok: false, message: { params: { value: '2023-02-29' } } })
      expect(parseListDate('2024/2/29')).toEqual({ ok: true, value: '2024-02-29' })
      expect(parseListDate('2023-13-01')).toMatchObject({ ok: false, message: { key: 'date.notExist' } })
      expect(translator('en')('date.notExist', { value: '2023-02-30' })).toBe('date 2023-02-30 does not exist')
    })

    it('refuses text that is not a date, including a bare year', () => {
      for (const text of ['去年', '2023', '02/01/2023', '2023-02']) {
        expect(parseListDate(text), text).toMatchObject({ ok: false, message: { key: 'date.format' } })
      }
    })

    it('refuses a registration date after today, and accepts today', () => {
      expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', registeredOn: '2024-07-01' }, TODAY))).toEqual([
        { field: 'registeredOn', message: { key: 'date.future', params: { value: '2024-07-01' } } },
      ])
      expect(fieldsOf(parsePlayerRow({ name: 'x', kind: '个体户', registeredOn: '2024-06-30' }, TODAY)).registeredOn).toBe('2024-06-30')
      expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', loanCheckedOn: '2099-01-01' }, TODAY))[0].field).toBe('loanCheckedOn')
    })
  })

  it('maps registration statuses', () => {
    const statusOf = (registrationStatus: string) =>
      fieldsOf(parsePlayerRow({ name: 'x', kind: '个体户', registrationStatus }, TODAY)).registrationStatus
    for (const s of ['存续', '在营', '开业', '正常', 'Active', '存续（在营、开业、在册）']) expect(statusOf(s), s).toBe('active')
    for (const s of ['经营异常', '异常', 'abnormal']) expect(statusOf(s), s).toBe('abnormal')
    for (const s of ['吊销', '注销', '吊销，未注销', '吊销未注销', 'deregistered']) expect(statusOf(s), s).toBe('deregistered')
    // PRODUCT.md's later vocabulary: 停业/歇业, 清算 and 迁出 are statuses of their own.
    for (const s of ['停业', '歇业']) expect(statusOf(s), s).toBe('suspended')
    expect(statusOf('清算')).toBe('in_liquidation')
    expect(statusOf('迁出')).toBe('moved_out')
    expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', registrationStatus: '不明' }, TODAY))).toEqual([
      { field: 'registrationStatus', message: { key: 'row.registrationStatus', params: { value: '不明' } } },
    ])
  })

  it('accepts area codes of 6, 9 or 12 digits only', () => {
    for (const areaCode of ['411625', '411625100', '411625100201']) {
      expect(fieldsOf(parsePlayerRow({ name: 'x', kind: '个体户', areaCode }, TODAY)).areaCode).toBe(areaCode)
    }
    for (const areaCode of ['41162', '4116251', '41162510020', 'A11625']) {
      expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', areaCode }, TODAY)), areaCode).toEqual([
        { field: 'areaCode', message: { key: 'row.areaCode', params: { value: areaCode } } },
      ])
    }
  })

  describe('location', () => {
    const row = (lng?: string, lat?: string) => parsePlayerRow({ name: 'x', kind: '个体户', lng, lat }, TODAY)

    it('accepts WGS-84 positions inside China, at the edges too', () => {
      expect(fieldsOf(row('73', '3'))).toMatchObject({ lng: 73, lat: 3 })
      expect(fieldsOf(row('136', '54'))).toMatchObject({ lng: 136, lat: 54 })
    })

    it('refuses positions outside China, each on its own field', () => {
      expect(errorsOf(row('72.9', '54.1'))).toEqual([
        { field: 'lng', message: { key: 'row.lng', params: { value: '72.9' } } },
        { field: 'lat', message: { key: 'row.lat', params: { value: '54.1' } } },
      ])
      expect(errorsOf(row('东经114度', '33.7'))).toEqual([{ field: 'lng', message: { key: 'row.lng', params: { value: '东经114度' } } }])
    })

    it('needs both or neither', () => {
      expect(errorsOf(row('114.5', undefined))).toEqual([{ field: 'lat', message: { key: 'row.lngLatPair' } }])
      expect(errorsOf(row('', '33.7'))).toEqual([{ field: 'lng', message: { key: 'row.lngLatPair' } }])
      expect(fieldsOf(row('', ''))).toMatchObject({ lng: null, lat: null })
    })

    it('points out swapped coordinates', () => {
      expect(errorsOf(row('33.78', '114.53'))).toEqual([
        { field: 'lng', message: { key: 'row.lngLatSwapped', params: { lng: '33.78', lat: '114.53' } } },
      ])
    })
  })

  it('reads tax grades in any case, with 级, and no grade as unknown', () => {
    const gradeOf = (taxGrade: string) => fieldsOf(parsePlayerRow({ name: 'x', kind: '个体户', taxGrade }, TODAY)).taxGrade
    expect(['A', 'b', 'M级', 'c', 'Ｄ'].map(gradeOf)).toEqual(['A', 'B', 'M', 'C', 'D'])
    expect(gradeOf('未评')).toBeNull()
    expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', taxGrade: 'E' }, TODAY))).toEqual([
      { field: 'taxGrade', message: { key: 'row.taxGrade', params: { value: 'E' } } },
    ])
  })

  it('reads loan history: 无/否/none/no, 有/是/has_loan/yes, blank not stated', () => {
    const historyOf = (loanHistory: string) => fieldsOf(parsePlayerRow({ name: 'x', kind: '个体户', loanHistory }, TODAY)).loanHistory
    expect(['无', '否', 'none', 'No'].map(historyOf)).toEqual(['none', 'none', 'none', 'none'])
    expect(['有', '是', 'has_loan', 'YES'].map(historyOf)).toEqual(['has_loan', 'has_loan', 'has_loan', 'has_loan'])
    expect(historyOf('')).toBeNull()
    expect(historyOf('未知')).toBe('unknown')
    expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', loanHistory: '也许' }, TODAY))[0].field).toBe('loanHistory')
  })

  it('reads employees as a whole number and money in 10,000 yuan as integer yuan', () => {
    const fields = fieldsOf(parsePlayerRow({ name: 'x', kind: '个体户', employees: '12人', revenue: '0.12345', assets: '1,000万元' }, TODAY))
    expect(fields).toMatchObject({ employees: 12, revenueYuan: 1235, assetsYuan: 10_000_000 })
    expect(fieldsOf(parsePlayerRow({ name: 'x', kind: '个体户', employees: '0', revenue: '0' }, TODAY))).toMatchObject({ employees: 0, revenueYuan: 0 })
    expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', employees: '12.5', revenue: '-3', assets: '很多' }, TODAY))).toEqual([
      { field: 'employees', message: { key: 'row.employees', params: { value: '12.5' } } },
      { field: 'revenueYuan', message: { key: 'row.revenue', params: { value: '-3' } } },
      { field: 'assetsYuan', message: { key: 'row.assets', params: { value: '很多' } } },
    ])
  })

  it('reads the industry as a section and a finer code', () => {
    expect(fieldsOf(parsePlayerRow({ name: 'x', kind: '个体户', industry: '零售业' }, TODAY))).toMatchObject({ industry: 'F', industryCode: '52' })
    expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', industry: '卖菜' }, TODAY))).toEqual([
      { field: 'industry', message: { key: 'row.industry', params: { value: '卖菜' } } },
    ])
  })

  it('refuses bad ID numbers and phone numbers with the check’s own message', () => {
    expect(errorsOf(parsePlayerRow({ name: 'x', kind: '个体户', idNumber: '110105194912310021', phone: '1381234567' }, TODAY))).toEqual([
      { field: 'idNumber', message: { key: 'idNumber.check', params: { expected: 'X' } } },
      { field: 'phone', message: { key: 'phone.length', params: { value: '1381234567' } } },
    ])
  })

  it('collects every problem of a row, not just the first', () => {
    const errors = errorsOf(
      parsePlayerRow(
        {
          uscc: '91110000600037341N',
          name: '',
          phone: '12345',
          registeredOn: '2023-02-30',
          lat: '99',
          lng: '114',
          taxGrade: 'Z',
        },
        TODAY,
      ),
    )
    expect(errors.map((e) => e.field)).toEqual(['uscc', 'name', 'phone', 'registeredOn', 'lat', 'taxGrade'])
    expect(errors.find((e) => e.field === 'registeredOn')?.message).toEqual({ key: 'date.notExist', params: { value: '2023-02-30' } })
  })
})
