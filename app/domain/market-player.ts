// The market player as the rules see it: the words PRODUCT.md uses, no database.
import type { Message } from '../i18n/index'
import type { AreaBasis } from './area-placement'

export const PLAYER_KINDS = ['enterprise', 'household'] as const
export type PlayerKind = (typeof PLAYER_KINDS)[number]

export const REGISTRATION_STATUSES = ['active', 'abnormal', 'suspended', 'in_liquidation', 'moved_out', 'deregistered'] as const
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number]

/** Tax credit grade; `null` where unknown. */
export const TAX_GRADES = ['A', 'B', 'M', 'C', 'D'] as const
export type TaxGrade = (typeof TAX_GRADES)[number]

export const LOAN_HISTORIES = ['none', 'has_loan', 'unknown'] as const
export type LoanHistory = (typeof LOAN_HISTORIES)[number]

export const SIZE_CLASSES = ['micro', 'small', 'medium', 'large'] as const
export type SizeClass = (typeof SIZE_CLASSES)[number]

export const CAMPAIGN_STATUSES = ['not_visited', 'visited', 'need_found', 'referred', 'financed', 'no_need'] as const
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number]

/** GB/T 4754-2017 sections, A to T. */
export const INDUSTRY_SECTIONS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T'] as const
export type IndustrySection = (typeof INDUSTRY_SECTIONS)[number]

/**
 * One player's data as a list or a form states it. `null` means "not stated": an update
 * never overwrites a known value with it. Money is integer yuan (lists give 万元).
 */
export interface PlayerFields {
  uscc: string | null
  name: string
  kind: PlayerKind
  legalRepresentative: string | null
  owner: string | null
  /** Clear text here; encrypted before it is stored. */
  idNumber: string | null
  /** 11 digits, `+86` stripped; encrypted before it is stored. */
  phone: string | null
  industry: IndustrySection | null
  /** A finer GB/T 4754 code when the list gives one (`5211`, `F52`), for size rules. */
  industryCode: string | null
  employees: number | null
  revenueYuan: number | null
  assetsYuan: number | null
  /** YYYY-MM-DD */
  registeredOn: string | null
  registrationStatus: RegistrationStatus | null
  address: string | null
  /** GB/T 2260 code as given: 6, 9 or 12 digits. */
  areaCode: string | null
  /** Where the area code comes from when it was not stated: the address or the USCC
   * (domain/area-placement.ts); a hand edit says `manual`. Absent: the list stated it. */
  areaBasis?: AreaBasis
  lat: number | null
  lng: number | null
  taxGrade: TaxGrade | null
  /** The evaluation year (评价年度) of the tax grade, when a list gives it; forms leave it out. */
  taxGradeYear?: number | null
  /** The reference the channel gave the player: a credit platform's application number, from its list; forms leave it out. */
  channelRef?: string | null
  loanHistory: LoanHistory | null
  /** YYYY-MM-DD */
  loanCheckedOn: string | null
}

/** The fields a list column can fill (the keys of PlayerFields, plus `kindLabel`). */
export type PlayerField = keyof PlayerFields

/** A problem with one cell of one row: which field, and what is wrong, in words. */
export interface RowIssue {
  /** The field, or `@K` / `@K–L` for cells beyond the header (by their spreadsheet letters). */
  field: PlayerField | `@${string}`
  message: Message
}

export type RowResult = { ok: true; fields: PlayerFields; warnings: RowIssue[] } | { ok: false; errors: RowIssue[]; warnings: RowIssue[] }

/** The township a GB/T 2260 code lies in (its first 9 digits), if it is that detailed. */
export function townshipOf(areaCode: string | null): string | null {
  return areaCode && areaCode.length >= 9 ? areaCode.slice(0, 9) : null
}
