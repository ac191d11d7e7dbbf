// A process limited to part of the app (SERVE_ONLY, decision 0891). `loan-qr`: the loan QR
// code's public page, the internet-facing part, in a process of its own beside the officers'
// server: its tries then take nothing from the thread that answers the officers' pages. It
// answers the page and its form (/q/…), the page's language switch (POST /lang, which sends
// the visitor back to the page) and the two probes (/livez, /healthz); every other path is not
// found here: not the sign-in, not the API, not the app's scripts (the page has none).
import type { RequestHandler } from 'express'
import type { ServeOnly } from '../server/config.server'

const PATHS: Record<ServeOnly, (method: string, path: string) => boolean> = {
  'loan-qr': (method, path) => path.startsWith('/q/') || path === '/livez' || path === '/healthz' || (method === 'POST' && path === '/lang'),
}

/** Answers 404 to every request outside what this process serves. */
export function serveOnly(only: ServeOnly): RequestHandler {
  const serves = PATHS[only]
  return (req, res, next) => {
    if (serves(req.method, req.path)) return next()
    res.status(404).type('text/plain').send('not found')
  }
}
