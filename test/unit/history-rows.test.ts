// The rules of a history file's rows: times in China time unless they say otherwise, the
// Chinese and English words for the choices, sane past times, and a referral's stages
// checked as a whole.
import { describe, expect, it } from 'vitest'
import { checkPastTime, mapVisitHeaders, parseHistoryTime, readVisitHistoryRow } from '../../app/domain/history-rows'
import { checkStageHistory } from '../../app/domain/pipeline'

const NOW = new Date('2026-06-30T04:00:00Z')

describe('parseHistoryTime', () => {
  it('reads dates and date-times in China time, and ISO times with their offset as they say', () => {
    expect(parseHistoryTime('2026-03-02')).toEqual({ ok: true, value: '2026-03-01T16:00:00.000Z' })
    expect(parseHistoryTime('2026年3月2日')).toEqual({ ok: true, value: '2026-03-01T16:00:00.000Z' })
    expect(parseHistoryTime('2026/3/2 14:30')).toEqual({ ok: true, value: '2026-03-02T06:30:00.000Z' })
    expect(parseHistoryTime('2026-03-02T14:30:00')).toEqual({ ok: true, value: '2026-03-02T06:30:00.000Z' })
    expect(parseHistoryTime('2026-03-02T14:30:00Z')).toEqual({ ok: true, value: '2026-03-02T14:30:00.000Z' })
    expect(parseHistoryTime('2026-03-02 14:30+0000')).toEqual({ ok: true, value: '2026-03-02T14:30:00.000Z' })
  })

  it('refuses what is not a time, naming the value', () => {
    expect(parseHistoryTime('2026-02-30')).toMatchObject({ ok: false })
    expect(parseHistoryTime('2026-03-02 25:00')).toMatchObject({ ok: false, message: { key: 'history.timeFormat', params: { value: '2026-03-02 25:00' } } })
    expect(parseHistoryTime('last spring')).toMatchObject({ ok: false, message: { key: 'history.timeFormat' } })
  })
})

describe('checkPastTime', () => {
  it('takes the past from 2000 on, not before what it must follow, and not the future beyond clock skew', () => {
    expect(checkPastTime('2010-01-01T00:00:00.000Z', NOW)).toBeNull()
    expect(checkPastTime(new Date(NOW.getTime() + 5 * 60_000).toISOString(), NOW)).toBeNull()
    expect(checkPastTime(new Date(NOW.getTime() + 60 * 60_000).toISOString(), NOW)).toEqual({ key: 'history.inFuture' })
    expect(checkPastTime('1999-12-31T15:59:59.000Z', NOW)).toMatchObject({ key: 'history.beforeFloor' })
    expect(checkPastTime('2020-01-01T00:00:00.000Z', NOW, { at: '2021-05-01T00:00:00.000Z', key: 'history.beforeRegistration' })).toMatchObject({ key: 'history.beforeRegistration', params: { at: '2021-05-01 08:00' } })
  })
})

describe('a row of past visits', () => {
  const headers = mapVisitHeaders(['信用代码', '走访人', '走访日期', '方式', '有融资需求', '需求金额', '走访结果', '车牌号'])

  it('maps Chinese headers and words, and reports a column it does not know', () => {
    expect(headers.unknown).toEqual(['车牌号'])
    const { row, issues } = readVisitHistoryRow(headers, ['91110000600037341L', 'Off.A', '2025-05-06', '视频', '是', '30', '需再跟进', '豫A12345'])
    expect(issues).toEqual([])
    expect(row).toMatchObject({ uscc: '91110000600037341L', officer: 'off.a', visitedAt: '2025-05-05T16:00:00.000Z', talk: { channel: 'video', hasNeed: true, needAmount: '30', outcome: 'follow_up' } })
  })

  it('names each bad value with its column, never taking it as blank', () => {
    const { row, issues } = readVisitHistoryRow(headers, ['91110000600037341N', '', '昨天', '飞鸽', '也许', '', '', ''])
    expect(row).toBeNull()
    expect(issues.map((i) => [i.column, i.message.key])).toEqual([
      ['信用代码', 'uscc.check'],
      ['走访人', 'history.required'],
      ['走访日期', 'history.timeFormat'],
      ['方式', 'history.notAChoice'],
      ['有融资需求', 'history.notYesNo'],
    ])
  })
})

describe('checkStageHistory', () => {
  const at = (day: number) => `2026-05-${String(day).padStart(2, '0')}T02:00:00.000Z`
  it('passes stages in order after the referral', () => {
    expect(checkStageHistory(at(1), [{ stage: 'accepted', at: at(2), column: 'A' }, { stage: 'approved', at: at(5), column: 'B' }, { stage: 'disbursed', at: at(6), column: 'C' }], NOW)).toEqual([])
  })

  it('names the stage dated before the referral, in the future, out of order, after a close, or a second end', () => {
    expect(checkStageHistory(at(10), [{ stage: 'accepted', at: at(9), column: 'A' }], NOW)).toEqual([{ column: 'A', key: 'history.stageBeforeReferral' }])
    expect(checkStageHistory(at(10), [{ stage: 'accepted', at: '2026-07-30T00:00:00.000Z', column: 'A' }], NOW)).toEqual([{ column: 'A', key: 'history.inFuture' }])
    expect(checkStageHistory(at(1), [{ stage: 'approved', at: at(3), column: 'B' }, { stage: 'accepted', at: at(4), column: 'A' }], NOW)).toEqual([{ column: 'B', key: 'history.stageOutOfOrder', params: { earlier: 'A' } }])
    expect(checkStageHistory(at(1), [{ stage: 'accepted', at: at(4), column: 'A' }, { stage: 'declined', at: at(3), column: 'D' }], NOW)).toEqual([{ column: 'A', key: 'history.stageAfterClose', params: { closed: 'D' } }])
    expect(checkStageHistory(at(1), [{ stage: 'disbursed', at: at(4), column: 'C' }, { stage: 'declined', at: at(5), column: 'D' }], NOW)).toEqual([{ column: 'D', key: 'history.twoEnds', params: { other: 'C' } }])
  })
})
