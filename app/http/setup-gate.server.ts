// Until the bank is set up (no user exists), every page leads to /setup, which says how to
// begin; only health checks, the language switch and static files work besides. Once a user
// exists this server remembers it and asks the database no more.
import type { RequestHandler } from 'express'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import { isSetUpNeeded } from '../services/setup.server'

export const SETUP_PATH = '/setup'
const OPEN_PATHS = new Set([SETUP_PATH, '/healthz', '/livez', '/lang'])

export function setupGate(db: Kysely<Database>): RequestHandler {
  let setUp = false
  return (req, res, next) => {
    // `/setup.data`: the same page's data, as Remix's single fetch asks for it.
    if (setUp || OPEN_PATHS.has(req.path.replace(/\.data$/, ''))) return next()
    isSetUpNeeded(db).then(
      (needed) => {
        if (!needed) {
          setUp = true
          return next()
        }
        if (req.path.startsWith('/api/')) {
          res.status(503).json({ error: 'setup_required', message: `the bank is not set up yet: see ${SETUP_PATH}` })
        } else if (req.method === 'GET' || req.method === 'HEAD') {
          res.redirect(303, SETUP_PATH)
        } else {
          res.status(503).type('text/plain').send(`The bank is not set up yet: open ${SETUP_PATH}`)
        }
      },
      (error: unknown) => next(error),
    )
  }
}
