// The audit log's filters as they travel in a URL, shared by the admin page and its CSV
// export, so what is exported is exactly what was on screen. Dates are China days.
import { z } from 'zod'
import { blankToUndefined, msg, optionalText, parseValues, type FormResult } from './fields'
import type { AuditFilter } from '../services/audit.server'

const chinaDay = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() || undefined : blankToUndefined(v)),
  z
    .string()
    // A round trip, so 2026-02-30 is refused rather than read as 2 March.
    .refine((v) => {
      const ms = Date.parse(`${v}T00:00:00Z`)
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(v)
    }, msg('validation.date'))
    .optional(),
)

export const auditFilterSchema = z
  .object({
    actor: optionalText(40).transform((v) => v?.toLowerCase()),
    action: optionalText(80),
    entityType: optionalText(40),
    entityId: optionalText(80),
    from: chinaDay,
    to: chinaDay,
    // Only characters an address has: the prefix goes into a LIKE, so no wildcards get in.
    ip: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : blankToUndefined(v)),
      z.string().regex(/^[0-9a-f.:]{1,45}$/, msg('audit.ipFormat')).optional(),
    ),
  })
  .superRefine((f, ctx) => {
    if (f.from && f.to && f.to < f.from) ctx.addIssue({ code: 'custom', path: ['to'], message: msg('audit.toBeforeFrom') })
  })

export const AUDIT_FILTER_PARAMS = ['actor', 'action', 'entityType', 'entityId', 'from', 'to', 'ip'] as const

export function auditFilterFromSearch(params: URLSearchParams): FormResult<AuditFilter> {
  const values: Record<string, string> = {}
  for (const name of AUDIT_FILTER_PARAMS) {
    const value = params.get(name)
    if (value !== null) values[name] = value
  }
  const parsed = parseValues(values, auditFilterSchema)
  if (!parsed.ok) return parsed
  const { ip, ...rest } = parsed.data
  return { ok: true, data: { ...rest, ipPrefix: ip } }
}

/** The page's cursor: entries older than this id. Anything else starts at the newest. */
export function auditCursorFromSearch(params: URLSearchParams): number | undefined {
  const before = Number(params.get('before'))
  return Number.isSafeInteger(before) && before > 0 ? before : undefined
}
