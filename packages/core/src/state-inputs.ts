import type { Competition, MatchEvent } from './time.js'

/** An authority's order: one rightsholder, one season, one or more competitions (SPEC rule 1). */
export interface Order {
  id: string
  rightsholder: string
  competitions: string[]
  season: string
  reference: string
  suspended: boolean
  /** The order allows wildcard names (`*.example.org`); absent means it does not. */
  allowWildcards?: boolean
}

/** A rightsholder's list for one ISO week; prefixes and names are guard-approved and canonical. */
export interface WeeklyList {
  rightsholder: string
  week: string
  prefixes: string[]
  /** Canonical names and `*.x` wildcards (see names.ts); absent when the list has none. */
  names?: string[]
}

/**
 * An upheld complaint's carve-out: the address space, or the name, leaves every order's lists, or
 * only `order`'s. A revoked name also lifts every listed wildcard that would block it.
 */
export interface Revocation {
  /** Canonical CIDR; exactly one of `prefix` and `name` is set. */
  prefix?: string
  /** Canonical name or `*.x` wildcard. */
  name?: string
  order?: string
}

/** Why an entry is enforced: this order's rightsholder listed it for this week, used by this live event. */
export interface Provenance {
  order: string
  rightsholder: string
  week: string
  event: string
}

/** A prefix enforced now, until the latest end (+ grace) of the live windows that justify it. */
export interface EnforcedEntry {
  prefix: string
  until: number
  provenance: Provenance[]
}

/** A name (or wildcard) enforced now, as {@link EnforcedEntry} is for a prefix. */
export interface EnforcedName {
  name: string
  until: number
  provenance: Provenance[]
}

/** Everything the effective state depends on; `now` is passed in because core never reads a clock. */
export interface StateInputs {
  now: number
  graceMs: number
  competitions: Competition[]
  events: MatchEvent[]
  orders: Order[]
  lists: WeeklyList[]
  revocations: Revocation[]
}
