import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { getUser, readSessionToken, sessionCookie } from '../http/guards.server'
import { signOut } from '../services/sessions.server'

export async function action({ request, context }: ActionFunctionArgs) {
  const token = await readSessionToken(request, context)
  const user = await getUser(request, context)
  if (token && user) await signOut(context.db, token, { id: user.id, username: user.username, ip: context.clientIp })
  return redirect('/login?signedOut=1', {
    headers: { 'Set-Cookie': await sessionCookie(request, context.config.sessionSecret).serialize('', { maxAge: 0 }) },
  })
}

export function loader() {
  return redirect('/')
}
