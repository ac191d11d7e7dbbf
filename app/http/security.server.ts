// What every response and every request that changes data goes through before the app sees
// it: the security headers (a content security policy that lets the browser run only the
// page's own scripts and fetch tiles only from the configured host), the refusal of requests
// that change data from another origin, and the API's rate limit.
import crypto from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import type { TileLayerSpec } from '../domain/map-tiles'
import { SESSION_COOKIE } from './guards.server'

/** A nonce per response: Remix's inline scripts carry it, and nothing else inline runs. */
export function newNonce(): string {
  return crypto.randomBytes(16).toString('base64')
}

/**
 * The policy: everything from this origin, scripts only with the response's nonce, images
 * also from the tile hosts (and data: or blob: URLs, which Leaflet and the charts make),
 * never framed, forms only posted here. Styles may be inline: React writes style
 * attributes, and a style cannot run code.
 */
export function contentSecurityPolicy(nonce: string, tiles: TileLayerSpec | null): string {
  const tileHosts = (tiles?.hosts ?? []).map((host) => `https://${host}`)
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    ['img-src', "'self'", 'data:', 'blob:', ...tileHosts].join(' '),
    "connect-src 'self'",
    "font-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Whether a request may change data: a browser says where a request comes from (`Origin`,
 * and `Sec-Fetch-Site` on the rest), and only this site's is taken. A request that says
 * neither may still come from a browser (an old one, a privacy extension), so it is taken
 * only when it carries no session cookie (a script signing in) or carries a bearer token
 * (the loan system, a read token: credentials no browser attaches by itself).
 */
export function fromThisOrigin(req: Request, trustProxy: boolean): boolean {
  if (SAFE_METHODS.has(req.method)) return true
  const origin = req.get('Origin')
  const host = (trustProxy ? req.get('X-Forwarded-Host')?.split(',')[0]?.trim() : undefined) || req.get('Host')
  if (origin !== undefined) return host !== undefined && origin === `${req.protocol}://${host}`
  const site = req.get('Sec-Fetch-Site')
  if (site !== undefined) return site === 'same-origin' || site === 'none'
  if (/^Bearer\s/i.test(req.get('Authorization') ?? '')) return true
  return !SESSION_IN_COOKIES.test(req.get('Cookie') ?? '')
}

/**
 * A fixed window per caller (its token, its session, else its address): `limit` requests a
 * minute, then 429 with Retry-After until the window ends. Kept in this process: behind a
 * load balancer each server counts its own.
 */
export function rateLimiter(limit: number, windowMs = 60_000) {
  const windows = new Map<string, { startedAt: number; count: number }>()
  let swept = Date.now()
  return function take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    // Forget ended windows now and then, so a crowd of callers does not pile up.
    if (now - swept > windowMs) {
      for (const [k, w] of windows) if (now - w.startedAt >= windowMs) windows.delete(k)
      swept = now
    }
    let window = windows.get(key)
    if (!window || now - window.startedAt >= windowMs) windows.set(key, (window = { startedAt: now, count: 0 }))
    window.count++
    if (window.count <= limit) return { ok: true }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000)) }
  }
}

const SESSION_IN_COOKIES = new RegExp(`(?:^|;\\s*)(?:__Host-)?${SESSION_COOKIE}=([^;]+)`)

/** Who an API request is, for its rate limit: a digest, never the credential itself. */
export function callerOf(req: Request): string {
  const credential = req.get('Authorization') ?? SESSION_IN_COOKIES.exec(req.get('Cookie') ?? '')?.[1]
  return credential ? crypto.createHash('sha256').update(credential).digest('base64url') : `ip:${req.ip ?? ''}`
}

/** The express middleware for the API's limit (paths under /api/). */
export function limitApi(limit: number) {
  const take = rateLimiter(limit)
  return (req: Request, res: Response, next: NextFunction) => {
    const taken = take(callerOf(req))
    if (taken.ok) return next()
    res.setHeader('Retry-After', String(taken.retryAfterSeconds))
    res.status(429).json({ error: 'rate_limited', message: `more than ${limit} requests a minute: try again in ${taken.retryAfterSeconds} s` })
  }
}
