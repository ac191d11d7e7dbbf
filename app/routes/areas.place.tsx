// Players placed again by address once divisions are loaded (managers within their unit,
// admins for the bank): the township the address names, else the USCC's county; then
// territories by township and their officers.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useNavigation } from '@remix-run/react'
import { ActionResult } from '../components/field'
import { actorOf, requirePermission, userScope } from '../http/guards.server'
import { toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { placePlayersAgain } from '../services/divisions/place-players.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'territories:manage')
  return null
}

type ActionData = { done?: Message; formError?: Message }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'territories:manage')
  try {
    const result = await placePlayersAgain(context.db, actorOf(user, context), userScope(user))
    return { done: { key: 'place.done', params: { ...result } } } satisfies ActionData
  } catch (error) {
    const { status, formError } = toFormError(error)
    return data<ActionData>({ formError }, { status })
  }
}

export default function PlaceAgain() {
  const t = useT()
  const result = useActionData<typeof action>() as ActionData | undefined
  const busy = useNavigation().state !== 'idle'
  return (
    <div className="stack">
      <h1>{t('place.title')}</h1>
      <p className="muted">{t('place.intro')}</p>
      <ActionResult done={result?.done} formError={result?.formError} />
      <Form method="post">
        <button type="submit" className="primary" disabled={busy}>
          {t('place.button')}
        </button>
      </Form>
    </div>
  )
}
