/**
 * Shared infrastructure by network (SPEC rule 6): which autonomous systems announce an entry, and
 * whether any of them is one the operator marks as shared (CDNs, clouds, large hosters). The
 * IP-to-ASN database is I/O; callers pass a lookup function built from it, so this stays pure.
 */
import type { GuardReason } from './guard-config.js'

/** An autonomous system announcing (part of) a prefix, as the IP-to-ASN database names it. */
export interface AnnouncingAs {
  asn: number
  /** The organisation the database names, e.g. "Cloudflare, Inc.". */
  organisation: string
}

/** Every autonomous system announcing part of a canonical prefix, in address order, each once. */
export type AsnLookup = (prefix: string) => AnnouncingAs[]

/** An operator's row: an autonomous system whose addresses are shared by unrelated services. */
export interface SharedAsn {
  asn: number
  /** Who runs it, e.g. "Cloudflare". */
  name: string
  kind: 'cdn' | 'cloud' | 'hoster' | 'other'
  /** Where the row comes from: a registry record's URL, or the operator who added it. */
  source: string
}

/** An indexed table of shared networks, built once per guard. */
export type SharedAsnIndex = ReadonlyMap<number, SharedAsn>

export function indexSharedAsns(rows: readonly SharedAsn[]): SharedAsnIndex {
  return new Map(rows.map((row) => [row.asn, row]))
}

/** `AS13335`. */
export function asnLabel(asn: number): string {
  return `AS${asn}`
}

/**
 * One `shared-infrastructure` reason per shared network announcing part of the prefix; none when
 * no lookup is configured or nothing shared announces it.
 */
export function sharedInfrastructureReasons(
  prefix: string,
  shown: string,
  lookup: AsnLookup | undefined,
  shared: SharedAsnIndex,
): GuardReason[] {
  if (!lookup || shared.size === 0) return []
  const reasons: GuardReason[] = []
  for (const announcing of lookup(prefix)) {
    const row = shared.get(announcing.asn)
    if (!row) continue
    reasons.push({
      code: 'shared-infrastructure',
      message: `${shown} is announced by ${asnLabel(announcing.asn)} (${announcing.organisation}), shared infrastructure of ${row.name} (${row.kind}); unrelated services may sit behind it`,
      asn: announcing.asn,
      name: row.name,
      organisation: announcing.organisation,
      source: row.source,
    })
  }
  return reasons
}
