// What the server writes to its log while people use it, at the most talkative level: one
// JSON object per line, each line of a request carrying that request's id, and none of the
// personal data that passed through (a phone number searched for, an ID number unmasked, a
// wrong password, a name), nor a query string.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setLogLevel } from '../../app/server/logger.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'
import { PASSWORD, addUser, buildOrg, playerFields } from '../support/fixtures'

const PHONE = '13912345678'
const ID_NUMBER = '110101199003077777'
const OWNER = '欧阳娜娜'
const WRONG_PASSWORD = 'not-the-password-9271'

let t: TestDatabase
let server: TestServer
let playerId: number

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  await addUser(t.db, 'boss.a', 'manager', org.outletA1.id)
  playerId = await createPlayer(t.db, { actor: { id: null, username: 'test', ip: null }, pii: createPersonalDataCipher(TEST_DATA_KEY) }, {
    fields: playerFields('欧阳五金店', { kind: 'household', owner: OWNER, legalRepresentative: null, phone: PHONE, idNumber: ID_NUMBER }),
    orgUnitId: org.outletA1.id,
  })
  server = await startTestServer(t)
})
afterAll(async () => {
  setLogLevel('error')
  await server.close()
  await t.destroy()
})

/** The lines written to stderr while `work` runs. */
async function logged(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean))
    return true
  }) as typeof process.stderr.write
  setLogLevel('debug')
  try {
    await work()
  } finally {
    setLogLevel('error')
    process.stderr.write = write
  }
  return lines
}

describe('the log', () => {
  it('is JSON lines with the request id, and holds no personal data or query string', async () => {
    const ids: string[] = []
    const lines = await logged(async () => {
      const client = new Client(server.url)
      expect((await client.signIn('boss.a', WRONG_PASSWORD)).status).toBe(401)
      await client.signIn('boss.a', PASSWORD)
      for (const path of [`/players?q=${PHONE}`, `/players?q=${encodeURIComponent(OWNER)}`, `/players/${playerId}`, '/no-such-page']) {
        const response = await client.get(path)
        await response.arrayBuffer()
        ids.push(response.headers.get('X-Request-Id')!)
      }
      const unmasked = await client.post(`/players/${playerId}`, { intent: 'unmask' })
      expect(await unmasked.text()).toContain(ID_NUMBER)
      ids.push(unmasked.headers.get('X-Request-Id')!)
      // A request that fails inside the app (no such player) is logged with its id too.
      await (await client.get(`/players/999999?q=${PHONE}`)).arrayBuffer()
    })
    expect(lines.length).toBeGreaterThan(ids.length)
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    for (const entry of entries) {
      expect(typeof entry.time).toBe('string')
      expect(['debug', 'info', 'warn', 'error']).toContain(entry.level)
      // Every line here was written while serving a request.
      expect(typeof entry.requestId, JSON.stringify(entry)).toBe('string')
    }
    // Each response's id names its lines.
    for (const id of ids) expect(entries.some((e) => e.requestId === id), id).toBe(true)
    const text = lines.join('\n')
    for (const secret of [PHONE, ID_NUMBER, OWNER, encodeURIComponent(OWNER), WRONG_PASSWORD, PASSWORD, 'q=']) expect(text).not.toContain(secret)
  })

  it('keeps quiet below the level set', async () => {
    const lines: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stderr.write
    setLogLevel('warn')
    try {
      await (await new Client(server.url).get('/login')).arrayBuffer()
    } finally {
      setLogLevel('error')
      process.stderr.write = write
    }
    expect(lines).toEqual([])
  })
})
