/**
 * Names in the effective state: what a revocation takes out of a list of names. A name list is a
 * plain set of patterns (names and `*.x` wildcards), so there is no cover to compute; the only
 * subtlety is that a revocation and a pattern can overlap without being equal — revoking
 * `a.example.org` must lift `*.example.org` too, or the complainant's name stays blocked.
 */
import { namesOverlap } from './names.js'

/** Revoked names (and wildcards), indexed so that checking a listed exact name is a few lookups. */
export class RevokedNames {
  static readonly EMPTY = new RevokedNames([])
  readonly #exact: Set<string>
  readonly #wildcardBases = new Set<string>()
  readonly #all: string[]

  constructor(names: Iterable<string>) {
    this.#all = [...new Set(names)]
    this.#exact = new Set(this.#all)
    for (const name of this.#all) if (name.startsWith('*.')) this.#wildcardBases.add(name.slice(2))
  }

  isEmpty(): boolean {
    return this.#all.length === 0
  }

  union(other: RevokedNames): RevokedNames {
    if (other.isEmpty()) return this
    if (this.isEmpty()) return other
    return new RevokedNames([...this.#all, ...other.#all])
  }

  /** Whether blocking `pattern` would block some revoked name: it must leave the lists. */
  touches(pattern: string): boolean {
    if (this.#all.length === 0) return false
    if (this.#exact.has(pattern)) return true
    if (pattern.startsWith('*.')) return this.#all.some((revoked) => namesOverlap(pattern, revoked))
    // An exact name overlaps a revoked wildcard whose base lies strictly above it.
    for (let at = pattern, dot = at.indexOf('.'); dot >= 0; dot = at.indexOf('.')) {
      at = at.slice(dot + 1)
      if (this.#wildcardBases.has(at)) return true
    }
    return false
  }
}

/**
 * The listed names an order enforces: without the revoked ones, and without wildcards unless the
 * order allows them (the guard accepted them for a rightsholder of which some order does). Order
 * kept, duplicates dropped.
 */
export function carveNames(
  names: readonly string[],
  revoked: RevokedNames,
  allowWildcards: boolean,
): string[] {
  const kept = new Set<string>()
  for (const name of names) {
    if (!allowWildcards && name.startsWith('*.')) continue
    if (!revoked.touches(name)) kept.add(name)
  }
  return [...kept]
}
