/**
 * The overblocking guard's vocabulary and its default configuration (SPEC rule 6). Every limit
 * and table is configuration: a deployment passes its own `GuardConfig`, usually by spreading
 * `defaultGuardConfig` and changing a field.
 */
import { defaultProtectedRanges } from './data/protected-ranges.js'
import { defaultProtectedSuffixes } from './data/protected-suffixes.js'
import { defaultSharedAsns } from './data/shared-asns.js'
import { specialPurposeRanges } from './data/special-purpose.js'
import type { SharedAsn } from './guard-asn.js'

/** One block of the IANA special-purpose registries (or multicast), never enforceable. */
export interface SpecialRange {
  /** Canonical CIDR. */
  prefix: string
  /** Short tag a deployment can relax through `allowSpecial`: "private", "documentation", … */
  name: string
  /** What the registry calls it. */
  description: string
  /** Where the entry comes from (RFC, registry). */
  source: string
}

/** A range whose overlap holds an entry for review: CDN front ends, public resolvers, national ISPs. */
export interface ProtectedRange {
  /** Canonical CIDR. */
  prefix: string
  /** Who the range belongs to, e.g. "Cloudflare". */
  name: string
  /** Where the range comes from: a published list's URL, or the operator who added it. */
  source: string
}

/** A domain suffix whose names are held for review: shared front ends, cloud and CDN platforms. */
export interface ProtectedSuffix {
  /** Canonical name (A-labels, lower case): "googleusercontent.com". */
  suffix: string
  /** Whose it is, e.g. "Google". */
  name: string
  /** Why it is protected: a published list, an incident, or the operator who added it. */
  source: string
}

export type Verdict = 'accepted' | 'held' | 'rejected'

export type GuardCode =
  | 'malformed'
  | 'special-purpose'
  | 'broader-than-hard-limit'
  | 'broader-than-soft-limit'
  | 'protected-range'
  | 'shared-infrastructure'
  | 'no-current-order'
  | 'circuit-breaker'
  | 'public-suffix'
  | 'wildcard-not-allowed'
  | 'protected-suffix'

export interface GuardReason {
  code: GuardCode
  message: string
  /** The range that caused the reason (special-purpose or protected). */
  range?: string
  /** The suffix that caused the reason (a public suffix or a protected one). */
  suffix?: string
  name?: string
  source?: string
  /** The announcing autonomous system (shared-infrastructure) and the organisation the database names. */
  asn?: number
  organisation?: string
}

export interface GuardVerdict {
  verdict: Verdict
  reasons: GuardReason[]
}

export interface GuardConfig {
  specialPurpose: SpecialRange[]
  /** Special-purpose names relaxed, e.g. ["documentation"] for demos and tests. */
  allowSpecial: string[]
  protectedRanges: ProtectedRange[]
  /** Names at or under these are held for review. */
  protectedSuffixes: ProtectedSuffix[]
  /** Autonomous systems whose announcements are held as shared infrastructure (needs an `asnOf` lookup). */
  sharedAsns: SharedAsn[]
  /** Prefixes shorter than these lengths are rejected. */
  hardLimit: { v4: number; v6: number }
  /** Prefixes shorter than these lengths are held for review. */
  softLimit: { v4: number; v6: number }
  breaker: {
    /** A revision may enlarge the enforced space at most this many times over its baseline. */
    maxGrowthFactor: number
    /** Never enforce more IPv4 addresses than this in total. */
    maxTotalV4Addresses: bigint
    /** Never enforce IPv6 addresses in more /48s than this in total. */
    maxTotalV6Prefixes48: bigint
    /**
     * Growth is measured against max(previous size, this floor), so that going from nothing (no
     * window live, first list of the season) to a normal list does not trip; only the totals
     * apply below the floor.
     */
    minBaselineV4Addresses: bigint
    minBaselineV6Prefixes48: bigint
    /** Never enforce more names (and wildcards) than this in total. */
    maxTotalNames: number
    /** The floor of the names baseline, as the address floors are. */
    minBaselineNames: number
  }
}

/**
 * Defaults: the full special-purpose table, Cloudflare's ranges and the big public resolvers as
 * protected ranges, hard limit /16 (v4) and /32 (v6), soft limit /24 and /48, and a breaker that
 * trips at 4× growth over a baseline of at least 2^20 IPv4 addresses (a weekly list of tens of
 * thousands of hosts and some /24s stays below it) or 65 536 IPv6 /48s, or past 2^24 IPv4
 * addresses (a /8's worth) or 2^24 IPv6 /48s in total.
 */
export const defaultGuardConfig: GuardConfig = {
  specialPurpose: specialPurposeRanges,
  allowSpecial: [],
  protectedRanges: defaultProtectedRanges,
  protectedSuffixes: defaultProtectedSuffixes,
  sharedAsns: defaultSharedAsns,
  hardLimit: { v4: 16, v6: 32 },
  softLimit: { v4: 24, v6: 48 },
  breaker: {
    maxGrowthFactor: 4,
    maxTotalV4Addresses: 1n << 24n,
    maxTotalV6Prefixes48: 1n << 24n,
    minBaselineV4Addresses: 1n << 20n,
    minBaselineV6Prefixes48: 1n << 16n,
    // Italy's platform received 53 836 names in 19 months: a season's lists stay far below these.
    maxTotalNames: 1_000_000,
    minBaselineNames: 200_000,
  },
}
