import { describe, expect, it } from 'vitest'
import { balanceWorkload, type OfficerLoad, type WorkloadBalance } from '../../app/domain/workload'

const officer = (id: number, players: number, notVisited = 0): OfficerLoad => ({
  id,
  name: `officer ${id}`,
  players,
  candidates: 0,
  notVisited,
})

/** Loads after the moves, by officer id. */
function after(officers: OfficerLoad[], result: WorkloadBalance): Map<number, number> {
  const loads = new Map(officers.map((o) => [o.id, o.players]))
  for (const m of result.moves) {
    loads.set(m.fromOfficerId, loads.get(m.fromOfficerId)! - m.players)
    loads.set(m.toOfficerId, loads.get(m.toOfficerId)! + m.players)
  }
  return loads
}

describe('balanceWorkload', () => {
  it('reports the mean and the spread', () => {
    const result = balanceWorkload([officer(1, 400), officer(2, 600)])
    expect(result.mean).toBe(500)
    expect(result.spread).toEqual({ min: 400, max: 600, stdev: 100 })
    expect(result.band).toEqual({ low: 450, high: 550 })
  })

  it('moves from the most loaded to the least, only as far as the band', () => {
    const officers = [officer(1, 400), officer(2, 600)]
    const result = balanceWorkload(officers)
    expect(result.moves).toEqual([{ fromOfficerId: 2, toOfficerId: 1, players: 50 }])
    expect(result.spreadAfter).toEqual({ min: 450, max: 550, stdev: 50 })
  })

  it('proposes nothing when everyone is already within tolerance', () => {
    expect(balanceWorkload([officer(1, 95), officer(2, 105), officer(3, 100)]).moves).toEqual([])
    expect(balanceWorkload([officer(1, 90), officer(2, 110)]).moves).toEqual([])
  })

  it('honours a tighter tolerance', () => {
    const officers = [officer(1, 95), officer(2, 105)]
    const result = balanceWorkload(officers, { tolerance: 0.02 })
    expect(result.band).toEqual({ low: 98, high: 102 })
    expect(result.moves).toEqual([{ fromOfficerId: 2, toOfficerId: 1, players: 3 }])
  })

  it('uses few moves: one giver feeds two receivers, surplus going to one already receiving', () => {
    const officers = [officer(1, 150), officer(2, 85), officer(3, 100), officer(4, 100), officer(5, 100), officer(6, 65)]
    const result = balanceWorkload(officers)
    // Officer 1 must shed 40; officers 6 and 2 need 25 and 5; the other 10 tops up officer 6.
    expect(result.moves).toEqual([
      { fromOfficerId: 1, toOfficerId: 6, players: 35 },
      { fromOfficerId: 1, toOfficerId: 2, players: 5 },
    ])
    for (const load of after(officers, result).values()) expect(load).toBeGreaterThanOrEqual(90)
  })

  it('pairs equal amounts first, so one move settles both', () => {
    const officers = [officer(1, 130), officer(2, 115), officer(3, 70), officer(4, 85)]
    // Band 90…110: 1 gives 20, 2 gives 5; 3 takes 20, 4 takes 5.
    expect(balanceWorkload(officers).moves).toEqual([
      { fromOfficerId: 1, toOfficerId: 3, players: 20 },
      { fromOfficerId: 2, toOfficerId: 4, players: 5 },
    ])
  })

  it('breaks ties by unvisited players, then by id', () => {
    const officers = [officer(1, 200, 10), officer(2, 200, 50), officer(3, 0, 5), officer(4, 200, 50)]
    const result = balanceWorkload(officers)
    expect(result.moves[0]).toMatchObject({ fromOfficerId: 2, toOfficerId: 3 })
    expect(balanceWorkload(officers)).toEqual(result)
  })

  it('widens the band to whole numbers around the mean for tiny teams', () => {
    const officers = [officer(1, 5), officer(2, 0)]
    const result = balanceWorkload(officers)
    expect(result.band).toEqual({ low: 2, high: 3 })
    expect(result.moves).toEqual([{ fromOfficerId: 1, toOfficerId: 2, players: 2 }])
  })

  it('handles no officers and a single officer', () => {
    expect(balanceWorkload([])).toMatchObject({ mean: 0, spread: { min: 0, max: 0, stdev: 0 }, moves: [] })
    expect(balanceWorkload([officer(1, 300)]).moves).toEqual([])
  })

  it('always ends within the band, moving the fewest players, in fewer moves than officers', () => {
    let seed = 20240601
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let run = 0; run < 500; run++) {
      const n = 2 + Math.floor(random() * 25)
      const scale = [5, 40, 800, 20000][run % 4]
      const officers = Array.from({ length: n }, (_, i) => officer(i + 1, Math.floor(random() * scale), Math.floor(random() * 5)))
      const tolerance = [0, 0.05, 0.1, 0.25][Math.floor(random() * 4)]
      const result = balanceWorkload(officers, { tolerance })
      const loads = after(officers, result)
      for (const load of loads.values()) {
        expect(load).toBeGreaterThanOrEqual(result.band.low)
        expect(load).toBeLessThanOrEqual(result.band.high)
      }
      expect(result.moves.length).toBeLessThan(n)
      const givers = new Set(result.moves.map((m) => m.fromOfficerId))
      for (const m of result.moves) {
        expect(m.players).toBeGreaterThan(0)
        expect(givers.has(m.toOfficerId)).toBe(false)
      }
      // The least anyone could move: all the excess above the band, or all the shortfall below it.
      const excess = officers.reduce((s, o) => s + Math.max(0, o.players - result.band.high), 0)
      const shortfall = officers.reduce((s, o) => s + Math.max(0, result.band.low - o.players), 0)
      expect(result.moves.reduce((s, m) => s + m.players, 0)).toBe(Math.max(excess, shortfall))
    }
  })
})
