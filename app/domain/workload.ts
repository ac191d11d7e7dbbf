// Balancing workload across an outlet's officers (PRODUCT.md: a manager "balances
// workload"). This only proposes how many players move from whom to whom; which players
// move (whole blocks by township or position, unvisited ones first) is the service's choice.
// Officers on leave are simply left out of the list.

export interface OfficerLoad {
  id: number
  name: string
  /** Players assigned now: the figure being balanced. */
  players: number
  /** First-lender candidates among them (shown beside the proposal, not balanced). */
  candidates: number
  /** Players not yet visited: breaks ties, since unvisited players are the cheapest to hand over. */
  notVisited: number
}

export interface WorkloadMove {
  fromOfficerId: number
  toOfficerId: number
  players: number
}

export interface Spread {
  min: number
  max: number
  /** Population standard deviation. */
  stdev: number
}

export interface WorkloadBalance {
  /** Players per officer on average. */
  mean: number
  /** The spread now. */
  spread: Spread
  /** The spread once the moves are made. */
  spreadAfter: Spread
  /** The whole-number range every officer ends up in. */
  band: { low: number; high: number }
  moves: WorkloadMove[]
}

export const DEFAULT_TOLERANCE = 0.1

function spreadOf(loads: number[]): Spread {
  if (loads.length === 0) return { min: 0, max: 0, stdev: 0 }
  const mean = loads.reduce((sum, n) => sum + n, 0) / loads.length
  const variance = loads.reduce((sum, n) => sum + (n - mean) ** 2, 0) / loads.length
  return { min: Math.min(...loads), max: Math.max(...loads), stdev: Math.sqrt(variance) }
}

/**
 * Proposes moves that bring every officer within `tolerance` (default 10%) of the mean.
 * The band is whole numbers: from ceil(mean · (1 − tolerance)) to floor(mean · (1 +
 * tolerance)), widened to floor(mean)…ceil(mean) when that is narrower (small teams), so
 * it can always be met.
 *
 * Greedy and deterministic, aiming at few moves and few players moved:
 * 1. Officers above the band give down to its top; officers below it receive up to its
 *    bottom. That moves the fewest players possible.
 * 2. If the givers have more to give than the receivers need, the surplus goes first to
 *    those already receiving (up to the top of the band), then to the least loaded of the
 *    rest; the other way round, those already giving give more (down to the bottom of the
 *    band), then the most loaded of the rest. Concentrating keeps the number of moves down.
 * 3. Givers and receivers are paired: equal amounts first (one move settles both), then the
 *    largest giver with the largest receiver, each move settling at least one of them.
 * So there are fewer moves than officers, and nobody both gives and receives. Ties go to the
 * officer with more unvisited players as giver (fewer as receiver), then to the lower id.
 */
export function balanceWorkload(
  officers: OfficerLoad[],
  options: { tolerance?: number } = {},
): WorkloadBalance {
  const tolerance = Math.min(1, Math.max(0, options.tolerance ?? DEFAULT_TOLERANCE))
  const total = officers.reduce((sum, o) => sum + o.players, 0)
  const mean = officers.length === 0 ? 0 : total / officers.length
  // The 1e-9 keeps 100 · 0.9 = 89.99999999999999 from becoming 90 → 89 when rounded.
  const low = Math.min(Math.ceil(mean * (1 - tolerance) - 1e-9), Math.floor(mean))
  const high = Math.max(Math.floor(mean * (1 + tolerance) + 1e-9), Math.ceil(mean))

  const givesFirst = (a: OfficerLoad, b: OfficerLoad) =>
    b.players - a.players || b.notVisited - a.notVisited || a.id - b.id
  const receivesFirst = (a: OfficerLoad, b: OfficerLoad) =>
    a.players - b.players || a.notVisited - b.notVisited || a.id - b.id

  // How many each officer gives (> 0) or receives (< 0).
  const change = new Map<number, number>()
  let toGive = 0
  let toReceive = 0
  for (const o of officers) {
    if (o.players > high) toGive += o.players - high
    if (o.players < low) toReceive += low - o.players
    change.set(o.id, o.players > high ? o.players - high : o.players < low ? o.players - low : 0)
  }
  if (toGive > toReceive) {
    // Receivers take more, up to the top of the band: current receivers first.
    let surplus = toGive - toReceive
    const order = [...officers].filter((o) => o.players <= high).sort(
      (a, b) => Number(change.get(b.id)! < 0) - Number(change.get(a.id)! < 0) || receivesFirst(a, b),
    )
    for (const o of order) {
      if (surplus === 0) break
      const more = Math.min(surplus, high - (o.players - change.get(o.id)!))
      change.set(o.id, change.get(o.id)! - more)
      surplus -= more
    }
  } else if (toReceive > toGive) {
    // Givers give more, down to the bottom of the band: current givers first.
    let shortfall = toReceive - toGive
    const order = [...officers].filter((o) => o.players >= low).sort(
      (a, b) => Number(change.get(b.id)! > 0) - Number(change.get(a.id)! > 0) || givesFirst(a, b),
    )
    for (const o of order) {
      if (shortfall === 0) break
      const more = Math.min(shortfall, o.players - change.get(o.id)! - low)
      change.set(o.id, change.get(o.id)! + more)
      shortfall -= more
    }
  }

  const givers = officers.filter((o) => change.get(o.id)! > 0).sort(givesFirst)
  const receivers = officers.filter((o) => change.get(o.id)! < 0).sort(receivesFirst)
  const left = new Map([...change].map(([id, n]) => [id, Math.abs(n)]))
  const moves: WorkloadMove[] = []
  const move = (from: OfficerLoad, to: OfficerLoad) => {
    const players = Math.min(left.get(from.id)!, left.get(to.id)!)
    left.set(from.id, left.get(from.id)! - players)
    left.set(to.id, left.get(to.id)! - players)
    moves.push({ fromOfficerId: from.id, toOfficerId: to.id, players })
  }
  for (const g of givers) {
    const match = receivers.find((r) => left.get(r.id)! > 0 && left.get(r.id) === left.get(g.id))
    if (match) move(g, match)
  }
  for (;;) {
    const largest = (list: OfficerLoad[]) =>
      list.reduce<OfficerLoad | null>((best, o) => (left.get(o.id)! > (best ? left.get(best.id)! : 0) ? o : best), null)
    const g = largest(givers)
    const r = largest(receivers)
    if (!g || !r) break
    move(g, r)
  }

  return {
    mean,
    spread: spreadOf(officers.map((o) => o.players)),
    spreadAfter: spreadOf(officers.map((o) => o.players - change.get(o.id)!)),
    band: { low, high },
    moves,
  }
}
