// The player's size class with its basis, and (one who may edit) the override with a reason.
import { Form } from '@remix-run/react'
import { SIZE_CLASSES } from '../../domain/market-player'
import type { FieldErrors } from '../../forms/fields'
import type { Message } from '../../i18n/index'
import { useT, useTranslateMessage } from '../../i18n/use-t'
import { Field, SelectField } from '../field'
import { FormErrorSummary } from '../form-error-summary'

export interface SizeClassFacts {
  size_class: string | null
  size_class_basis: string | null
  size_class_computed: string | null
  size_class_override_reason: string | null
}

/** `sent`: the override form's answer when it was the one sent. */
export function SizeClassSection({ player, canEdit, errors, sent }: { player: SizeClassFacts; canEdit: boolean; errors: FieldErrors | undefined; sent: { errors?: FieldErrors; formError?: Message } | null }) {
  const t = useT()
  const tm = useTranslateMessage()
  const sizeBasis = player.size_class_basis ? (JSON.parse(player.size_class_basis) as Message) : null
  return (
    <section className="card" aria-labelledby="size">
      <h2 id="size">
        {t('player.sizeClass')}: {player.size_class ? t(`sizeClass.${player.size_class as 'micro'}`) : '—'}
      </h2>
      {sizeBasis ? <p className="muted">{tm(sizeBasis)}</p> : null}
      {player.size_class_override_reason ? (
        <p>
          {t('player.overrideReason')}: {player.size_class_override_reason}
          {player.size_class_computed ? ` (${t('player.computed')}: ${t(`sizeClass.${player.size_class_computed as 'micro'}`)})` : ''}
        </p>
      ) : null}
      {canEdit ? (
        <details>
          <summary>{t('player.override')}</summary>
          <Form method="post" className="form-grid">
            <input type="hidden" name="intent" value="override" />
            <SelectField label={t('player.sizeClass')} name="sizeClass" options={SIZE_CLASSES.map((s) => ({ value: s, label: t(`sizeClass.${s}`) }))} errors={errors?.sizeClass} />
            <Field label={t('player.overrideReason')} name="reason" required maxLength={200} errors={errors?.reason} />
            <FormErrorSummary errors={sent ? sent.errors : null} formError={sent ? sent.formError : null} />
            <button type="submit" className="secondary">
              {t('common.save')}
            </button>
          </Form>
          {player.size_class_override_reason ? (
            <Form method="post">
              <input type="hidden" name="intent" value="clear-override" />
              <button type="submit" className="link-button">
                {t('player.clearOverride')}
              </button>
            </Form>
          ) : null}
        </details>
      ) : null}
    </section>
  )
}
