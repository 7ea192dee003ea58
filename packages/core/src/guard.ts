/**
 * The overblocking guard (SPEC rule 6): every entry passes here before it can be enforced and
 * leaves with a verdict and the reasons for it. Rejected entries are never enforceable;
 * held entries wait for ops to approve or reject them.
 */

import { type AsnLookup, indexSharedAsns, sharedInfrastructureReasons } from './guard-asn.js'
import type {
  GuardCode,
  GuardConfig,
  GuardReason,
  GuardVerdict,
  ProtectedRange,
  SpecialRange,
} from './guard-config.js'
import { parseCidr } from './ip-address.js'
import { createNameGuard } from './name-guard.js'
import { RangeIndex } from './range-index.js'
import { displayPrefix, type Target } from './target.js'

export * from './guard-asn.js'
export * from './guard-breaker.js'
export * from './guard-config.js'
export { createSuffixMatcher, publicSuffixOf } from './name-guard.js'

/** Codes that make an entry unenforceable outright; every other code holds it for review. */
const REJECTING: ReadonlySet<GuardCode> = new Set([
  'malformed',
  'special-purpose',
  'broader-than-hard-limit',
  'public-suffix',
  'wildcard-not-allowed',
])

/**
 * A broad prefix can overlap thousands of protected ranges; past this many the verdict names
 * the first ones and says how many more there are, so a verdict stays readable.
 */
const LISTED_PROTECTED_RANGES = 10

export interface GuardContext {
  /** Whether the listing rightsholder holds a non-suspended order for a current competition. */
  hasCurrentOrder: boolean
  /** Whether such an order allows wildcard names (`*.example.org`); false when absent. */
  allowWildcards?: boolean
}

export interface Guard {
  check(target: Target, context: GuardContext): GuardVerdict
}

export interface GuardOptions {
  /** Which autonomous systems announce a prefix (an IP-to-ASN database); without it no ASN is checked. */
  asnOf?: AsnLookup
}

/** Builds a guard; range tables are indexed once here, so `check` is a few binary searches. */
export function createGuard(config: GuardConfig, options: GuardOptions = {}): Guard {
  const sharedAsns = indexSharedAsns(config.sharedAsns)
  const allowed = new Set(config.allowSpecial)
  const special = new RangeIndex<SpecialRange>(
    config.specialPurpose
      .filter((range) => !allowed.has(range.name))
      .map((value) => ({ prefix: value.prefix, value })),
  )
  const protectedRanges = new RangeIndex<ProtectedRange>(
    config.protectedRanges.map((value) => ({ prefix: value.prefix, value })),
  )
  const names = createNameGuard(config.protectedSuffixes)

  return {
    check(target, context) {
      if (target.kind === 'name') {
        const reasons = names.check(target, context.allowWildcards === true)
        if (!context.hasCurrentOrder) reasons.push(noCurrentOrder(target.name))
        return verdictOf(reasons)
      }
      const shown = displayPrefix(target.prefix)
      const interval = parseCidr(target.prefix)
      const reasons: GuardReason[] = []
      for (const range of special.overlappingInterval(interval)) {
        reasons.push({
          code: 'special-purpose',
          message: `${shown} overlaps ${range.prefix}, ${range.description} (${range.source})`,
          range: range.prefix,
          name: range.name,
          source: range.source,
        })
      }
      const hard = target.family === 4 ? config.hardLimit.v4 : config.hardLimit.v6
      const soft = target.family === 4 ? config.softLimit.v4 : config.softLimit.v6
      if (target.length < hard) {
        reasons.push({
          code: 'broader-than-hard-limit',
          message: `${shown} is broader than /${hard}, the widest prefix that may ever be blocked`,
        })
      } else if (target.length < soft) {
        reasons.push({
          code: 'broader-than-soft-limit',
          message: `${shown} is broader than /${soft}; prefixes this wide need review`,
        })
      }
      const hits = protectedRanges.overlappingInterval(interval)
      for (const range of hits.slice(0, LISTED_PROTECTED_RANGES)) {
        reasons.push({
          code: 'protected-range',
          message: `${shown} overlaps ${range.prefix}, a protected range of ${range.name} (${range.source})`,
          range: range.prefix,
          name: range.name,
          source: range.source,
        })
      }
      if (hits.length > LISTED_PROTECTED_RANGES) {
        reasons.push({
          code: 'protected-range',
          message: `${shown} overlaps ${hits.length - LISTED_PROTECTED_RANGES} more protected ranges`,
        })
      }
      reasons.push(...sharedInfrastructureReasons(target.prefix, shown, options.asnOf, sharedAsns))
      if (!context.hasCurrentOrder) reasons.push(noCurrentOrder(shown))
      return verdictOf(reasons)
    },
  }
}

function noCurrentOrder(shown: string): GuardReason {
  return {
    code: 'no-current-order',
    message: `the rightsholder listing ${shown} has no order for any current competition`,
  }
}

function verdictOf(reasons: GuardReason[]): GuardVerdict {
  if (reasons.some((reason) => REJECTING.has(reason.code))) return { verdict: 'rejected', reasons }
  return { verdict: reasons.length > 0 ? 'held' : 'accepted', reasons }
}
