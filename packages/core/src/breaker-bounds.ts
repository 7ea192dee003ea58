/**
 * Bounds on the address space a published state enforces, carried from one revision to the next
 * so the circuit breaker can clear an ordinary change from the change alone. Building the exact
 * space means a prefix set of every published prefix (hundreds of milliseconds for 3 × 100k);
 * a 1-entry hot addition can grow the space by at most that entry, so when even the upper bound
 * after the change stays inside the limits measured against the lower bound before it, the
 * breaker cannot trip and nothing needs to be built. The bounds widen with every change and are
 * reset to the exact figures whenever the breaker builds the sets anyway.
 */
import type { GuardConfig } from './guard-config.js'
import type { PrefixSet } from './prefix-set.js'

/** IPv4 addresses and IPv6 /48s (the breaker's units), each as a range the exact figure lies in. */
export interface SpaceBounds {
  v4: { low: number; high: number }
  v6: { low: number; high: number }
}

/** The bounds of a state whose space is known exactly. */
export function exactBounds(space: PrefixSet): SpaceBounds {
  const v4 = Number(space.addressCount(4))
  const v6 = Number(space.blockCount(6, 48))
  return { v4: { low: v4, high: v4 }, v6: { low: v6, high: v6 } }
}

/**
 * The most IPv4 addresses and IPv6 /48s `prefixes` can add to (or take from) any space: exact
 * for one prefix, an upper bound for several (they may overlap each other or the space).
 */
export function spaceBound(prefixes: Iterable<string>): { v4: number; v6: number } {
  let v4 = 0
  let v6 = 0
  for (const prefix of prefixes) {
    const length = Number(prefix.slice(prefix.indexOf('/') + 1))
    if (prefix.includes(':')) v6 += length >= 48 ? 1 : 2 ** (48 - length)
    else v4 += 2 ** (32 - length)
  }
  return { v4, v6 }
}

/** The bounds after a change that added at most `added` and removed at most `removed` prefixes. */
export function moveBounds(
  bounds: SpaceBounds,
  added: Iterable<string>,
  removed: Iterable<string>,
): SpaceBounds {
  const grow = spaceBound(added)
  const shrink = spaceBound(removed)
  return {
    v4: { low: Math.max(0, bounds.v4.low - shrink.v4), high: bounds.v4.high + grow.v4 },
    v6: { low: Math.max(0, bounds.v6.low - shrink.v6), high: bounds.v6.high + grow.v6 },
  }
}

/**
 * True when no state inside `after` can trip core's `checkCircuitBreaker` against any state
 * inside `before` (prefix limits only; names are counted on their own): the largest `after`
 * stays within the totals and within factor × max(smallest `before`, floor). False means
 * "cannot tell", not "trips": build the sets and check exactly.
 */
export function surelyWithinBreaker(
  before: SpaceBounds,
  after: SpaceBounds,
  config: GuardConfig['breaker'],
): boolean {
  const families = [
    {
      before: before.v4.low,
      after: after.v4.high,
      total: config.maxTotalV4Addresses,
      floor: config.minBaselineV4Addresses,
    },
    {
      before: before.v6.low,
      after: after.v6.high,
      total: config.maxTotalV6Prefixes48,
      floor: config.minBaselineV6Prefixes48,
    },
  ]
  return families.every(
    ({ before, after, total, floor }) =>
      // A hair of margin: core compares with a rounded integer factor, this with floating point.
      after <= Number(total) &&
      after * (1 + 1e-9) <= config.maxGrowthFactor * Math.max(before, Number(floor)),
  )
}
