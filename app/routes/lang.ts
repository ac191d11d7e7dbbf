import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { localeCookie, safeRedirectTarget } from '../http/guards.server'
import { DEFAULT_LOCALE, isLocale } from '../i18n/index'

/** Switches the interface language and remembers it in a cookie. */
export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData()
  const requested = form.get('locale')
  const locale = isLocale(requested) ? requested : DEFAULT_LOCALE
  return redirect(safeRedirectTarget(form.get('redirectTo')), {
    headers: { 'Set-Cookie': await localeCookie.serialize(locale) },
  })
}

export function loader() {
  return redirect('/')
}
