// The HTTP server around the Remix app: static files, request ids, security headers, and the
// per-request context every loader receives. Holds no state of its own, so any number of
// them can run behind a load balancer against one PostgreSQL.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import type { Kysely } from 'kysely'
import type { DialectName } from '../../db/dialect.server'
import type { Database } from '../../db/schema'
import type { AppConfig } from '../server/config.server'
import type { AppContext } from './context.server'
import { tileLayerFor } from '../domain/map-tiles'
import { logger, withRequestId, type RequestLog } from '../server/logger.server'
import { remixHandler } from './remix-handler.server'
import { limitBodies } from './request-limits.server'
import { contentSecurityPolicy, fromThisOrigin, limitApi, newNonce } from './security.server'
import { createPersonalDataCipher } from '../services/personal-data.server'
import { setupGate } from './setup-gate.server'
import { messagePartAt } from '../i18n/message-parts.server'
import { servePrecompressed } from './precompressed.server'
import { finalErrorHandler } from './final-errors.server'
import { LoanQrBudget } from './loan-qr-budget.server'
import { loanQrBudgetGate, loanQrPostHandler } from './loan-qr-post.server'
import { visitPhotoEarlyHandler } from './visit-photo-early.server'
import { foregroundStarted } from '../server/foreground.server'
import { serveOnly } from './serve-only.server'

export interface ServerDeps {
  build: ServerBuild
  db: Kysely<Database>
  dialect: DialectName
  config: AppConfig
  /** The project root, where `public/` lives. */
  rootDir: string
  /** True once the server is shutting down: keep-alive connections are then let go. */
  closing?: () => boolean
}

export function createHttpApp({ build, db, dialect, config, rootDir, closing }: ServerDeps): express.Express {
  const pii = createPersonalDataCipher(config.dataKey)
  const app = express()
  app.disable('x-powered-by')
  if (config.trustProxy) app.set('trust proxy', true)

  // A loan QR post over this server's budget is answered 503 first of all, before its body is
  // read and before any other work (request id, nonce, policy): a flood costs next to nothing.
  app.use(loanQrBudgetGate(new LoanQrBudget({ perSecond: config.loanQrPerSecond }), { db }))
  // A process limited to the loan QR page (SERVE_ONLY) answers nothing else.
  if (config.serveOnly) app.use(serveOnly(config.serveOnly))
  // Every other request is counted while it is answered: the loan QR tries' writes wait for
  // none to be (services/loan-qr/loan-qr-batches.server.ts, decision 0641).
  app.use((req, res, next) => {
    if (req.method === 'POST' && req.path.startsWith('/q/')) return next()
    const done = foregroundStarted()
    res.once('finish', done)
    res.once('close', done)
    next()
  })

  const tiles = tileLayerFor(config.mapTiles, config.mapTilesKey)
  app.use((req, res, next) => {
    const requestId = sanitiseRequestId(req.get('X-Request-Id')) ?? crypto.randomUUID()
    res.locals.requestId = requestId
    res.locals.nonce = newNonce()
    res.setHeader('X-Request-Id', requestId)
    // Shutting down: this answer is the connection's last, so a busy keep-alive client
    // cannot hold the server open.
    if (closing?.()) res.setHeader('Connection', 'close')
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(res.locals.nonce as string, tiles))
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'same-origin')
    res.setHeader('X-Frame-Options', 'DENY')
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(self)')
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
    const started = process.hrtime.bigint()
    const log: RequestLog = { requestId }
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      // The path only: a query string may carry a searched phone number.
      const fields = { requestId, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }
      // Every 5xx has its error line: whatever answered it without saying why (a thrown 5xx
      // answer Remix does not pass to handleError, a render cut short) is named here (0653).
      // A 503 is an answer on purpose (not set up yet, over a budget), said where it is made.
      if (res.statusCode >= 500 && res.statusCode !== 503 && !log.errorLogged) logger.error('answered with a server error that nothing logged', fields)
      else logger.debug('request', fields)
    })
    // Another site's page may not make a signed-in browser change anything here.
    if (!fromThisOrigin(req, config.trustProxy)) {
      logger.info('cross-origin request refused', { requestId, method: req.method, path: req.path })
      res.status(403).type('text/plain').send('cross-origin request refused')
      return
    }
    withRequestId(log, next)
  })

  app.use('/api', limitApi(config.apiRateLimit))
  // Bodies are bounded before anything reads them (see request-limits.server.ts).
  app.use(limitBodies())

  // Phones on a weak signal: pages and data are gzipped (the officer's list is ten times smaller).
  app.use(compression())

  const publicDir = path.join(rootDir, 'public')
  // Named by their content, so kept a year; brotli-compressed at build time where it can be.
  app.use('/build', servePrecompressed(path.join(publicDir, 'build'), 'public, max-age=31536000, immutable'))
  app.use('/build', express.static(path.join(publicDir, 'build'), { immutable: true, maxAge: '1y' }))
  // The service worker is checked for updates on every load, never kept for an hour.
  app.get('/sw.js', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache')
    res.sendFile(path.join(publicDir, 'sw.js'))
  })
  // The few files beside build/ (the icon…), looked up in the names read now rather than by
  // a stat of the folder for every page, data request and thumbnail (decision 0632).
  const publicNames = publicFileNames(publicDir)
  const publicFiles = express.static(publicDir, { maxAge: '1h' })
  app.use((req, res, next) => (publicNames.has(req.path) ? publicFiles(req, res, next) : next()))
  // The active language's messages, in parts, named by their content (see i18n/message-parts.ts).
  app.get('/messages/:locale/:file', (req, res, next) => {
    const source = messagePartAt(req.path)
    if (source === null) return next()
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable')
    res.type('text/javascript').send(source)
  })

  app.use(setupGate(db))
  // The loan QR code's form posts, answered before Remix with the route's own answer.
  app.post(/^\/q\//, loanQrPostHandler({ db, pii, config }))
  // A list's photo thumbnails, answered before Remix with the route's own answer (decision 0632).
  app.get(/^\/visits\//, visitPhotoEarlyHandler({ db, dialect, config, pii }))

  app.all(
    '*',
    remixHandler(build, (req, res): AppContext => ({
        db,
        dialect,
        config,
        pii,
        clientIp: req.ip ?? null,
        requestId: res.locals.requestId as string,
        nonce: res.locals.nonce as string,
      })),
  )
  // Last: an error nothing above answered gets a plain answer, never a stack (see final-errors.server.ts).
  app.use(finalErrorHandler)
  return app
}

/** The files under `public/` outside build/, as request paths (`/favicon.svg`); none when it is missing. */
function publicFileNames(dir: string): Set<string> {
  const names = new Set<string>()
  const walk = (folder: string, prefix: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const name = `${prefix}/${entry.name}`
      if (entry.isDirectory()) {
        if (name !== '/build') walk(path.join(folder, entry.name), name)
      } else if (entry.isFile()) names.add(name)
    }
  }
  if (fs.existsSync(dir)) walk(dir, '')
  return names
}

function sanitiseRequestId(value: string | undefined): string | null {
  return value && /^[A-Za-z0-9._-]{1,64}$/.test(value) ? value : null
}
