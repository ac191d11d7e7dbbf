import { describe, expect, it } from 'vitest'
import { callerOf } from '../../app/http/guards.server'
import type { AppContext } from '../../app/http/context.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import type { CurrentUser } from '../../app/services/sessions.server'

const pii = createPersonalDataCipher('a'.repeat(64))
const contextOf = (clientIp: string) => ({ pii, clientIp }) as unknown as AppContext
const userOf = (id: number, role: CurrentUser['role']): CurrentUser => ({
  id,
  username: `user.${id}`,
  name: `用户${id}`,
  role,
  orgUnitId: 9,
  orgPath: '/1/4/9/',
  orgName: '城关网点',
  sessionId: 's',
  mustChangePassword: false,
})

describe('the caller the guards make', () => {
  it('carries the actor with the request address, the scope of the role and the cipher', () => {
    const officer = callerOf(userOf(7, 'officer'), contextOf('10.0.0.7'))
    expect(officer.actor).toEqual({ id: 7, username: 'user.7', ip: '10.0.0.7' })
    expect(officer.scope).toEqual({ kind: 'own', userId: 7, orgPath: '/1/4/9/' })
    expect(officer.pii).toBe(pii)
    expect(callerOf(userOf(8, 'manager'), contextOf('10.0.0.8')).scope).toEqual({ kind: 'org', orgPath: '/1/4/9/' })
    expect(callerOf(userOf(9, 'hq'), contextOf('10.0.0.9')).scope).toEqual({ kind: 'all' })
  })

  it('is made once per request, and anew for another user or request', () => {
    const context = contextOf('10.0.0.1')
    const first = callerOf(userOf(7, 'officer'), context)
    expect(callerOf(userOf(7, 'officer'), context)).toBe(first)
    expect(callerOf(userOf(8, 'manager'), context).actor.id).toBe(8)
    expect(callerOf(userOf(7, 'officer'), contextOf('10.0.0.1'))).not.toBe(first)
  })
})
