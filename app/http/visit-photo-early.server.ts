// A list's photo thumbnails (`GET /visits/:id/photos/:photoId?size=thumb`) answered before
// Remix (issue 24: the day view of 40 officers with its ~250 thumbnails under 300 ms of server
// time; decision 0632). Through Remix each cost ~1.6 ms of CPU (a web Request made, the route
// matched, a Response copied back) for a few KB read from the store. Here the session is read
// from the Cookie header as the route reads it (sessionTokenOfCookies, findSessionUser), the
// same rule sends a browser without one to sign in (admitUser), and the same answer is given
// (answerVisitPhoto: scope in the query, not audited, ETag and 304, private caching). The
// full-size image (audited each time) and any address this does not recognise go on to the
// Remix route as before.
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { AppContext } from './context.server'
import { admitUser, sessionTokenOfCookies } from './guards.server'
import { answerVisitPhoto, photoPurposeOf } from './visit-photo-answer.server'
import { AppError } from '../domain/app-error'
import { logger } from '../server/logger.server'
import { findSessionUser } from '../services/sessions.server'
import { createStorage } from '../services/storage/storage.server'

// Ids as the phone and the server make them; anything else (an encoded character, Remix's
// `.data`) is left to the Remix route, which answers it as before.
const PHOTO_PATH = /^\/visits\/([A-Za-z0-9_-]{1,100})\/photos\/([A-Za-z0-9_-]{1,100})$/
const ORIGIN = 'http://early.invalid'

type ServerContext = Pick<AppContext, 'db' | 'dialect' | 'config' | 'pii'>

export function visitPhotoEarlyHandler(server: ServerContext): RequestHandler {
  // One per server: the route makes one per request, which costs little on disk but an
  // S3 client's set-up each time.
  const storage = createStorage(server.config.storage)
  return (req: Request, res: Response, next: NextFunction) => {
    const match = PHOTO_PATH.exec(req.path)
    if (match === null) return next()
    // Read as the route reads its request's URL (made from the same originalUrl).
    const url = new URL(req.originalUrl, ORIGIN)
    if (photoPurposeOf(url.searchParams) !== 'thumbnail') return next()
    const context: AppContext = { ...server, clientIp: req.ip ?? null, requestId: res.locals.requestId as string, nonce: res.locals.nonce as string }
    void (async () => {
      const token = await sessionTokenOfCookies(req.get('Cookie'), req.protocol === 'https', server.config.sessionSecret)
      const admitted = admitUser(token ? await findSessionUser(server.db, token, server.config) : null, url.pathname, url.search)
      if ('redirectTo' in admitted) {
        // As Remix answers the route's thrown redirect: 302, no body.
        res.status(302).setHeader('Location', admitted.redirectTo)
        res.end()
        return
      }
      let answer
      try {
        answer = await answerVisitPhoto(context, admitted.user, storage, {
          visitId: match[1]!,
          photoId: match[2]!,
          purpose: 'thumbnail',
          ifNoneMatch: req.get('If-None-Match') ?? null,
        })
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        // Not found (another outlet's photo, or none): the route's status and type (its
        // error as JSON), naming nothing; logged as the app logs a refusal (entry.server.tsx).
        logger.info('request refused', { url: url.pathname, status: error.status })
        // Not res.json: it would add an ETag.
        res.status(error.status).type('application/json; charset=utf-8').end(JSON.stringify({ message: error.status === 404 ? 'Not Found' : 'Refused' }))
        return
      }
      res.status(answer.status)
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value)
      res.end(answer.body ?? undefined)
    })().catch(next)
  }
}
