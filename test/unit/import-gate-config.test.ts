// WANQI_TEST_IMPORT_GATE, the tests' hold on a running import (decision 0531): unset in
// production, and when set only a URL on this machine, so a stray value cannot send the
// server's imports to wait on another host.
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../app/server/config.server'

const base = { SESSION_SECRET: 's', DATA_KEY: Buffer.alloc(32).toString('base64url'), LOAN_SYSTEM_SECRET: 'l' }

describe('the import gate setting', () => {
  it('is off unless set', () => {
    expect(loadConfig(base, '/tmp').importGate).toBeNull()
    expect(loadConfig({ ...base, WANQI_TEST_IMPORT_GATE: '' }, '/tmp').importGate).toBeNull()
  })

  it('takes an http URL on this machine', () => {
    expect(loadConfig({ ...base, WANQI_TEST_IMPORT_GATE: 'http://127.0.0.1:40123/gate' }, '/tmp').importGate).toBe('http://127.0.0.1:40123/gate')
    expect(loadConfig({ ...base, WANQI_TEST_IMPORT_GATE: 'http://localhost:40123/gate' }, '/tmp').importGate).toBe('http://localhost:40123/gate')
  })

  it('refuses anything else, naming the setting', () => {
    for (const raw of ['https://gate.example.com/', 'http://10.0.0.5:40123/gate', '/tmp/gate', 'http://127.0.0.1.example.com/gate']) {
      expect(() => loadConfig({ ...base, WANQI_TEST_IMPORT_GATE: raw }, '/tmp'), raw).toThrow(/WANQI_TEST_IMPORT_GATE must be an http URL on this machine/)
    }
  })
})
