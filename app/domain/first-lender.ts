// PRODUCT.md, "First-lender candidate": loan history `none` and an active registration.
// Unknown loan history (or an unknown registration) makes the player "to verify". The
// verdict always carries its reasons, in words a manager understands.
import type { Message } from '../i18n/index'
import type { LoanHistory, RegistrationStatus } from './market-player'

export const CANDIDATE_STATUSES = ['candidate', 'to_verify', 'not_candidate'] as const
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number]

export interface CandidateVerdict {
  status: CandidateStatus
  reasons: Message[]
}

const NOT_ACTIVE_REASON = {
  abnormal: 'candidate.abnormal',
  suspended: 'candidate.suspended',
  in_liquidation: 'candidate.inLiquidation',
  deregistered: 'candidate.deregistered',
} as const

export function assessFirstLender(player: {
  loanHistory: LoanHistory
  loanCheckedOn: string | null
  registrationStatus: RegistrationStatus | null
}): CandidateVerdict {
  const reasons: Message[] = []
  let status: CandidateStatus = 'candidate'
  const worst = (s: CandidateStatus) => {
    if (s === 'not_candidate' || (s === 'to_verify' && status === 'candidate')) status = s
  }

  if (player.loanHistory === 'none') {
    reasons.push(
      player.loanCheckedOn
        ? { key: 'candidate.neverBorrowedChecked', params: { date: player.loanCheckedOn } }
        : { key: 'candidate.neverBorrowed' },
    )
  } else if (player.loanHistory === 'has_loan') {
    reasons.push({ key: 'candidate.hasLoan' })
    worst('not_candidate')
  } else {
    reasons.push({ key: 'candidate.loanUnknown' })
    worst('to_verify')
  }

  if (player.registrationStatus === 'active') reasons.push({ key: 'candidate.active' })
  else if (player.registrationStatus === null) {
    reasons.push({ key: 'candidate.statusUnknown' })
    worst('to_verify')
  } else if (player.registrationStatus === 'moved_out') {
    // Moved to another registry: it may well be trading there, so it is checked, not dropped.
    reasons.push({ key: 'candidate.movedOut' })
    worst('to_verify')
  } else {
    reasons.push({ key: NOT_ACTIVE_REASON[player.registrationStatus] })
    worst('not_candidate')
  }
  return { status, reasons }
}
