/**
 * The guard's rules for domain names (SPEC rule 6, issue #10). Blocking a name blocks everyone
 * using it, so names that many unrelated parties share are kept out: a public suffix (`co.uk`,
 * `github.io`) or anything at or above one is rejected outright; names at or under a protected
 * suffix (shared front ends, clouds, CDNs) are held for review naming the suffix; a wildcard
 * stands only where the order allows wildcards.
 *
 * The Public Suffix List comes from `tldts` (kept current with publicsuffix.org, a compact trie,
 * no I/O, both ICANN and private sections) — see data/public-suffix-list.ts for the version.
 */
import { getPublicSuffix } from 'tldts'
import { publicSuffixList } from './data/public-suffix-list.js'
import type { GuardReason, ProtectedSuffix } from './guard-config.js'
import { isAtOrUnder, type NameTarget, nameBase } from './names.js'

const PSL_OPTIONS = { allowPrivateDomains: true, extractHostname: false, validateHostname: false } as const

/**
 * A label no rule names, to find wildcard rules below a name: `*.kawasaki.jp` makes
 * `<probe>.kawasaki.jp` a public suffix, so `kawasaki.jp` is above one.
 */
const PROBE = 'offside-probe-label'

/**
 * The public suffix of a canonical name (the longest matching rule, private entries included;
 * an unknown top-level label is its own suffix, as the list's default rule says).
 */
export function publicSuffixOf(name: string): string {
  return getPublicSuffix(name, PSL_OPTIONS) ?? name.slice(name.lastIndexOf('.') + 1)
}

/**
 * Whether `name` is a public suffix or lies above one. Seen: the name is itself a suffix, or a
 * wildcard rule sits just below it. Not seen: an exact rule deeper below a name that is not a
 * suffix itself (`s3.amazonaws.com` below `amazonaws.com`), which the list does not let a lookup
 * find; the default protected suffixes hold the platforms where that happens.
 */
function isPublicSuffixOrAbove(name: string): { suffix: string } | null {
  const own = publicSuffixOf(name)
  if (own === name) return { suffix: own }
  const probe = `${PROBE}.${name}`
  if (publicSuffixOf(probe) === probe) return { suffix: `*.${name}` }
  return null
}

/**
 * Finds the protected suffixes that blocking a pattern would reach: those at or above its base
 * name, and for a wildcard also those below its base (`*.example.org` reaches cdn.example.org).
 * The guard and the state loader (SPEC rule 13, applied at read time) share it.
 */
export function createSuffixMatcher(
  protectedSuffixes: ProtectedSuffix[],
): (pattern: string) => ProtectedSuffix[] {
  const bySuffix = new Map<string, ProtectedSuffix[]>()
  for (const entry of protectedSuffixes) {
    bySuffix.set(entry.suffix, [...(bySuffix.get(entry.suffix) ?? []), entry])
  }
  return (pattern) => {
    const base = nameBase(pattern)
    const found: ProtectedSuffix[] = []
    for (let at = base; ; ) {
      found.push(...(bySuffix.get(at) ?? []))
      const dot = at.indexOf('.')
      if (dot < 0) break
      at = at.slice(dot + 1)
    }
    if (pattern !== base) {
      for (const entry of protectedSuffixes) {
        if (entry.suffix !== base && isAtOrUnder(entry.suffix, base)) found.push(entry)
      }
    }
    return found
  }
}

export interface NameGuard {
  /** The guard's reasons about one name (no-current-order is the caller's). */
  check(target: NameTarget, allowWildcards: boolean): GuardReason[]
}

export function createNameGuard(protectedSuffixes: ProtectedSuffix[]): NameGuard {
  const protectedReached = createSuffixMatcher(protectedSuffixes)

  return {
    check(target, allowWildcards) {
      const shown = target.name
      const base = nameBase(target.name)
      const reasons: GuardReason[] = []
      const suffix = isPublicSuffixOrAbove(base)
      if (suffix) {
        reasons.push({
          code: 'public-suffix',
          message:
            suffix.suffix === base
              ? `${shown} is at a public suffix (${base}): names under it belong to unrelated owners`
              : `${shown} is above the public suffix ${suffix.suffix}: names under it belong to unrelated owners`,
          suffix: suffix.suffix,
          source: `${publicSuffixList.source}, ${publicSuffixList.version}`,
        })
      }
      if (target.wildcard && !allowWildcards) {
        reasons.push({
          code: 'wildcard-not-allowed',
          message: `${shown} is a wildcard, and no current order of this rightsholder allows wildcards`,
        })
      }
      for (const entry of protectedReached(target.name)) {
        const relation = entry.suffix === base ? 'at' : isAtOrUnder(base, entry.suffix) ? 'under' : 'above'
        reasons.push({
          code: 'protected-suffix',
          message: `${shown} is ${relation} ${entry.suffix}, a protected suffix of ${entry.name} (${entry.source})`,
          suffix: entry.suffix,
          name: entry.name,
          source: entry.source,
        })
      }
      return reasons
    },
  }
}
