// Log a visit to one player: the whole form on its own page. Before JavaScript loads it
// posts here; with JavaScript the form puts the visit in the device's outbox instead.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigate } from '@remix-run/react'
import { VisitForm } from '../components/visit-form'
import type { FieldErrors } from '../forms/fields'
import { actorOf, callerOf, notFound, requirePermission, userScope } from '../http/guards.server'
import { idParam, toFieldOrFormError } from '../http/errors.server'
import type { Message } from '../i18n/index'
import { useT } from '../i18n/use-t'
import { getPlayer } from '../services/players/get-player.server'
import { receiveVisitForm } from '../http/receive-visit-form.server'
import { createStorage } from '../services/storage/storage.server'
import { MAX_PHOTO_BYTES } from '../services/visit-photos/photo-rules'
import { recordVisitWithPhotos } from '../services/visit-photos/record-visit-with-photos.server'
import { findVisitRules } from '../services/visit-rules/find-visit-rules.server'

/** The officer's page: it hydrates with the field part of the messages (i18n/message-parts.ts). */
export const handle = { messages: 'field' }

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, context, 'visits:log')
  const player = await getPlayer(context.db, callerOf(user, context), { id: idParam(params.id) })
  if (!player) throw notFound()
  return {
    player: { id: player.id, name: player.name, address: player.address, lat: player.lat, lng: player.lng, approximate: player.position_approximate === 1 },
    radiusMetres: (await findVisitRules(context.db)).rules.radiusMetres,
    // Made with the page, so a double tap on an old phone posts the same visit twice: stored once.
    visitId: crypto.randomUUID(),
  }
}

type ActionData = { errors?: FieldErrors; values: Record<string, string>; formError?: Message }

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, 'visits:log')
  const playerId = idParam(params.id)
  // Before JavaScript loads the form comes whole, photos and all (multipart); an old page may
  // still post it urlencoded, without photos.
  const multipart = /^multipart\/form-data/i.test(request.headers.get('content-type') ?? '')
  const body = multipart ? await receiveVisitForm(request) : { ok: true as const, form: await request.formData(), photos: [] }
  if (!body.ok) {
    const key = body.reason === 'tooLarge' ? 'photo.tooLarge' : 'error.badRequest'
    return data<ActionData>({ errors: { photos: [{ key, params: { maxMb: MAX_PHOTO_BYTES / 1024 / 1024 } }] }, values: {} }, { status: body.reason === 'tooLarge' ? 413 : 400 })
  }
  // Imported here, not at the top: the page's browser bundle then leaves zod for the form to
  // fetch after the page works (see components/visit-form.tsx).
  const { parseVisit, visitFormValues } = await import('../forms/visit')
  const values = visitFormValues(body.form)
  const parsed = parseVisit({ ...values, playerId })
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 })
  try {
    const { visit } = await recordVisitWithPhotos(
      context.db,
      { actor: { ...actorOf(user, context), id: user.id }, scope: userScope(user) },
      createStorage(context.config.storage),
      { visit: parsed.data, photos: body.photos },
    )
    return redirect(`/visits/${visit.id}?saved=1`)
  } catch (error) {
    const { status, errors, formError } = toFieldOrFormError(error)
    if (status === 404 && !errors) throw notFound()
    return data<ActionData>({ errors, formError, values }, { status })
  }
}

export default function LogVisit() {
  const t = useT()
  const navigate = useNavigate()
  const { player, radiusMetres, visitId } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionData | undefined
  return (
    <div className="stack column">
      <p>
        <Link to="/my">← {t('nav.myList')}</Link> · <Link to={`/players/${player.id}`}>{player.name}</Link> · <Link to={`/players/${player.id}/consent`}>{t('consent.signNow')}</Link>
      </p>
      <h1>{t('visit.formTitle', { name: player.name })}</h1>
      {player.address ? <p className="muted">{player.address}</p> : null}
      <VisitForm
        player={player}
        visitId={result?.values.id ?? visitId}
        radiusMetres={radiusMetres}
        values={result?.values}
        errors={result?.errors}
        formError={result?.formError}
        onQueued={() => navigate('/my?queued=1')}
      />
    </div>
  )
}
