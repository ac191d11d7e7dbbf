// Guards every loader and action opens with: who is signed in, and may they do this.
import { createCookie, data, redirect, type Cookie } from '@remix-run/node'
import type { AppContext } from './context.server'
import { can, type Permission } from '../domain/roles'
import { scopeOf, type Scope } from '../domain/scope'
import { DEFAULT_LOCALE, isLocale, translator, type Locale, type Translate } from '../i18n/index'
import { findIntegrationUser } from '../services/api-tokens/find-integration-user.server'
import type { Actor } from '../services/audit.server'
import type { Caller } from '../services/caller.server'
import { findSessionUser, type CurrentUser } from '../services/sessions.server'

const cookies = new Map<string, Cookie>()

/** Where a user changes their own password; the only page open while they must. */
export const CHANGE_PASSWORD_PATH = '/account/password'

/** The session cookie's name; `__Host-` before it over HTTPS. */
export const SESSION_COOKIE = 'wanqi_session'

/** The session cookie: HttpOnly, SameSite=Lax, signed, Secure when served over HTTPS. */
export function sessionCookie(request: Request, secret: string): Cookie {
  return sessionCookieOver(new URL(request.url).protocol === 'https:', secret)
}

function sessionCookieOver(secure: boolean, secret: string): Cookie {
  const key = `${secure}:${secret}`
  let cookie = cookies.get(key)
  if (!cookie) {
    cookie = createCookie(secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      secrets: [secret],
    })
    cookies.set(key, cookie)
  }
  return cookie
}

export function readSessionToken(request: Request, context: AppContext): Promise<string | null> {
  return sessionTokenOfCookies(request.headers.get('Cookie'), new URL(request.url).protocol === 'https:', context.config.sessionSecret)
}

/** The session token a Cookie header carries (signed; `__Host-` over HTTPS), for a handler that has no Request (http/visit-photo-early.server.ts). */
export async function sessionTokenOfCookies(header: string | null | undefined, secure: boolean, secret: string): Promise<string | null> {
  const value: unknown = await sessionCookieOver(secure, secret).parse(header ?? null)
  return typeof value === 'string' && value.length > 0 ? value : null
}

// The root loader and the page's loader both ask who is signed in; the context is made
// once per request, so the session is looked up once per request.
const usersOfRequest = new WeakMap<AppContext, Promise<CurrentUser | null>>()

export function getUser(request: Request, context: AppContext): Promise<CurrentUser | null> {
  let user = usersOfRequest.get(context)
  if (!user) {
    user = readSessionToken(request, context).then((token) =>
      token ? findSessionUser(context.db, token, context.config) : null,
    )
    usersOfRequest.set(context, user)
  }
  return user
}

/** The signed-in user, or a redirect to sign in that comes back here afterwards. */
export async function requireUser(request: Request, context: AppContext): Promise<CurrentUser> {
  const user = await getUser(request, context)
  const url = new URL(request.url)
  const admitted = admitUser(user, url.pathname, url.search)
  if ('redirectTo' in admitted) throw redirect(admitted.redirectTo)
  return admitted.user
}

/**
 * Whether a page may be shown to whoever the session names: the user, or where to send the
 * browser instead (sign in, coming back here afterwards; or choose a password). The rule
 * behind requireUser, for the handlers answered before Remix too.
 */
export function admitUser(user: CurrentUser | null, pathname: string, search: string): { user: CurrentUser } | { redirectTo: string } {
  if (user) {
    // A one-time password opens one page only: the one where the user chooses their own.
    if (user.mustChangePassword && pathname !== CHANGE_PASSWORD_PATH) return { redirectTo: CHANGE_PASSWORD_PATH }
    return { user }
  }
  const redirectTo = pathname + search
  return { redirectTo: `/login${redirectTo === '/' ? '' : `?redirectTo=${encodeURIComponent(redirectTo)}`}` }
}

export async function requirePermission(request: Request, context: AppContext, permission: Permission) {
  const user = await requireUser(request, context)
  if (!can(user.role, permission)) throw forbidden()
  return user
}

export function userScope(user: CurrentUser): Scope {
  return scopeOf(user)
}

export function actorOf(user: CurrentUser, context: AppContext): Actor {
  return { id: user.id, username: user.username, ip: context.clientIp }
}

// Made once per request, like the user it is made from.
const callersOfRequest = new WeakMap<AppContext, Caller>()

/** The signed-in user as services take them: actor, scope and the personal-data cipher. */
export function callerOf(user: CurrentUser, context: AppContext): Caller {
  let caller = callersOfRequest.get(context)
  if (!caller || caller.actor.id !== user.id) {
    caller = { actor: actorOf(user, context), scope: scopeOf(user), pii: context.pii }
    callersOfRequest.set(context, caller)
  }
  return caller
}

export function forbidden() {
  return data({ messageKey: 'error.forbidden' }, { status: 403 })
}

export function notFound() {
  return data({ messageKey: 'error.notFound' }, { status: 404 })
}

// Anything a browser or a URL parser might read as another host: control characters (tab,
// CR, LF), backslashes (read as slashes) and any kind of space (U+3000 among them).
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNSAFE_IN_TARGET = /[\u0000-\u001f\u007f\\\s\u200b-\u200f\u2028\u2029\ufeff]/
const PLACEHOLDER_ORIGIN = 'http://placeholder.invalid'

/**
 * Where a `redirectTo` may send the browser: a path on this site, decided by parsing it as a
 * browser would against this site and comparing origins, never by its first characters
 * (`/\t/evil.example` starts with one slash and lands on another host). Anything else, and
 * anything a header cannot carry, gives the fallback. Every place that reads `redirectTo`
 * goes through here.
 */
export function safeRedirectTarget(target: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.length > 2_000 || UNSAFE_IN_TARGET.test(target)) return fallback
  let url: URL
  try {
    url = new URL(target, PLACEHOLDER_ORIGIN)
  } catch {
    return fallback
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback
  return url.pathname + url.search + url.hash
}

export const localeCookie = createCookie('wanqi_lang', { path: '/', sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 })

export async function getLocale(request: Request): Promise<Locale> {
  return localeOfCookies(request.headers.get('Cookie'))
}

/** The language a request's Cookie header chose, for a handler that has no Request (http/loan-qr-post.server.ts). */
export async function localeOfCookies(header: string | null | undefined): Promise<Locale> {
  const value: unknown = await localeCookie.parse(header ?? null)
  return isLocale(value) ? value : DEFAULT_LOCALE
}

export async function getTranslate(request: Request): Promise<Translate> {
  return translator(await getLocale(request))
}

/** For JSON APIs: the signed-in user, or a 401 answer (not a redirect to a page). */
export async function requireApiUser(request: Request, context: AppContext): Promise<CurrentUser> {
  const user = await getUser(request, context)
  if (user?.mustChangePassword) {
    throw Response.json({ error: 'password_change_required', message: `choose a new password at ${CHANGE_PASSWORD_PATH} first` }, { status: 403 })
  }
  if (user) return user
  throw Response.json({ error: 'unauthenticated', message: 'sign in first' }, { status: 401 })
}

/**
 * For JSON APIs a bank's tools call: an integration token (`Authorization: Bearer …`, acting
 * for its user, with their role and scope), else the signed-in user, else a 401.
 */
export async function requireApiCaller(request: Request, context: AppContext): Promise<CurrentUser> {
  if (!request.headers.has('Authorization')) return requireApiUser(request, context)
  const user = await findIntegrationUser(context.db, request.headers.get('Authorization'))
  if (user) return user
  throw Response.json({ error: 'unauthenticated', message: 'the token is not a live integration token' }, { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } })
}
