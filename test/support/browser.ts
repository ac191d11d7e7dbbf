// The real app, started the way an operator starts it (a child process running
// app/cli/serve.server.ts on a fresh database), and Debian's Chromium to drive it.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const CHROMIUM = '/usr/bin/chromium'

export interface AppProcess {
  url: string
  /** The SQLite file the app serves, so a test can look up what the seed made. */
  databaseFile: string
  stop(): Promise<void>
}

const READY = 'Wanqi is running at'
const START_TIMEOUT_MS = 90_000

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Starts the server on a free port against a new, empty database (so the demo county is seeded). */
export async function startAppProcess(): Promise<AppProcess> {
  const build = path.join(ROOT, 'build/index.js')
  if (!fs.existsSync(build)) throw new Error('build/index.js is missing: run `npx remix build` first (npm test does it)')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanqi-e2e-'))
  const databaseFile = path.join(dir, 'db.sqlite')
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Vitest sets NODE_ENV=test; the server runs the production build as deployed.
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: `file:${databaseFile}`,
    WANQI_SECRETS_FILE: path.join(dir, 'secrets.json'),
    // Uploaded lists stay with the throwaway database, not in the checkout's db/uploads.
    UPLOAD_DIR: path.join(dir, 'uploads'),
    LOG_LEVEL: 'warn',
  }
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['app/cli/serve.server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })

  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true })

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
    cleanUp()
  }

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the app did not say "${READY}" within ${START_TIMEOUT_MS / 1000} s. Its output:\n${output}`)),
        START_TIMEOUT_MS,
      )
      const check = () => {
        if (output.includes(READY)) {
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout.on('data', check)
      child.once('error', (error) => {
        clearTimeout(timer)
        reject(new Error(`the app could not be started: ${error.message}`))
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`the app exited early (code ${code}, signal ${signal}). Its output:\n${output}`))
      })
    })
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `http://localhost:${port}`, databaseFile, stop }
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install the Debian package \`chromium\` (node test/support/ensure-chromium.mjs does it as root)`)
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium dials out on start and, on a
    // closed network, its connections are refused.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** The `wanqi_lang` cookie as the app writes it (a Remix cookie: base64 of the JSON value). */
export function localeCookieValue(locale: 'en' | 'zh-CN'): string {
  return encodeURIComponent(Buffer.from(JSON.stringify(locale), 'utf8').toString('base64'))
}

/** A fresh context that speaks English to the app. */
export async function englishContext(browser: Browser, url: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options)
  await context.addCookies([{ name: 'wanqi_lang', value: localeCookieValue('en'), url }])
  return context
}
