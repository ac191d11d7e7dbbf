import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Link, useActionData } from '@remix-run/react'
import { PlayerForm } from '../components/player-form'
import type { FieldErrors } from '../forms/fields'
import { callerOf, requirePermission } from '../http/guards.server'
import { toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { parsePlayerForm } from '../forms/player.server'
import { createPlayer } from '../services/players/create-player.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'players:edit')
  return null
}

type ActionData = { errors?: FieldErrors; values: Record<string, string>; formError?: Message }

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'players:edit')
  const form = parsePlayerForm(await request.formData())
  if (!form.ok) return data<ActionData>({ errors: form.errors, values: form.values }, { status: 400 })
  try {
    const id = await createPlayer(context.db, callerOf(user, context), { fields: form.fields, orgUnitId: user.orgUnitId })
    return redirect(`/players/${id}`)
  } catch (error) {
    const { status, formError } = toFormError(error)
    return data<ActionData>({ formError, values: form.values }, { status })
  }
}

export default function NewPlayer() {
  const t = useT()
  const result = useActionData<typeof action>() as ActionData | undefined
  return (
    <div className="stack">
      <p>
        <Link to="/players">← {t('nav.players')}</Link>
      </p>
      <h1>{t('player.new')}</h1>
      <PlayerForm values={result?.values ?? {}} errors={result?.errors} formError={result?.formError} submitLabel={t('common.save')} />
    </div>
  )
}
