// Configuration from the environment, with secrets generated and kept on first start when
// they are not given. Read once at start-up and passed down; nothing else reads process.env.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { MAP_TILE_PROVIDERS, type MapTileProvider } from '../domain/map-tiles'
import { DEFAULT_CHECK_IN_RADIUS_M } from '../domain/visit'
import type { StorageConfig } from '../services/storage/storage-contract.server'

export interface AppConfig {
  port: number
  databaseUrl: string
  sessionSecret: string
  /** Encrypts personal data at rest (base64url, 32 bytes or more). Losing it loses that data. */
  dataKey: string
  /** Where uploaded lists wait to be imported. Shared by every app server that runs imports. */
  uploadDir: string
  /** Where kept files (visit photos) go: a folder, or an S3-compatible store for several app servers. */
  storage: StorageConfig
  /** Minutes of inactivity after which a session ends. */
  sessionIdleMinutes: number
  /** Hours after sign-in after which a session ends, active or not. */
  sessionMaxHours: number
  /** Trust X-Forwarded-* from a reverse proxy (for the client address and HTTPS). */
  trustProxy: boolean
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** Requests a minute one caller (token, session or address) may make to /api/ before 429. */
  apiRateLimit: number
  /** Loan QR form posts (/q/…) this server takes a second before answering 503 (http/loan-qr-budget.server.ts). */
  loanQrPerSecond: number
  /**
   * `loan-qr`: this process serves the loan QR code's public page and nothing else (SERVE_ONLY,
   * decision 0891): the internet-facing part in a process of its own, below the officers' server.
   * null: everything.
   */
  serveOnly: ServeOnly | null
  /** The base map: OpenStreetMap tiles by default, or none (no network). */
  mapTiles: MapTileProvider
  /** The provider's key where it needs one (Tianditu). */
  mapTilesKey: string | null
  /** How far (metres) an on-site check-in may be from the player before it needs a reason. */
  checkInRadiusMetres: number
  /** Where referrals are delivered (the loan system); null: the stand-in, started with the app. */
  loanSystemUrl: string | null
  /** Signs each referral sent (HMAC-SHA256); the loan system checks it with the same secret. */
  loanSystemSecret: string
  /** Port of the stand-in loan system when it is started with the app. */
  loanSimPort: number
  /** Between the stand-in's stages, ms. */
  loanSimStepMs: number
  /** Share of cases the stand-in declines. */
  loanSimDeclineRate: number
  /** The font the signed consent form's Chinese is drawn in (a .ttf, or a .ttc whose first face is used). */
  consentFontFile: string
  /** Tests only (WANQI_TEST_IMPORT_GATE): a URL every import commit asks, and waits for the
   * answer, before each batch after the first (import-gate.server.ts). Never in production. */
  importGate: string | null
}

export const DEFAULT_DATABASE_URL = 'file:db/wanqi.sqlite'
/** Debian's fonts-wqy-microhei. */
export const DEFAULT_CONSENT_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'
const DEFAULT_SECRETS_FILE = 'db/local-secrets.json'

type Env = Record<string, string | undefined>

export function loadConfig(env: Env = process.env, rootDir = process.cwd()): AppConfig {
  if ((env.MAP_TILES ?? '').toLowerCase() === 'tianditu' && !env.MAP_TILES_KEY) {
    throw new Error('MAP_TILES=tianditu needs MAP_TILES_KEY (a Tianditu browser key)')
  }
  const secretsFile = path.resolve(rootDir, env.WANQI_SECRETS_FILE ?? DEFAULT_SECRETS_FILE)
  return {
    port: parseIntSetting(env, 'PORT', 3000),
    databaseUrl: resolveDatabaseUrl(env.DATABASE_URL, rootDir),
    sessionSecret: env.SESSION_SECRET || keptSecret(secretsFile, 'sessionSecret'),
    dataKey: env.DATA_KEY || keptSecret(secretsFile, 'dataKey'),
    uploadDir: path.resolve(rootDir, env.UPLOAD_DIR ?? 'db/uploads'),
    storage: parseStorage(env, rootDir),
    sessionIdleMinutes: parseIntSetting(env, 'SESSION_IDLE_MINUTES', 120),
    sessionMaxHours: parseIntSetting(env, 'SESSION_MAX_HOURS', 12),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    logLevel: parseLogLevel(env.LOG_LEVEL),
    apiRateLimit: parseIntSetting(env, 'API_RATE_LIMIT', 600),
    loanQrPerSecond: parseIntSetting(env, 'LOAN_QR_PER_SECOND', 150),
    serveOnly: parseServeOnly(env.SERVE_ONLY),
    mapTiles: parseMapTiles(env.MAP_TILES),
    mapTilesKey: env.MAP_TILES_KEY || null,
    checkInRadiusMetres: parseIntSetting(env, 'CHECK_IN_RADIUS_M', DEFAULT_CHECK_IN_RADIUS_M),
    loanSystemUrl: env.LOAN_SYSTEM_URL || null,
    loanSystemSecret: env.LOAN_SYSTEM_SECRET || keptSecret(secretsFile, 'loanSystemSecret'),
    loanSimPort: parseIntSetting(env, 'LOAN_SIM_PORT', parseIntSetting(env, 'PORT', 3000) + 1),
    loanSimStepMs: parseIntSetting(env, 'LOAN_SIM_STEP_MS', 4000),
    loanSimDeclineRate: parseRate(env, 'LOAN_SIM_DECLINE_RATE', 0.1),
    consentFontFile: env.CONSENT_FONT_FILE || DEFAULT_CONSENT_FONT,
    importGate: parseImportGate(env.WANQI_TEST_IMPORT_GATE),
  }
}

