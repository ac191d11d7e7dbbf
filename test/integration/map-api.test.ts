// GET /api/v1/map over real HTTP: clusters and single players in the viewport, filters, scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPersonalDataCipher } from '../../app/services/personal-data.server'
import { createPlayer } from '../../app/services/players/create-player.server'
import type { PlayerFields } from '../../app/domain/market-player'
import { createTestDatabase, type TestDatabase } from '../support/test-db'
import { Client, TEST_DATA_KEY, startTestServer, type TestServer } from '../support/test-server'
import { PASSWORD, addUser, buildOrg } from '../support/fixtures'

const pii = createPersonalDataCipher(TEST_DATA_KEY)
let t: TestDatabase
let server: TestServer

function fields(name: string, lng: number, lat: number, loan: 'none' | 'has_loan'): PlayerFields {
  return {
    uscc: null, name, kind: 'household', legalRepresentative: null, owner: `${name}主`, idNumber: null, phone: null, industry: null,
    industryCode: null, employees: null, revenueYuan: null, assetsYuan: null, registeredOn: null, registrationStatus: 'active',
    address: `${name}地址`, areaCode: null, lat, lng, taxGrade: null, loanHistory: loan, loanCheckedOn: null,
  }
}

beforeAll(async () => {
  t = await createTestDatabase()
  const org = await buildOrg(t.db)
  const actor = { id: null, username: 'test', ip: null }
  // A crowd of 30 around one point in outlet A1, a lone player nearby, and one in branch B.
  for (let i = 0; i < 30; i++) await createPlayer(t.db, { actor: actor, pii }, { fields: fields(`集中${i}`, 114.5 + i * 1e-5, 33.8, i % 2 ? 'none' : 'has_loan'), orgUnitId: org.outletA1.id })
  await createPlayer(t.db, { actor: actor, pii }, { fields: fields('独户', 114.9, 33.6, 'none'), orgUnitId: org.outletA1.id })
  await createPlayer(t.db, { actor: actor, pii }, { fields: fields('乙户', 114.7, 33.7, 'none'), orgUnitId: org.outletB1.id })
  await addUser(t.db, 'mgr.a', 'manager', org.branchA.id)
  await addUser(t.db, 'analyst', 'hq', org.hq.id)
  server = await startTestServer(t)
})
afterAll(async () => {
  await server.close()
  await t.destroy()
})

async function map(username: string, query: string) {
  const client = new Client(server.url)
  await client.signIn(username, PASSWORD)
  const response = await client.get(`/api/v1/map?${query}`)
  return { status: response.status, body: await response.json() }
}

describe('the map endpoint', () => {
  it('never answers more cells than the bound: the whole world at zoom 22 clusters instead of sending every player', async () => {
    const { status, body } = await map('analyst', 'bbox=-180,-90,180,90&zoom=22')
    expect(status).toBe(200)
    expect(body.features).toEqual([expect.objectContaining({ properties: { cluster: true, count: 32 } })])
    // A county's view close in still shows single players.
    const close = await map('analyst', 'bbox=114.85,33.55,114.95,33.65&zoom=22')
    expect(close.body.features).toEqual([expect.objectContaining({ properties: expect.objectContaining({ cluster: false, name: '独户' }) })])
  })

  it('clusters a crowd into one feature with its count and shows a lone player as itself', async () => {
    const { status, body } = await map('analyst', 'bbox=114,33,115.5,34.5&zoom=9')
    expect(status).toBe(200)
    expect(body.type).toBe('FeatureCollection')
    const clusters = body.features.filter((f: any) => f.properties.cluster)
    const singles = body.features.filter((f: any) => !f.properties.cluster)
    expect(clusters).toEqual([expect.objectContaining({ properties: { cluster: true, count: 30 } })])
    expect(singles.map((f: any) => f.properties.name).sort()).toEqual(['乙户', '独户'])
    expect(singles[0].properties).toMatchObject({ id: expect.any(Number), status: 'candidate' })
  })

  it('applies the registry’s filters and the user’s scope', async () => {
    const filtered = await map('analyst', 'bbox=114,33,115.5,34.5&zoom=9&loan=none')
    expect(filtered.body.features.find((f: any) => f.properties.cluster).properties.count).toBe(15)
    const manager = await map('mgr.a', 'bbox=114,33,115.5,34.5&zoom=9')
    expect(manager.body.features.map((f: any) => f.properties.name ?? f.properties.count).sort()).toEqual([30, '独户'])
  })

  it('filters by the hand-off flag, bypassing the pre-counted cells', async () => {
    // As a visit recording a need leaves it: two players qualify, one is refused.
    await t.db.updateTable('market_players').set({ qualification: 'qualifies', qualified_products: 'tax_credit' }).where('name', 'in', ['独户', '集中3']).execute()
    await t.db.updateTable('market_players').set({ qualification: 'refused' }).where('name', '=', '乙户').execute()
    const qualifying = await map('analyst', 'bbox=114,33,115.5,34.5&zoom=9&qualification=qualifies')
    expect(qualifying.body.features.map((f: any) => f.properties.name).sort()).toEqual(['独户', '集中3'])
    const refused = await map('analyst', 'bbox=114,33,115.5,34.5&zoom=6&qualification=refused')
    expect(refused.body.features.map((f: any) => f.properties.name)).toEqual(['乙户'])
  })

  it('only what the viewport holds', async () => {
    const { body } = await map('analyst', 'bbox=114.85,33.55,114.95,33.65&zoom=14')
    expect(body.features.map((f: any) => f.properties.name)).toEqual(['独户'])
  })

  it('refuses a bad viewport with 400 and an anonymous caller with 401', async () => {
    expect((await map('analyst', 'bbox=1,2,3&zoom=9')).status).toBe(400)
    expect((await map('analyst', 'bbox=115,33,114,34&zoom=9')).status).toBe(400)
    const anonymous = await fetch(`${server.url}/api/v1/map?bbox=114,33,115,34&zoom=9`)
    expect(anonymous.status).toBe(401)
  })
})
