// A button that posts one intent about one row (remove this day, revoke this token): the
// small form tables repeat in their last column.
import type { ReactNode } from 'react'
import { Form } from '@remix-run/react'

export function IntentButton(props: { intent: string; fields: Record<string, string | number>; className?: string; children: ReactNode }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={props.intent} />
      {Object.entries(props.fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={props.className ?? 'link-button'}>
        {props.children}
      </button>
    </Form>
  )
}
