// The loan QR code's public form (PRODUCT.md "Channels and clocks"): what a firm may send,
// checked the same way on the server and (as HTML constraints and a tiny script) in the
// browser, and the proof-of-work rule. Pure: no database, no Node.
import { z } from 'zod'
import type { MessageKey } from '../i18n/index'
import { checkMobile, checkUscc, isHouseholdUscc } from './identifiers'

/** The consent text's version (i18n `loanQr.consent`); change both together, old versions stay on record. */
export const LOAN_QR_CONSENT_VERSION = '2026-12-v1'

/** Leading zero bits the proof of work needs: about 16,000 SHA-256 hashes on a phone (well under a second). */
export const LOAN_QR_POW_BITS = 14
/** How long a challenge may be answered. */
export const LOAN_QR_CHALLENGE_MINUTES = 30

/** Per address and per phone, fixed windows kept in the database. */
export const LOAN_QR_LIMITS = {
  perAddress: { count: 10, windowMinutes: 60 },
  perPhone: { count: 3, windowMinutes: 24 * 60 },
} as const

/** Field sizes, shared by the schema and the page's maxlength attributes. */
export const LOAN_QR_MAX = { name: 60, contactName: 30, purpose: 200, amountWan: 5000, token: 64, challenge: 200, nonce: 20 } as const

const text = (max: number, required: MessageKey) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.normalize('NFKC').trim() : ''),
    z.string().min(1, required).max(max, 'loanQr.error.tooLong'),
  )

export const loanQrSchema = z
  .object({
    kind: z.enum(['enterprise', 'household'], { errorMap: () => ({ message: 'loanQr.error.kind' }) }),
    name: text(LOAN_QR_MAX.name, 'loanQr.error.name'),
    uscc: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(40, 'loanQr.error.tooLong')),
    contactName: text(LOAN_QR_MAX.contactName, 'loanQr.error.contactName'),
    phone: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(30, 'loanQr.error.phone')),
    amountWan: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : Number.NaN),
      z.number({ invalid_type_error: 'loanQr.error.amount' }).int('loanQr.error.amount').min(1, 'loanQr.error.amount').max(LOAN_QR_MAX.amountWan, 'loanQr.error.amount'),
    ),
    purpose: text(LOAN_QR_MAX.purpose, 'loanQr.error.purpose'),
    consent: z.literal(LOAN_QR_CONSENT_VERSION, { errorMap: () => ({ message: 'loanQr.error.consent' }) }),
  })
  .transform((v, ctx) => {
    let uscc: string | null = null
    if (v.uscc.trim() !== '') {
      const check = checkUscc(v.uscc)
      if (!check.ok) ctx.addIssue({ code: 'custom', path: ['uscc'], message: 'loanQr.error.uscc' })
      else uscc = check.value
    } else if (v.kind === 'enterprise') {
      ctx.addIssue({ code: 'custom', path: ['uscc'], message: 'loanQr.error.usccRequired' })
    }
    const phone = checkMobile(v.phone)
    if (!phone.ok) ctx.addIssue({ code: 'custom', path: ['phone'], message: 'loanQr.error.phone' })
    const kind = uscc && isHouseholdUscc(uscc) ? 'household' : v.kind
    return { kind, name: v.name, uscc, contactName: v.contactName, phone: phone.value, amountYuan: v.amountWan * 10_000, purpose: v.purpose, consentVersion: v.consent }
  })

export type LoanQrFields = z.output<typeof loanQrSchema>
export type LoanQrField = 'kind' | 'name' | 'uscc' | 'contactName' | 'phone' | 'amountWan' | 'purpose' | 'consent'

/** Reads a form's values; on failure, each field's first problem (no value is echoed back). */
export function parseLoanQrForm(values: Record<string, unknown>): { ok: true; fields: LoanQrFields } | { ok: false; errors: Partial<Record<LoanQrField, MessageKey>> } {
  const result = loanQrSchema.safeParse(values)
  if (result.success) return { ok: true, fields: result.data }
  const errors: Partial<Record<LoanQrField, MessageKey>> = {}
  for (const issue of result.error.issues) {
    const field = issue.path[0] as LoanQrField
    errors[field] ??= issue.message as MessageKey
  }
  return { ok: false, errors }
}

/** Whether a SHA-256 digest starts with `bits` zero bits. */
export function hasLeadingZeroBits(digest: Uint8Array, bits: number): boolean {
  let left = bits
  for (const byte of digest) {
    if (left <= 0) return true
    if (left >= 8) {
      if (byte !== 0) return false
      left -= 8
    } else {
      return byte >> (8 - left) === 0
    }
  }
  return left <= 0
}

/** The start of the fixed window `at` falls in, for a window of `minutes`. */
export function windowStart(at: Date, minutes: number): string {
  const ms = minutes * 60_000
  return new Date(Math.floor(at.getTime() / ms) * ms).toISOString()
}
