/**
 * Generated weekly lists of the shapes a match day sees, from a simple counter and a fixed-seed
 * generator, only in 198.18.0.0/15 (benchmarking) and 2001:db8::/32 (documentation):
 *  - `v4-clustered`: IPv4 hosts in runs of consecutive /32s (whole /24s merge into one prefix),
 *  - `v4-scattered`: IPv4 hosts drawn at random from the /15 (where neighbours meet they merge),
 *  - `v6-scattered`: IPv6 hosts over the whole /32.
 * `seed` gives a different list of the same shape (a new weekly upload).
 */
import { seededRandom } from '../../core/lib/harness.js'

export type ListShape = 'v4-clustered' | 'v4-scattered' | 'v6-scattered'

function v4(n: number): string {
  return `198.${18 + ((n >>> 16) & 1)}.${(n >>> 8) & 0xff}.${n & 0xff}`
}

/** A deterministic generator of [0, 1), so every run lists the same entries. */
function random(seed: number): () => number {
  const next = seededRandom(seed)
  return () => next() / 4294967296
}

export function listEntries(shape: ListShape, size: number, seed: number): string[] {
  const next = random(seed * 7919 + shape.length)
  if (shape === 'v4-clustered') {
    // Runs of 64 consecutive hosts starting at a random /26 of the /15, distinct runs.
    const out = new Set<string>()
    while (out.size < size) {
      const base = Math.floor(next() * 2048) * 64
      for (let i = 0; i < 64 && out.size < size; i++) out.add(`${v4(base + i)}/32`)
    }
    return [...out]
  }
  if (shape === 'v4-scattered') {
    const out = new Set<string>()
    while (out.size < Math.min(size, 131_072)) out.add(`${v4(Math.floor(next() * 131_072))}/32`)
    return [...out]
  }
  const out = new Set<string>()
  while (out.size < size) {
    const a = Math.floor(next() * 0x10000).toString(16)
    // Non-zero groups keep the text canonical (no `::` run but the last).
    const b = (1 + Math.floor(next() * 0xfffe)).toString(16)
    const c = (1 + Math.floor(next() * 0xfffe)).toString(16)
    out.add(`2001:db8:${a}:${b}::${c}/128`)
  }
  return [...out]
}
