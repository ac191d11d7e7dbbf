// One way to render a form field and its errors, with aria-invalid and a described-by link.
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react'
import type { Message } from '../i18n/index'
import { useTranslateMessage } from '../i18n/use-t'

export function ErrorList({ id, errors }: { id?: string; errors?: Message[] | null }) {
  const tm = useTranslateMessage()
  if (!errors?.length) return null
  return (
    <ul id={id} className="field-errors" role="alert">
      {errors.map((e, i) => (
        <li key={i}>{tm(e)}</li>
      ))}
    </ul>
  )
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: ReactNode
  name: string
  errors?: Message[] | null
}

/** The attributes that tie a control to its label and its errors. */
export interface ControlLinks {
  id: string
  'aria-invalid'?: true
  'aria-describedby'?: string
}

/** A label, the control it names, and its errors under it: every field's frame. */
export function FieldFrame({ label, errors, id, children }: { label: ReactNode; errors?: Message[] | null; id?: string; children: (links: ControlLinks) => ReactNode }) {
  const fallbackId = useId()
  const controlId = id ?? fallbackId
  const errorId = errors?.length ? `${controlId}-error` : undefined
  return (
    <div className="field">
      <label htmlFor={controlId}>{label}</label>
      {children({ id: controlId, 'aria-invalid': errorId ? true : undefined, 'aria-describedby': errorId })}
      <ErrorList id={errorId} errors={errors} />
    </div>
  )
}

export function Field({ label, errors, id, ...input }: FieldProps) {
  return (
    <FieldFrame label={label} errors={errors} id={id}>
      {(links) => <input {...links} {...input} />}
    </FieldFrame>
  )
}

interface SelectFieldProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: ReactNode
  name: string
  errors?: Message[] | null
  options: { value: string | number; label: string }[]
}

export function SelectField({ label, errors, id, options, ...select }: SelectFieldProps) {
  return (
    <FieldFrame label={label} errors={errors} id={id}>
      {(links) => (
        <select {...links} {...select}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  )
}

/** What an action said: a success notice, and/or an error that belongs to no single field. */
export function ActionResult({ done, formError }: { done?: Message | null; formError?: Message | null }) {
  const tm = useTranslateMessage()
  return (
    <>
      {done ? (
        <p className="notice" role="status">
          {tm(done)}
        </p>
      ) : null}
      <ErrorList errors={formError ? [formError] : null} />
    </>
  )
}
