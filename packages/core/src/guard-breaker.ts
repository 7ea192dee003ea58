/**
 * The circuit breaker (SPEC rule 6): a revision that would suddenly enlarge the enforced address
 * space — a stray /8, a list pasted twice into a CIDR tool — is held as a whole until ops approve
 * it. IPv4 is measured in addresses, IPv6 in /48s (the usual end-site size), since IPv6 address
 * counts say nothing about how many sites are cut off.
 */
import type { GuardConfig, GuardReason } from './guard-config.js'
import type { PrefixSet } from './prefix-set.js'

/** Fixed-point scale for comparing BigInt sizes against a fractional growth factor. */
const FACTOR_SCALE = 1000n

export interface BreakerResult {
  tripped: boolean
  reason?: GuardReason
}

/**
 * Trips when `next` enforces more than the configured totals, or more than `maxGrowthFactor`
 * times max(previous size, the configured baseline floor) — the floor keeps ordinary growth
 * from an empty or tiny state (no window live, first list of the season) from tripping. Names
 * count on their own scale (how many distinct names and wildcards), with their own total and floor.
 */
export function checkCircuitBreaker(
  previous: PrefixSet,
  next: PrefixSet,
  config: GuardConfig,
  names: { before: number; after: number } = { before: 0, after: 0 },
): BreakerResult {
  const b = config.breaker
  const factor = BigInt(Math.round(b.maxGrowthFactor * Number(FACTOR_SCALE)))
  const families = [
    {
      label: 'names',
      before: BigInt(names.before),
      after: BigInt(names.after),
      total: BigInt(b.maxTotalNames),
      floor: BigInt(b.minBaselineNames),
    },
    {
      label: 'IPv4 addresses',
      before: previous.addressCount(4),
      after: next.addressCount(4),
      total: b.maxTotalV4Addresses,
      floor: b.minBaselineV4Addresses,
    },
    {
      label: 'IPv6 /48s',
      before: previous.blockCount(6, 48),
      after: next.blockCount(6, 48),
      total: b.maxTotalV6Prefixes48,
      floor: b.minBaselineV6Prefixes48,
    },
  ]
  for (const { label, before, after, total, floor } of families) {
    if (after > total) {
      return trip(`the revision would enforce ${after} ${label}, above the configured total of ${total}`)
    }
    // biome-ignore lint/complexity/useMathMinMax: sizes are BigInt
    const baseline = before > floor ? before : floor
    if (after * FACTOR_SCALE > baseline * factor) {
      return trip(
        `the revision would grow enforcement from ${before} to ${after} ${label}, more than ${b.maxGrowthFactor}× ` +
          `the baseline of ${baseline}`,
      )
    }
  }
  return { tripped: false }
}

function trip(message: string): BreakerResult {
  return { tripped: true, reason: { code: 'circuit-breaker', message } }
}
