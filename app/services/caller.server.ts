// Who a use case acts for, as one value: the audit log's actor, what they may see (applied in
// each query) and the personal-data cipher. The guards make it once per request
// (http/guards.server.ts); every use case takes it second, `(db, caller, input)`, and names
// the parts it needs with `Pick<Caller, …>` so the CLI and tests pass only those.
import type { Scope } from '../domain/scope'
import { SYSTEM_ACTOR, type Actor } from './audit.server'
import type { PersonalDataCipher } from './personal-data.server'

export interface Caller {
  actor: Actor
  scope: Scope
  pii: PersonalDataCipher
}

/** The system acting bank-wide: imports from the command line, workers, demo data. */
export function systemCaller(pii: PersonalDataCipher): Caller {
  return { actor: SYSTEM_ACTOR, scope: { kind: 'all' }, pii }
}
