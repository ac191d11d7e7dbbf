// Targets (issue 7): hq or an admin sets, per org unit and period, a first-lender count or
// ratio, a credit-loan share or a coverage to reach; the dashboard shows progress against
// each. Ratios are entered and shown in percent, stored as fractions.
import type { Figures } from './figures'
import type { Message } from '../i18n/index'

export const TARGET_FIGURES = ['firstLenderConversions', 'firstLenderRatio', 'creditLoanShareByCount', 'creditLoanShareByAmount', 'coverage'] as const
export type TargetFigure = (typeof TARGET_FIGURES)[number]

export const isTargetFigure = (v: unknown): v is TargetFigure => typeof v === 'string' && (TARGET_FIGURES as readonly string[]).includes(v)
export const isRatioTarget = (figure: TargetFigure) => figure !== 'firstLenderConversions'

export type TargetInput = { ok: true; figure: TargetFigure; value: number | null } | { ok: false; errors: Record<string, Message[]> }

/** A target from the form: a figure, and a value (blank removes the target). */
export function parseTarget(values: { figure?: unknown; value?: unknown }): TargetInput {
  if (!isTargetFigure(values.figure)) return { ok: false, errors: { figure: [{ key: 'target.error.figure' }] } }
  const raw = String(values.value ?? '').trim()
  if (raw === '') return { ok: true, figure: values.figure, value: null }
  const number = Number(raw)
  if (!Number.isFinite(number) || number <= 0) return { ok: false, errors: { value: [{ key: 'target.error.positive' }] } }
  if (isRatioTarget(values.figure)) {
    if (number > 100) return { ok: false, errors: { value: [{ key: 'target.error.percent' }] } }
    return { ok: true, figure: values.figure, value: number / 100 }
  }
  if (!Number.isInteger(number)) return { ok: false, errors: { value: [{ key: 'target.error.whole' }] } }
  return { ok: true, figure: values.figure, value: number }
}

/** How far the figure has come towards its target: actual ÷ target, 0 when there is no actual yet. */
export function progressOf(figures: Figures, figure: TargetFigure, target: number): { actual: number | null; share: number } {
  const actual = figures[figure]
  return { actual, share: actual === null ? 0 : actual / target }
}
