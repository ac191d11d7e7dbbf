// The errors of a form, summed up beside its submit button, so a press that failed is seen
// where it was made; with JavaScript the first field in error is scrolled to and focused.
// Each error stays next to its field too (components/field.tsx).
import { useEffect, useRef } from 'react'
import type { FieldErrors } from '../forms/fields'
import type { Message } from '../i18n/index'
import { useT, useTranslateMessage } from '../i18n/use-t'

export function FormErrorSummary({ errors, formError }: { errors?: FieldErrors | null; formError?: Message | null }) {
  const t = useT()
  const tm = useTranslateMessage()
  const ref = useRef<HTMLDivElement>(null)
  const items = [...Object.entries(errors ?? {}).flatMap(([name, list]) => list.map((message) => ({ name, message }))), ...(formError ? [{ name: '_form', message: formError }] : [])]
  const count = items.length
  useEffect(() => {
    if (!count || !ref.current) return
    const form = ref.current.closest('form')
    // The first field marked invalid or error list (a group of choices), in the page's
    // order; the summary itself when there is none.
    const mark = form?.querySelector<HTMLElement>('[aria-invalid="true"], .field-errors')
    const first = mark?.classList.contains('field-errors') ? (mark.parentElement?.querySelector<HTMLElement>('input, select, textarea') ?? mark) : (mark ?? ref.current)
    first.scrollIntoView({ block: 'center' })
    first.focus({ preventScroll: true })
    // A new set of errors (a new object) scrolls again, even when it says the same.
  }, [errors, formError, count])
  if (!count) return null
  const focusField = (name: string) => (event: React.MouseEvent) => {
    const form = ref.current?.closest('form')
    const field = form?.querySelector<HTMLElement>(`[name="${CSS.escape(name)}"]`)
    if (!field) return
    event.preventDefault()
    field.scrollIntoView({ block: 'center' })
    field.focus({ preventScroll: true })
  }
  return (
    <div ref={ref} className="form-error-summary" role="alert" tabIndex={-1} data-testid="form-error-summary">
      <p>{t('form.errorsSummary', { count })}</p>
      <ul>
        {items.map((item, i) => (
          <li key={i}>
            {item.name === '_form' ? (
              tm(item.message)
            ) : (
              <a href={`#${item.name}`} onClick={focusField(item.name)}>
                {tm(item.message)}
              </a>
            )}
          </li>
        ))}
      </ul>
    </div>
  )
}
