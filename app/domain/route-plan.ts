// The officer's day as a route (issue 24 item 4): the chosen stops (up to 50) ordered from
// where the officer stands into a short round, by nearest neighbour and then 2-opt (reverse
// any stretch that shortens the round until none does), with or-opt (move a run of one to
// three stops elsewhere) to leave 2-opt's local optima. Distances are great-circle metres.
// A round returns to the start: the officer goes home or back to the outlet. Pure: it runs in
// the browser, offline, on the cached list.
import { distanceMetres, type LatLng } from './visit'

export const MAX_ROUTE_STOPS = 50

export interface RoutePlan {
  /** Indexes of the stops in the order to visit them. */
  order: number[]
  /** Metres from the start through every stop and back. */
  metres: number
}

/** The round's length: start → stops in this order → start. */
export function roundMetres(start: LatLng, stops: readonly LatLng[], order: readonly number[]): number {
  if (order.length === 0) return 0
  let total = distanceMetres(start, stops[order[0]])
  for (let i = 1; i < order.length; i++) total += distanceMetres(stops[order[i - 1]], stops[order[i]])
  return total + distanceMetres(stops[order[order.length - 1]], start)
}

export function planRoute(start: LatLng, stops: readonly LatLng[]): RoutePlan {
  if (stops.length > MAX_ROUTE_STOPS) throw new RangeError(`at most ${MAX_ROUTE_STOPS} stops, not ${stops.length}`)
  const n = stops.length
  if (n === 0) return { order: [], metres: 0 }
  // Node 0 is the start, node i + 1 stop i: one matrix, computed once.
  const points = [start, ...stops]
  const d = points.map((a) => points.map((b) => distanceMetres(a, b)))

  // Nearest neighbour from the start.
  const tour = [0]
  const left = new Set(stops.map((_, i) => i + 1))
  while (left.size) {
    const here = tour[tour.length - 1]
    let best = -1
    for (const j of left) if (best < 0 || d[here][j] < d[here][best]) best = j
    tour.push(best)
    left.delete(best)
  }
  tour.push(0)

  // 2-opt: reverse tour[i..k] while that shortens the round (the start stays first and last);
  // then or-opt; again until neither shortens it.
  let improved = true
  while (improved) {
    improved = twoOpt(tour, d)
    improved = orOpt(tour, d) || improved
  }
  const order = tour.slice(1, -1).map((node) => node - 1)
  return { order, metres: roundMetres(start, stops, order) }
}

const EPSILON = 1e-7

function twoOpt(tour: number[], d: number[][]): boolean {
  let any = false
  let improved = true
  while (improved) {
    improved = false
    for (let i = 1; i < tour.length - 2; i++) {
      for (let k = i + 1; k < tour.length - 1; k++) {
        const delta = d[tour[i - 1]][tour[k]] + d[tour[i]][tour[k + 1]] - d[tour[i - 1]][tour[i]] - d[tour[k]][tour[k + 1]]
        if (delta < -EPSILON) {
          for (let a = i, b = k; a < b; a++, b--) [tour[a], tour[b]] = [tour[b], tour[a]]
          improved = any = true
        }
      }
    }
  }
  return any
}

/** Moves one run of 1–3 stops (either way round) to where it shortens the round most; true when it did. */
function orOpt(tour: number[], d: number[][]): boolean {
  const last = tour.length - 1
  for (let length = 1; length <= 3; length++) {
    for (let i = 1; i + length - 1 < last; i++) {
      const j = i + length - 1
      const [before, first, end, after] = [tour[i - 1], tour[i], tour[j], tour[j + 1]]
      const removed = d[before][first] + d[end][after] - d[before][after]
      for (let k = 0; k < last; k++) {
        if (k >= i - 1 && k <= j) continue
        const [a, b] = [tour[k], tour[k + 1]]
        const straight = d[a][first] + d[end][b] - d[a][b]
        const reversed = d[a][end] + d[first][b] - d[a][b]
        if (Math.min(straight, reversed) < removed - EPSILON) {
          const run = tour.splice(i, length)
          if (reversed < straight) run.reverse()
          const at = k < i ? k + 1 : k + 1 - length
          tour.splice(at, 0, ...run)
          return true
        }
      }
    }
  }
  return false
}

/** Each leg's metres: start → first stop, between stops, last stop → start. */
export function routeLegs(start: LatLng, stops: readonly LatLng[], order: readonly number[]): number[] {
  if (order.length === 0) return []
  const legs = [distanceMetres(start, stops[order[0]])]
  for (let i = 1; i < order.length; i++) legs.push(distanceMetres(stops[order[i - 1]], stops[order[i]]))
  legs.push(distanceMetres(stops[order[order.length - 1]], start))
  return legs
}

/** Ticks or unticks a stop; a stop beyond MAX_ROUTE_STOPS is refused, the choice left as it was. */
export function toggleStop(chosen: readonly number[], id: number): { chosen: number[]; refused: boolean } {
  if (chosen.includes(id)) return { chosen: chosen.filter((c) => c !== id), refused: false }
  if (chosen.length >= MAX_ROUTE_STOPS) return { chosen: [...chosen], refused: true }
  return { chosen: [...chosen, id], refused: false }
}

/**
 * The order kept (planned or moved by hand) brought up to the stops chosen now: the ones
 * unticked leave it, the ones ticked since join at the end, in the order they were ticked.
 */
export function keptOrder(order: readonly number[], chosen: readonly number[]): number[] {
  const still = order.filter((id) => chosen.includes(id))
  return [...still, ...chosen.filter((id) => !still.includes(id))]
}

/** Moves the stop at `index` one place up (-1) or down (+1); the same order when it cannot move. */
export function moveStop(order: readonly number[], index: number, by: -1 | 1): number[] {
  const to = index + by
  if (index < 0 || index >= order.length || to < 0 || to >= order.length) return [...order]
  const next = [...order]
  ;[next[index], next[to]] = [next[to], next[index]]
  return next
}

/** Where the day's route is kept on the phone: one officer, one China-time day. */
export function routeStorageKey(officerId: number, day: string): string {
  return `wanqi.route.${officerId}.${day}`
}
