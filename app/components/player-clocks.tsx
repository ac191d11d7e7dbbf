// The player's channel clocks on its page: each deadline with its state in China time, and
// the officer's actions (accept, contacted, decision). The decision form's one schema is
// here, read by the page's action on the server and by the form in the browser.
import { Form } from '@remix-run/react'
import { z } from 'zod'
import { CLOCKS, clockStatus, REFUSAL_REASONS, type Clock } from '../domain/clocks'
import { chinaTimeText } from '../domain/china-time'
import { choice, msg, optionalNumber, optionalText, type FieldErrors } from '../forms/fields'
import { useLocale, useT } from '../i18n/use-t'
import { Field, SelectField } from './field'
import { FormErrorSummary } from './form-error-summary'
import type { Message } from '../i18n/index'
import { moneyText } from '../domain/money-text'

const REASON_CODES = Object.keys(REFUSAL_REASONS) as [keyof typeof REFUSAL_REASONS, ...(keyof typeof REFUSAL_REASONS)[]]

export const decisionSchema = z
  .object({
    intent: z.literal('clock-decide'),
    decision: choice(['approved', 'refused'] as const),
    /** 万元, as every amount on the pages. */
    grantedAmount: optionalNumber(0.01, 100_000),
    refusalReason: z.preprocess((v) => (v === '' ? undefined : v), z.enum(REASON_CODES, { errorMap: () => ({ message: msg('clocks.reasonRequired') }) }).optional()),
    refusalNote: optionalText(200),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'approved' && v.grantedAmount === undefined) ctx.addIssue({ code: 'custom', path: ['grantedAmount'], message: msg('clocks.amountRequired') })
    if (v.decision === 'refused' && v.refusalReason === undefined) ctx.addIssue({ code: 'custom', path: ['refusalReason'], message: msg('clocks.reasonRequired') })
    if (v.decision === 'refused' && v.refusalReason === 'other' && !v.refusalNote) ctx.addIssue({ code: 'custom', path: ['refusalNote'], message: msg('clocks.noteRequired') })
  })

export interface PlayerClockView {
  channel: string
  started_at: string
  accept_due_at: string | null
  contact_due_at: string | null
  decide_due_at: string | null
  accepted_at: string | null
  contacted_at: string | null
  decided_at: string | null
  decision: string | null
  amount_yuan: number | null
  refusal_reason: string | null
  refusal_note: string | null
}

const DUE: Record<Clock, 'accept_due_at' | 'contact_due_at' | 'decide_due_at'> = { accept: 'accept_due_at', contact: 'contact_due_at', decide: 'decide_due_at' }
const MET: Record<Clock, 'accepted_at' | 'contacted_at' | 'decided_at'> = { accept: 'accepted_at', contact: 'contacted_at', decide: 'decided_at' }

export function PlayerClocks({ clock, now, canAct, errors, formError }: { clock: PlayerClockView; now: string; canAct: boolean; errors?: FieldErrors; formError?: Message | null }) {
  const t = useT()
  const locale = useLocale()
  return (
    <section className="card" aria-labelledby="clocks" data-testid="player-clocks">
      <h2 id="clocks">{t('clocks.title')}</h2>
      <p>
        {t('clocks.channel')}: {t(`channel.${clock.channel as 'loan_qr'}`)} · {t('clocks.cameAt')}: {chinaTimeText(clock.started_at)}
      </p>
      <ul className="plain">
        {CLOCKS.filter((c) => clock[DUE[c]] !== null).map((c) => {
          const status = clockStatus(clock[DUE[c]], clock[MET[c]], new Date(now))
          return (
            <li key={c} data-clock={c} data-status={status} className={status === 'overdue' || status === 'met_late' ? 'flag' : undefined}>
              {t(`clocks.${c}`)}: {t(`clocks.status.${status}`, { due: chinaTimeText(clock[DUE[c]]!), at: clock[MET[c]] ? chinaTimeText(clock[MET[c]]!) : '' })}
            </li>
          )
        })}
      </ul>
      {clock.decision ? (
        <p data-testid="clock-decision">
          {t(`clocks.decision.${clock.decision as 'approved'}`)}
          {clock.amount_yuan !== null ? ` · ${moneyText(clock.amount_yuan, locale)}` : ''}
          {clock.refusal_reason ? ` · ${REFUSAL_REASONS[clock.refusal_reason as 'other']?.[locale === 'en' ? 'en' : 'zh'] ?? clock.refusal_reason}` : ''}
          {clock.refusal_note ? ` (${clock.refusal_note})` : ''}
        </p>
      ) : null}
      {canAct && !clock.decided_at ? (
        <div className="stack">
          <div className="row-actions">
            {clock.accept_due_at && !clock.accepted_at ? (
              <Form method="post">
                <input type="hidden" name="intent" value="clock-accept" />
                <button type="submit">{t('clocks.doAccept')}</button>
              </Form>
            ) : null}
            {clock.contact_due_at && !clock.contacted_at ? (
              <Form method="post">
                <input type="hidden" name="intent" value="clock-contact" />
                <button type="submit">{t('clocks.doContact')}</button>
              </Form>
            ) : null}
          </div>
          {clock.contact_due_at && !clock.contacted_at ? <p className="muted small">{t('clocks.contactHint')}</p> : null}
          <Form method="post" className="form-grid" aria-label={t('clocks.doDecide')}>
            <input type="hidden" name="intent" value="clock-decide" />
            <SelectField
              label={t('clocks.decision')}
              name="decision"
              options={[
                { value: 'approved', label: t('clocks.decision.approved') },
                { value: 'refused', label: t('clocks.decision.refused') },
              ]}
              errors={errors?.decision}
            />
            <Field label={t('clocks.amount')} name="grantedAmount" inputMode="decimal" errors={errors?.grantedAmount} />
            <SelectField
              label={t('clocks.reason')}
              name="refusalReason"
              options={[{ value: '', label: '—' }, ...REASON_CODES.map((r) => ({ value: r, label: REFUSAL_REASONS[r][locale === 'en' ? 'en' : 'zh'] }))]}
              errors={errors?.refusalReason}
            />
            <Field label={t('clocks.note')} name="refusalNote" maxLength={200} errors={errors?.refusalNote} />
            <FormErrorSummary errors={errors} formError={formError} />
            <button type="submit" className="primary">
              {t('clocks.doDecide')}
            </button>
          </Form>
        </div>
      ) : null}
    </section>
  )
}
