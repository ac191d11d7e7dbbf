// What the audit log can say happened, so the admin page picks an action or a record type
// from a list (in words, translated as `audit.act.<code>` and `audit.type.<code>`) instead
// of typing a code. An action not listed still shows, as its code.

export const AUDIT_ACTIONS = [
  'sign_in', 'sign_in.failed', 'sign_in.unlocked', 'sign_out',
  'user.create', 'user.update', 'user.import', 'user.reset_password', 'user.end_sessions', 'user.deactivate', 'user.reactivate',
  'user.change_password', 'user.change_password.failed',
  'org_unit.create', 'org_unit.update', 'org_unit.rename', 'org_unit.move', 'org_unit.import',
  'bank.set_up', 'calendar.edited', 'clock_settings.updated', 'target.set', 'target.removed',
  'product.created', 'product.changed', 'api-token.created', 'api-token.revoked',
  'areas.load', 'areas.boundaries', 'areas.centre', 'areas.place',
  'import.upload', 'import.mapping', 'import.options', 'import.commit', 'import.done', 'import.delete', 'import.rejected.unmask',
  'history.imported', 'visit.imported', 'referral.imported',
  'player.create', 'player.update', 'player.unmask', 'player.position-from-check-in', 'player.size_override', 'player.size_override_cleared',
  'personal-data.list-phones',
  'territory.create', 'territory.update', 'territory.delete', 'territory.assign', 'players.assign',
  'visit.recorded', 'visit.edited', 'visit.far_accepted', 'visit_rules.changed',
  'referral.created', 'clock.contacted', 'clock.accepted', 'clock.decided', 'clock.escalated',
  'consent_text.saved', 'consent.signed', 'consent.viewed', 'consent.withdrawn', 'consent.fetched',
  'loan_qr.request', 'loan_qr.issue', 'loan_qr.revoke',
  'figures.exported', 'loans.exported', 'feedback.exported', 'platform_feedback.exported', 'platform_feedback.read', 'audit.exported',
] as const

export const AUDIT_ENTITY_TYPES = [
  'user', 'org_unit', 'market_player', 'visit', 'referral', 'territory', 'import', 'import_job', 'product', 'api_token',
  'area', 'areas', 'consent_text', 'loan_qr_code', 'clock_setting', 'working_calendar_day', 'visit_rules', 'export', 'audit_log',
] as const

/** An address as people write it: an IPv4 client seen through an IPv6 socket loses `::ffff:`. */
export function displayAddress(ip: string | null): string | null {
  if (!ip) return ip
  return ip.toLowerCase().startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}

export interface DetailLine {
  /** The detail's key, translated where `audit.key.<key>` exists. */
  key: string
  value: string
}

/** A stored detail (JSON) as lines of key and value; text that is not JSON is one line. */
export function detailLines(detail: string | null): DetailLine[] {
  if (!detail) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(detail)
  } catch {
    return [{ key: '', value: detail }]
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [{ key: '', value: valueText(parsed) }]
  return Object.entries(parsed as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([key, v]) => ({ key, value: valueText(v) }))
}

function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueText).join('、')
  if (v && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null && x !== '')
      .map(([k, x]) => `${k} ${valueText(x)}`)
      .join(', ')
  }
  if (typeof v === 'boolean') return v ? '✓' : '✗'
  return String(v)
}
