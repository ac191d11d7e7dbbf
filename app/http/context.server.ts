// What every loader and action receives in `context`: the database, the configuration,
// and who is asking from where. Built per request by the HTTP server (http/http-app.server.ts).
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { DialectName } from '../../db/dialect.server'
import type { AppConfig } from '../server/config.server'
import type { PersonalDataCipher } from '../services/personal-data.server'

export type AppContext = {
  db: Kysely<Database>
  dialect: DialectName
  config: AppConfig
  pii: PersonalDataCipher
  clientIp: string | null
  requestId: string
  /** The content security policy's nonce for this response's inline scripts. */
  nonce: string
}

declare module '@remix-run/server-runtime' {
  interface AppLoadContext extends AppContext {}
}
