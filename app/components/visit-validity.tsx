// Whether a visit counts under the bank's rules, and why not: one badge for every list.
import type { InvalidReason } from '../domain/visit-validity'
import { useT } from '../i18n/use-t'

export function VisitValidityBadge({ validity }: { validity: { valid: boolean; reasons: InvalidReason[]; farAcceptedAt: string | null } }) {
  const t = useT()
  if (validity.valid) return validity.farAcceptedAt ? <span className="badge">{t('visitValidity.farAccepted')}</span> : null
  return (
    <span className="visit-invalid" data-testid="visit-invalid">
      <span className="badge flag">{t('visitValidity.invalid')}</span>{' '}
      <span className="small">{validity.reasons.map((r) => t(`visitValidity.reason.${r}`)).join('；')}</span>
    </span>
  )
}
