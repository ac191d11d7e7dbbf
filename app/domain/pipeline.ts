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
/** A case at one of these stages is closed: no further report moves it. */
export function isFinished(stage: string): boolean {
  return (FINISHED_STAGES as readonly string[]).includes(stage)
}
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

/** How far ahead of the clock a reported time may be (clock skew), as the loan system's reports. */
export const STAGE_MAX_AHEAD_MS = 10 * 60_000

export interface DatedStage {
  stage: Stage
  at: string
  /** Where the stage came from (a file's column), for the message. */
  column: string
}

export type StageProblem = { column: string; key: 'history.stageBeforeReferral' | 'history.inFuture' | 'history.stageOutOfOrder' | 'history.stageAfterClose' | 'history.twoEnds'; params?: Record<string, string> }

/**
 * A referral's history as a whole, for one brought from the past: every stage dated no
 * earlier than the referral and not in the future; the stages of progress in their order
 * (授信 not before 受理); nothing after a decline or withdrawal; and one end only
 * (disbursed, declined or withdrawn).
 */
export function checkStageHistory(referredAt: string, stages: readonly DatedStage[], now: Date): StageProblem[] {
  const problems: StageProblem[] = []
  for (const s of stages) {
    if (s.at < referredAt) problems.push({ column: s.column, key: 'history.stageBeforeReferral' })
    else if (Date.parse(s.at) > now.getTime() + STAGE_MAX_AHEAD_MS) problems.push({ column: s.column, key: 'history.inFuture' })
  }
  const progress = stages.filter((s) => (PROGRESS_STAGES as readonly string[]).includes(s.stage)).sort((a, b) => PROGRESS_STAGES.indexOf(a.stage as never) - PROGRESS_STAGES.indexOf(b.stage as never))
  for (let i = 1; i < progress.length; i++) {
    const earlier = progress.slice(0, i).find((e) => e.at > progress[i].at)
    if (earlier) problems.push({ column: progress[i].column, key: 'history.stageOutOfOrder', params: { earlier: earlier.column } })
  }
  const ends = stages.filter((s) => s.stage === 'disbursed' || s.stage === 'declined' || s.stage === 'withdrawn')
  if (ends.length > 1) problems.push({ column: ends[1].column, key: 'history.twoEnds', params: { other: ends[0].column } })
  const closing = stages.find((s) => s.stage === 'declined' || s.stage === 'withdrawn')
  if (closing) for (const s of progress) if (s.at > closing.at) problems.push({ column: s.column, key: 'history.stageAfterClose', params: { closed: closing.column } })
  return problems
}