/** What a process may be limited to serving (SERVE_ONLY). */
export const SERVE_ONLY = ['loan-qr'] as const
export type ServeOnly = (typeof SERVE_ONLY)[number]

function parseServeOnly(raw: string | undefined): ServeOnly | null {
  if (!raw) return null
  if (!(SERVE_ONLY as readonly string[]).includes(raw)) throw new Error(`SERVE_ONLY must be one of ${SERVE_ONLY.join(', ')} (or unset, to serve everything), got "${raw}"`)
  return raw as ServeOnly
}

function parseImportGate(raw: string | undefined): string | null {
  if (!raw) return null
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(raw)) throw new Error(`WANQI_TEST_IMPORT_GATE must be an http URL on this machine (a test's gate), got "${raw}"`)
  return raw
}

export function resolveDatabaseUrl(url: string | undefined, rootDir = process.cwd()): string {
  const value = url || DEFAULT_DATABASE_URL
  if (/^postgres(ql)?:\/\//.test(value) || value === ':memory:' || value === 'file::memory:') return value
  const file = value.startsWith('file:') ? value.slice('file:'.length) : value
  return 'file:' + path.resolve(rootDir, file)
}

function parseIntSetting(env: Env, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`)
  return value
}

/** An S3-compatible store when S3_BUCKET is set (then its endpoint and keys are required), else a folder. */
export function parseStorage(env: Env, rootDir = process.cwd()): StorageConfig {
  if (!env.S3_BUCKET) return { kind: 'disk', dir: path.resolve(rootDir, env.STORAGE_DIR || 'db/storage') }
  const missing = ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].filter((name) => !env[name])
  if (missing.length > 0) throw new Error(`S3_BUCKET is set, so ${missing.join(', ')} must be set too`)
  const endpoint = env.S3_ENDPOINT as string
  if (!/^https?:\/\/[^/]+/.test(endpoint)) throw new Error(`S3_ENDPOINT must be an http(s) URL, got "${endpoint}"`)
  return {
    kind: 's3',
    endpoint,
    bucket: env.S3_BUCKET,
    region: env.S3_REGION || 'us-east-1',
    accessKeyId: env.S3_ACCESS_KEY_ID as string,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY as string,
  }
}

function parseRate(env: Env, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!(value >= 0 && value <= 1)) throw new Error(`${name} must be a number from 0 to 1, got "${raw}"`)
  return value
}


function parseMapTiles(raw: string | undefined): MapTileProvider {
  const value = (raw || 'osm').toLowerCase()
  if ((MAP_TILE_PROVIDERS as readonly string[]).includes(value)) return value as MapTileProvider
  throw new Error(`MAP_TILES must be one of ${MAP_TILE_PROVIDERS.join(', ')}, got "${raw}"`)
}

function parseLogLevel(raw: string | undefined): AppConfig['logLevel'] {
  const value = (raw ?? 'info').toLowerCase()
  if (value === 'debug' || value === 'info' || value === 'warn' || value === 'error') return value
  throw new Error(`LOG_LEVEL must be one of debug, info, warn, error, got "${raw}"`)
}

/**
 * A secret kept in a local file (mode 0600, git-ignored), made on first use. Good for one
 * machine; several app servers must share the value through the environment instead.
 */
export function keptSecret(file: string, name: string): string {
  let secrets: Record<string, string> = {}
  if (fs.existsSync(file)) secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>
  if (!secrets[name]) {
    secrets[name] = crypto.randomBytes(32).toString('base64url')
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 })
  }
  return secrets[name]
}
