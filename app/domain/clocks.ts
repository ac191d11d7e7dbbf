// PRODUCT.md "Channels and clocks": one clock engine for every channel. A clock runs from when
// the player came in (`channel_at`) for a number of days an admin may change, counted in
// working days on the bank's calendar (working-days.ts) or, for the working group's decision,
// in calendar days (docs/decisions/0181-working-group-thirty-calendar-days.md). The referral
// acceptance of "Pipeline stages" is one more clock of the same engine. Pure: no database.
import type { Channel } from './channels'
import { addWorkingDays, PLAIN_CALENDAR, type WorkingCalendar } from './working-days'

export const CLOCKS = ['accept', 'contact', 'decide'] as const
export type Clock = (typeof CLOCKS)[number]

/** What a clock setting belongs to: a channel, or every referral's acceptance. */
export type ClockSubject = Channel | 'referral'

export interface ClockRule {
  days: number
  unit: 'working' | 'calendar'
}

export type ClockSettings = Record<ClockSubject, Partial<Record<Clock, ClockRule>>>

/** PRODUCT.md's numbers; the stored settings (migration 0018) start from these. */
export const DEFAULT_CLOCK_SETTINGS: ClockSettings = {
  working_group: { contact: { days: 30, unit: 'calendar' }, decide: { days: 30, unit: 'calendar' } },
  loan_qr: { accept: { days: 1, unit: 'working' }, contact: { days: 3, unit: 'working' }, decide: { days: 5, unit: 'working' } },
  credit_platform: { decide: { days: 10, unit: 'working' } },
  own_list: {},
  referral: { accept: { days: 3, unit: 'working' } },
}

/** The calendar and the settings, as one app server holds them. */
export interface ClockContext {
  calendar: WorkingCalendar
  settings: ClockSettings
}

/** Weekends only and PRODUCT.md's numbers: for tests and the seed. */
export const PLAIN_CLOCKS: ClockContext = { calendar: PLAIN_CALENDAR, settings: DEFAULT_CLOCK_SETTINGS }

const DAY_MS = 86_400_000

/** When a clock of `rule` started at `from` runs out. */
export function dueAfter(from: Date, rule: ClockRule, calendar: WorkingCalendar): Date {
  return rule.unit === 'calendar' ? new Date(from.getTime() + rule.days * DAY_MS) : addWorkingDays(from, rule.days, calendar)
}

/** The referral acceptance clock: when a referral made at `referredAt` must be accepted. */
export function referralAcceptDue(referredAt: Date, context: ClockContext): Date {
  return dueAfter(referredAt, context.settings.referral.accept ?? { days: 3, unit: 'working' }, context.calendar)
}

export interface ClockDues {
  acceptDueAt: string | null
  contactDueAt: string | null
  decideDueAt: string | null
}

/** Whether a channel carries clocks of its own (the bank's own lists carry none but the referral's). */
export function isClockedChannel(channel: Channel, settings: ClockSettings): boolean {
  return CLOCKS.some((c) => settings[channel][c] !== undefined)
}

/** The due times of every clock a player of `channel` that came in at `startedAt` carries. */
export function clocksFor(channel: Channel, startedAt: Date, context: ClockContext): ClockDues {
  const due = (clock: Clock) => {
    const rule = context.settings[channel][clock]
    return rule ? dueAfter(startedAt, rule, context.calendar).toISOString() : null
  }
  return { acceptDueAt: due('accept'), contactDueAt: due('contact'), decideDueAt: due('decide') }
}

export interface ClockState extends ClockDues {
  acceptedAt: string | null
  contactedAt: string | null
  decidedAt: string | null
}

/** The earliest due time of a clock not yet met: what overdue lists sort and filter by. */
export function nextDueOf(state: ClockState): string | null {
  const open = [
    state.acceptedAt === null ? state.acceptDueAt : null,
    state.contactedAt === null ? state.contactDueAt : null,
    state.decidedAt === null ? state.decideDueAt : null,
  ].filter((d): d is string => d !== null)
  return open.length === 0 ? null : open.sort()[0]
}

/** The clocks of `state` that ran out before `now` unmet: what escalates to the manager. */
export function runOutClocks(state: ClockState, now: Date): { clock: Clock; dueAt: string }[] {
  const at = now.toISOString()
  const out: { clock: Clock; dueAt: string }[] = []
  const check = (clock: Clock, dueAt: string | null, metAt: string | null) => {
    if (dueAt !== null && metAt === null && dueAt < at) out.push({ clock, dueAt })
  }
  check('accept', state.acceptDueAt, state.acceptedAt)
  check('contact', state.contactDueAt, state.contactedAt)
  check('decide', state.decideDueAt, state.decidedAt)
  return out
}

/** A referral's acceptance clock ran out: still `referred`, not accepted, past its due time (a case closed unaccepted no longer waits). */
export function referralAcceptanceRanOut(referral: { stage: string; acceptDueAt: string; acceptedAt: string | null }, now: Date): boolean {
  return referral.stage === 'referred' && referral.acceptedAt === null && referral.acceptDueAt < now.toISOString()
}

