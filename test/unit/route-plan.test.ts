// The day as a route (domain/route-plan.ts): a round from where the officer stands through
// every chosen stop, checked against brute force on small cases, and whole and sane on 50.
import { describe, expect, it } from 'vitest'
import { keptOrder, MAX_ROUTE_STOPS, moveStop, planRoute, roundMetres, routeLegs, routeStorageKey, toggleStop } from '../../app/domain/route-plan'
import type { LatLng } from '../../app/domain/visit'

/** Deterministic stops around 西华县 (a small linear congruential generator). */
function stopsAround(seed: number, count: number, spreadDegrees = 0.1): LatLng[] {
  let x = seed
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  return Array.from({ length: count }, () => ({ lat: 33.78 + (next() - 0.5) * spreadDegrees, lng: 114.53 + (next() - 0.5) * spreadDegrees }))
}

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items]
  return items.flatMap((first, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [first, ...rest]))
}

const START = { lat: 33.78, lng: 114.53 }

describe('planning the day as a round', () => {
  it('no stops, one stop, two stops', () => {
    expect(planRoute(START, [])).toEqual({ order: [], metres: 0 })
    const one = planRoute(START, [{ lat: 33.79, lng: 114.53 }])
    expect(one.order).toEqual([0])
    expect(one.metres).toBeCloseTo(2 * 1112, -1)
    expect(planRoute(START, stopsAround(3, 2)).order.sort()).toEqual([0, 1])
  })

  it('is as short as the best order brute force finds, within 2 %, on 40 small days of 4 to 7 stops', () => {
    let exact = 0
    for (let seed = 1; seed <= 40; seed++) {
      const stops = stopsAround(seed, 4 + (seed % 4))
      const plan = planRoute(START, stops)
      const best = Math.min(...permutations(stops.map((_, i) => i)).map((order) => roundMetres(START, stops, order)))
      expect(plan.metres).toBeLessThanOrEqual(best * 1.02)
      if (plan.metres - best < 0.01) exact++
    }
    // Nearest neighbour, 2-opt and or-opt find the best round on nearly every small day.
    expect(exact).toBeGreaterThanOrEqual(38)
  })

  it('orders 50 stops: each once, the length its order gives, and no longer than nearest neighbour alone or the list order', () => {
    const stops = stopsAround(11, MAX_ROUTE_STOPS)
    const plan = planRoute(START, stops)
    expect([...plan.order].sort((a, b) => a - b)).toEqual(stops.map((_, i) => i))
    expect(plan.metres).toBeCloseTo(roundMetres(START, stops, plan.order), 6)
    expect(plan.metres).toBeLessThan(roundMetres(START, stops, stops.map((_, i) => i)) * 0.5)
    // 2-opt leaves no crossing it could undo: no reversal shortens the round.
    const tour = [-1, ...plan.order, -1]
    const at = (k: number) => (tour[k] < 0 ? START : stops[tour[k]])
    const dist = (a: number, b: number) => roundMetres(at(a), [at(b)], [0]) / 2
    for (let i = 1; i < tour.length - 2; i++) for (let k = i + 1; k < tour.length - 1; k++) expect(dist(i - 1, k) + dist(i, k + 1)).toBeGreaterThanOrEqual(dist(i - 1, i) + dist(k, k + 1) - 1e-6)
  })

  it('refuses more than 50 stops', () => {
    expect(() => planRoute(START, stopsAround(2, MAX_ROUTE_STOPS + 1))).toThrow(RangeError)
  })
})

describe('the route the officer shapes', () => {
  it('legs add up to the round: out to the first stop, between stops, back to the start', () => {
    const stops = stopsAround(11, 5)
    const { order, metres } = planRoute(START, stops)
    const legs = routeLegs(START, stops, order)
    expect(legs).toHaveLength(6)
    expect(legs.reduce((a, b) => a + b, 0)).toBeCloseTo(metres, 6)
    expect(routeLegs(START, stops, [])).toEqual([])
  })

  it('takes up to 50 stops and refuses the 51st, leaving the choice as it was', () => {
    let chosen: number[] = []
    for (let id = 1; id <= MAX_ROUTE_STOPS; id++) chosen = toggleStop(chosen, id).chosen
    expect(chosen).toHaveLength(50)
    const more = toggleStop(chosen, 51)
    expect(more).toEqual({ chosen, refused: true })
    // Unticking still works at the limit, and makes room again.
    const fewer = toggleStop(chosen, 7)
    expect(fewer.refused).toBe(false)
    expect(fewer.chosen).toHaveLength(49)
    expect(toggleStop(fewer.chosen, 51).chosen).toHaveLength(50)
  })

  it('keeps an order by hand: moves up and down, drops unticked stops, adds new ones at the end', () => {
    expect(moveStop([1, 2, 3], 2, -1)).toEqual([1, 3, 2])
    expect(moveStop([1, 2, 3], 0, 1)).toEqual([2, 1, 3])
    expect(moveStop([1, 2, 3], 0, -1)).toEqual([1, 2, 3])
    expect(moveStop([1, 2, 3], 2, 1)).toEqual([1, 2, 3])
    expect(keptOrder([3, 1, 2], [2, 3, 4])).toEqual([3, 2, 4])
    expect(routeStorageKey(7, '2026-12-04')).toBe('wanqi.route.7.2026-12-04')
  })
})
