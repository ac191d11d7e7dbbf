import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { PlayerForm } from '../components/player-form'
import type { FieldErrors } from '../forms/fields'
import { callerOf, notFound, requirePermission } from '../http/guards.server'
import { idParam, toFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { parsePlayerForm } from '../forms/player.server'
import { getPlayer } from '../services/players/get-player.server'
import { updatePlayer } from '../services/players/update-player.server'

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'players:edit')
  const p = await getPlayer(context.db, callerOf(user, context), { id: idParam(params.id) })
  if (!p) throw notFound()
  const str = (v: string | number | null) => (v === null ? '' : String(v))
  return {
    id: p.id,
    name: p.name,
    maskedPhone: p.phone_masked,
    maskedIdNumber: p.id_number_masked,
    values: {
      name: p.name,
      kind: p.kind,
      uscc: str(p.uscc),
      legalRepresentative: str(p.legal_representative),
      owner: str(p.owner),
      industry: str(p.industry),
      employees: str(p.employees),
      revenue: p.revenue_yuan === null ? '' : String(p.revenue_yuan / 10_000),
      assets: p.assets_yuan === null ? '' : String(p.assets_yuan / 10_000),
      registeredOn: str(p.registered_on),
      registrationStatus: str(p.registration_status),
      address: str(p.address),
      areaCode: str(p.area_code),
      lat: p.position_approximate ? '' : str(p.lat),
      lng: p.position_approximate ? '' : str(p.lng),
      taxGrade: str(p.tax_grade),
      loanHistory: p.loan_history === 'unknown' ? '' : p.loan_history,
      loanCheckedOn: str(p.loan_checked_on),
    } as Record<string, string>,
  }
}

type ActionData = { errors?: FieldErrors; values: Record<string, string>; formError?: Message }

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'players:edit')
  const id = idParam(params.id)
  const form = parsePlayerForm(await request.formData())
  if (!form.ok) return data<ActionData>({ errors: form.errors, values: form.values }, { status: 400 })
  try {
    await updatePlayer(context.db, callerOf(user, context), { id, fields: form.fields })
    return redirect(`/players/${id}`)
  } catch (error) {
    const { status, formError } = toFormError(error)
    if (status === 404) throw notFound()
    return data<ActionData>({ formError, values: form.values }, { status })
  }
}

export default function EditPlayer() {
  const t = useT()
  const { id, name, values, maskedPhone, maskedIdNumber } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  return (
    <div className="stack">
      <p>
        <Link to={`/players/${id}`}>← {name}</Link>
      </p>
      <h1>{t('users.edit')}</h1>
      <p className="muted">{t('player.editNote')}</p>
      <PlayerForm
        values={result?.values ?? values}
        errors={result?.errors}
        formError={result?.formError}
        submitLabel={t('common.save')}
        maskedPhone={maskedPhone}
        maskedIdNumber={maskedIdNumber}
      />
    </div>
  )
}