/** The manager a clock escalates to: the nearest active manager at or above the org unit (`/1/4/9/`), the lowest id among equals. */
export function nearestManager(orgPath: string, managers: readonly { id: number; orgPath: string }[]): number | null {
  let best: { id: number; orgPath: string } | null = null
  for (const m of managers) {
    if (!orgPath.startsWith(m.orgPath)) continue
    if (best === null || m.orgPath.length > best.orgPath.length || (m.orgPath.length === best.orgPath.length && m.id < best.id)) best = m
  }
  return best?.id ?? null
}

export type ClockStatus = 'none' | 'open' | 'due_soon' | 'overdue' | 'met_on_time' | 'met_late'

/** A clock due within this long is "due soon" on the officer's list. */
export const DUE_SOON_MS = DAY_MS

export function clockStatus(dueAt: string | null, metAt: string | null, now: Date): ClockStatus {
  if (dueAt === null) return 'none'
  if (metAt !== null) return metAt <= dueAt ? 'met_on_time' : 'met_late'
  const left = Date.parse(dueAt) - now.getTime()
  if (left < 0) return 'overdue'
  return left <= DUE_SOON_MS ? 'due_soon' : 'open'
}

/** Met clocks met later fill the earlier ones: a contact is an acceptance, a decision a contact. */
export function metTimes(state: Pick<ClockState, 'acceptedAt' | 'contactedAt' | 'decidedAt'>, step: Clock, at: string): Pick<ClockState, 'acceptedAt' | 'contactedAt' | 'decidedAt'> {
  const order = CLOCKS.indexOf(step)
  return {
    acceptedAt: state.acceptedAt ?? (order >= 0 ? at : null),
    contactedAt: state.contactedAt ?? (order >= 1 ? at : null),
    decidedAt: state.decidedAt ?? (order >= 2 ? at : null),
  }
}

/** Refusal reasons the working groups and platforms are told (a code list; zh-CN first). */
export const REFUSAL_REASONS = {
  no_need: { zh: '企业无融资需求', en: 'The firm needs no financing' },
  declined_by_firm: { zh: '企业放弃申请', en: 'The firm withdrew' },
  unreachable: { zh: '无法联系企业', en: 'The firm could not be reached' },
  not_operating: { zh: '未持续经营或经营异常', en: 'Not operating, or registration abnormal' },
  no_premises: { zh: '无固定经营场所', en: 'No fixed place of business' },
  poor_credit: { zh: '信用状况不良', en: 'Poor credit record' },
  weak_repayment: { zh: '还款来源不足', en: 'Insufficient means of repayment' },
  high_debt: { zh: '负债过高', en: 'Debt too high' },
  improper_use: { zh: '贷款用途不合规', en: 'Loan purpose not compliant' },
  other: { zh: '其他（须说明）', en: 'Other (explain)' },
} as const
export type RefusalReason = keyof typeof REFUSAL_REASONS

export function isRefusalReason(value: unknown): value is RefusalReason {
  return typeof value === 'string' && Object.hasOwn(REFUSAL_REASONS, value)
}

export type Decision = { decision: 'approved'; amountYuan: number } | { decision: 'refused'; reason: RefusalReason; note: string | null }

/** Why a decision cannot be recorded, by field; empty when it can. */
export function checkDecision(input: { decision: string; amountYuan?: number | null; reason?: string | null; note?: string | null }): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = []
  if (input.decision === 'approved') {
    if (input.amountYuan == null || !Number.isInteger(input.amountYuan) || input.amountYuan <= 0) errors.push({ field: 'amountYuan', message: 'clocks.amountRequired' })
  } else if (input.decision === 'refused') {
    if (!isRefusalReason(input.reason)) errors.push({ field: 'reason', message: 'clocks.reasonRequired' })
    else if (input.reason === 'other' && !input.note?.trim()) errors.push({ field: 'note', message: 'clocks.noteRequired' })
  } else {
    errors.push({ field: 'decision', message: 'clocks.decisionRequired' })
  }
  return errors
}

/** The channel an imported list comes through; a clocked one names its group and date. */
export type ListChannel = { channel: 'own_list' } | { channel: 'working_group' | 'credit_platform'; group: string; listedAt: string }

export const LIST_CHANNELS = ['own_list', 'working_group', 'credit_platform'] as const

/** A list's channel from the upload form or the command line: a clocked one needs its group and a real day. */
export function parseListChannel(input: { channel?: string | null; group?: string | null; day?: string | null }): ListChannel | 'missing' {
  const channel = input.channel || 'own_list'
  if (channel === 'own_list') return { channel: 'own_list' }
  if (channel !== 'working_group' && channel !== 'credit_platform') return 'missing'
  const group = input.group?.trim()
  const day = input.day?.trim() ?? ''
  if (!group || !/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) return 'missing'
  // The list's date is the China day it names: its clocks run from that day's start.
  return { channel, group: group.slice(0, 100), listedAt: new Date(`${day}T00:00:00+08:00`).toISOString() }
}
