// GET /api/v1/players?uscc=…: a player looked up by its USCC, for a bank's tools, scoped like
// every page (a session, or an integration token acting for its user): a player outside the
// caller's scope answers 404 as if it were not there; a USCC that fails its check 400 with
// the reason. Personal data only masked. `{ "players": [...] }` (one, unless a registry
// holds the code twice).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { checkUscc } from '../domain/identifiers'
import { getTranslate, requireApiCaller, userScope } from '../http/guards.server'
import { findPlayersByUscc } from '../services/player-lookup.server'

const NO_STORE = { 'Cache-Control': 'private, no-store' }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireApiCaller(request, context)
  const t = await getTranslate(request)
  const raw = new URL(request.url).searchParams.get('uscc')
  if (!raw) return Response.json({ error: 'invalid', message: 'give the USCC: ?uscc=…', fields: { uscc: [t('history.required')] } }, { status: 400, headers: NO_STORE })
  const checked = checkUscc(raw)
  if (!checked.ok) {
    const reason = t(checked.message.key, checked.message.params)
    return Response.json({ error: 'invalid', message: reason, fields: { uscc: [reason] } }, { status: 400, headers: NO_STORE })
  }
  const players = await findPlayersByUscc(context.db, userScope(user), checked.value)
  if (players.length === 0) return Response.json({ error: 'not_found', message: t('history.playerUnknown') }, { status: 404, headers: NO_STORE })
  return Response.json({ players: players.map((p) => ({ ...p, openReferralId: p.openReferralId ?? null })) }, { headers: NO_STORE })
}
