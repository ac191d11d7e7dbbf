// The demo's loan system: the stand-in (loan-sim.server.ts) on a port of its own, given a
// fresh bearer token for its stage reports (the previous demo tokens are revoked).
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema'
import type { AppConfig } from '../server/config.server'
import { logger } from '../server/logger.server'
import { SYSTEM_ACTOR } from './audit.server'
import { createApiToken } from './api-tokens/create-api-token.server'
import { revokeApiToken } from './api-tokens/revoke-api-token.server'
import { startLoanSim, type LoanSim } from './loan-sim.server'

const NAME = 'demo loan system (stand-in)'

export async function startDemoLoanSystem(db: Kysely<Database>, config: AppConfig): Promise<LoanSim> {
  const old = await db.selectFrom('api_tokens').select('id').where('name', '=', NAME).where('revoked_at', 'is', null).execute()
  for (const t of old) await revokeApiToken(db, { actor: SYSTEM_ACTOR }, { id: t.id })
  const { token } = await createApiToken(db, { actor: SYSTEM_ACTOR }, { name: NAME })
  return startLoanSim({
    port: config.loanSimPort,
    appUrl: `http://127.0.0.1:${config.port}`,
    token,
    secret: config.loanSystemSecret,
    stepMs: config.loanSimStepMs,
    declineRate: config.loanSimDeclineRate,
    log: (message) => logger.info('loan stand-in', { message }),
  })
}
