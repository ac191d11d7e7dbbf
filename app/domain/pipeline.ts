// PRODUCT.md, "Pipeline stages": referred → accepted → account_opened → admitted → rated →
// approved → disbursed, or declined / withdrawn at any point. Stages arrive from the loan
// system in any order and more than once; the referral keeps the furthest stage (and,
// elsewhere, the whole history).
export const PROGRESS_STAGES = ['referred', 'accepted', 'account_opened', 'admitted', 'rated', 'approved', 'disbursed'] as const
export const CLOSING_STAGES = ['declined', 'withdrawn'] as const
export const STAGES = [...PROGRESS_STAGES, ...CLOSING_STAGES] as const
export type Stage = (typeof STAGES)[number]
/** The stages after which a case is over: money paid out, declined or withdrawn. */
export const FINISHED_STAGES = ['disbursed', ...CLOSING_STAGES] as const satisfies readonly Stage[]
/** A referral is approved once approval or disbursement is reported (as hasReached counts it). */
export const APPROVED_STAGES = PROGRESS_STAGES.slice(PROGRESS_STAGES.indexOf('approved'))

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value)
}

export interface StageEvent {
  stage: Stage
  /** ISO time the loan system says it happened. */
  at: string
}

/**
 * The stage a referral stands at, from all its events in whatever order they came. Money
 * paid out is final; otherwise a decline or withdrawal closes the case (the latest one, if
 * both came); otherwise the furthest stage reached.
 */
export function currentStage(events: readonly StageEvent[]): Stage {
  if (events.some((e) => e.stage === 'disbursed')) return 'disbursed'
  const closing = events.filter((e) => e.stage === 'declined' || e.stage === 'withdrawn').sort((a, b) => a.at.localeCompare(b.at))
  if (closing.length) return closing[closing.length - 1].stage
  let furthest = 0
  for (const e of events) furthest = Math.max(furthest, PROGRESS_STAGES.indexOf(e.stage as (typeof PROGRESS_STAGES)[number]))
  return PROGRESS_STAGES[furthest]
}

/** Whether the referral has reached `stage` (for the figures: accepted, approved, disbursed). */
export function hasReached(events: readonly StageEvent[], stage: (typeof PROGRESS_STAGES)[number]): boolean {
  const index = PROGRESS_STAGES.indexOf(stage)
  return events.some((e) => PROGRESS_STAGES.indexOf(e.stage as (typeof PROGRESS_STAGES)[number]) >= index)
}
