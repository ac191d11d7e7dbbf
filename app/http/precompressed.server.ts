// The built scripts and stylesheets, brotli-compressed once at the best setting beside each
// file (`npm run build` does it) and sent as they are to a browser that takes brotli. The
// compression middleware works per request, so at a setting fast enough for pages (brotli 4):
// React's chunk comes to 86 KB that way and 75 KB at 11, a quarter-second on slow 3G.
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { RequestHandler } from 'express'

const brotli = promisify(zlib.brotliCompress)
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' }
/** Below this the headers outweigh what compression saves. */
const SMALLEST = 1024

function* filesUnder(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* filesUnder(file)
    else if (entry.isFile() && path.extname(file) in TYPES) yield file
  }
}

/** Writes `<file>.br` beside every script and stylesheet under `dir` that lacks an up-to-date one. */
export async function precompressDirectory(dir: string): Promise<{ files: number; bytes: number; compressedBytes: number }> {
  const summary = { files: 0, bytes: 0, compressedBytes: 0 }
  for (const file of filesUnder(dir)) {
    const stat = fs.statSync(file)
    if (stat.size < SMALLEST) continue
    const target = `${file}.br`
    if (!fs.existsSync(target) || fs.statSync(target).mtimeMs < stat.mtimeMs) {
      const body = await brotli(fs.readFileSync(file), {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: stat.size },
      })
      // Written aside and renamed: a server reading meanwhile never sees half a file.
      fs.writeFileSync(`${target}.tmp`, body)
      fs.renameSync(`${target}.tmp`, target)
    }
    summary.files++
    summary.bytes += stat.size
    summary.compressedBytes += fs.statSync(target).size
  }
  return summary
}

/**
 * Serves `<file>.br` for a script or stylesheet under `dir` when the browser accepts brotli and
 * the file exists; otherwise passes on (to the static files, compressed on the fly).
 */
export function servePrecompressed(dir: string, cacheControl: string): RequestHandler {
  const root = path.resolve(dir)
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next()
    const type = TYPES[path.extname(req.path)]
    if (!type) return next()
    res.vary('Accept-Encoding')
    if (req.acceptsEncodings('br') !== 'br') return next()
    // A name that does not decode is left to the static files, which answer 400 (not 500).
    let name: string
    try {
      name = decodeURIComponent(req.path)
    } catch {
      return next()
    }
    const file = path.resolve(root, `.${name}`)
    if (!file.startsWith(root + path.sep) || !fs.existsSync(`${file}.br`)) return next()
    // Already encoded: the compression middleware leaves an answer with Content-Encoding alone.
    res.setHeader('Content-Encoding', 'br')
    res.setHeader('Content-Type', type)
    res.setHeader('Cache-Control', cacheControl)
    res.sendFile(`${file}.br`, { cacheControl: false }, (error) => {
      if (error && !res.headersSent) {
        res.removeHeader('Content-Encoding')
        next()
      }
    })
  }
}
