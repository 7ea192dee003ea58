/**
 * Fast conversions between canonical CIDR text and integer address intervals, shared by
 * PrefixSet, RangeIndex and the guard. IPv4 addresses are plain numbers (exact below 2^53),
 * IPv6 addresses are BigInt. Intervals are half-open: [start, end).
 *
 * These functions expect well-formed input (see `parseTarget` for user input) and throw on
 * anything else; the IPv4 path is a hand-written loop because it runs a million times per
 * list diff.
 */

/** Address family. */
export type Family = 4 | 6

/** Number of IPv4 addresses. */
export const V4_SPACE = 2 ** 32
/** Number of IPv6 addresses. */
export const V6_SPACE = 1n << 128n

/** Block size of an IPv4 prefix of each length 0..32. */
const V4_BLOCK: number[] = Array.from({ length: 33 }, (_, len) => 2 ** (32 - len))

export type CidrInterval =
  | { family: 4; start: number; end: number; length: number }
  | { family: 6; start: bigint; end: bigint; length: number }

/** Size of an IPv4 block of the given prefix length. */
export function v4BlockSize(length: number): number {
  return V4_BLOCK[length]!
}

/**
 * Parses an IPv4 CIDR ("203.0.113.0/24") into `start * 64 + length`, or returns -1 when the text
 * is not a canonical IPv4 CIDR (leading zeros, missing length, host bits set, out of range).
 * The packed form sorts by start, then by length, which is what interval merging needs.
 */
export function parseV4CidrKey(text: string): number {
  let address = 0
  let octet = 0
  let digits = 0
  let dots = 0
  let i = 0
  const n = text.length
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1 // leading zero
      octet = octet * 10 + (c - 48)
      digits++
      if (octet > 255) return -1
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      address = address * 256 + octet
      octet = 0
      digits = 0
      dots++
    } else if (c === 47) {
      break
    } else {
      return -1
    }
  }
  if (dots !== 3 || digits === 0 || i >= n) return -1
  address = address * 256 + octet
  let length = 0
  let lengthDigits = 0
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57 || (lengthDigits > 0 && length === 0)) return -1
    length = length * 10 + (c - 48)
    lengthDigits++
    if (length > 32) return -1
  }
  if (lengthDigits === 0) return -1
  if (address % V4_BLOCK[length]! !== 0) return -1 // host bits set
  return address * 64 + length
}

/** Dotted-quad text of an IPv4 address given as a number. */
export function formatV4(address: number): string {
  return `${Math.floor(address / 16777216)}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
}

/** The 16-bit groups of the address being parsed (one buffer: parsing allocates nothing else). */
const groups = new Uint16Array(8)

/**
 * IPv6 address text (any RFC 4291 form, no zone id, strict dotted IPv4 tail) to BigInt.
 * Hand-written, one pass over the characters, because the guard, PrefixSet and the agent's
 * safety net parse every IPv6 entry of a list (100k entries: a split and three arrays each cost
 * the scheduler ≈ 0.4 s on a loaded 2-core machine). Throws on invalid text.
 */
export function parseV6Address(text: string): bigint {
  const n = text.length
  let count = 0
  /** How many groups came before "::", or -1 without one. */
  let gap = -1
  let i = 0
  if (n >= 2 && text.charCodeAt(0) === 58 && text.charCodeAt(1) === 58) {
    gap = 0
    i = 2
  }
  while (i < n) {
    const start = i
    let value = 0
    let c = 0
    for (; i < n; i++) {
      c = text.charCodeAt(i)
      const digit = hexDigit(c)
      if (digit < 0) break
      value = value * 16 + digit
    }
    if (i < n && c === 46) {
      // A dotted IPv4 tail: the last 32 bits, in strict decimal.
      const key = count <= 6 ? parseV4CidrKey(`${text.slice(start)}/32`) : -1
      if (key < 0) return invalidV6(text)
      const v4 = (key - 32) / 64
      groups[count++] = Math.floor(v4 / 65536)
      groups[count++] = v4 % 65536
      i = n
      break
    }
    if (i === start || i - start > 4 || count === 8) return invalidV6(text)
    groups[count++] = value
    if (i === n) break
    if (c !== 58) return invalidV6(text)
    i++
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap >= 0) return invalidV6(text)
      gap = count
      i++
    } else if (i === n) return invalidV6(text)
  }
  if (gap < 0 ? count !== 8 : count > 7) return invalidV6(text)
  if (gap >= 0) {
    // Move the groups after "::" to the end and zero the gap.
    const tail = count - gap
    groups.copyWithin(8 - tail, gap, count)
    groups.fill(0, gap, 8 - tail)
  }
  return (
    (BigInt(groups[0]! * 65536 + groups[1]!) << 96n) |
    (BigInt(groups[2]! * 65536 + groups[3]!) << 64n) |
    (BigInt(groups[4]! * 65536 + groups[5]!) << 32n) |
    BigInt(groups[6]! * 65536 + groups[7]!)
  )
}

function invalidV6(text: string): never {
  throw new Error(`not an IPv6 address: ${text}`)
}

/**
 * RFC 5952 text of an IPv6 address given as a BigInt: lower-case hex without leading zeros, the
 * first longest run of two or more zero groups written "::". From one `toString(16)`, since
 * covers format every prefix of a 100k-entry list.
 */
export function formatV6(address: bigint): string {
  const hex = address.toString(16).padStart(32, '0')
  const parts: string[] = new Array(8)
  let bestStart = -1
  let bestLength = 1
  let runStart = -1
  for (let k = 0; k < 8; k++) {
    let at = k * 4
    const end = at + 3
    while (at < end && hex.charCodeAt(at) === 48) at++
    const part = hex.slice(at, k * 4 + 4)
    parts[k] = part
    if (part === '0') {
      if (runStart < 0) runStart = k
      if (k - runStart + 1 > bestLength) {
        bestStart = runStart
        bestLength = k - runStart + 1
      }
    } else runStart = -1
  }
  if (bestStart < 0) return parts.join(':')
  const head = parts.slice(0, bestStart).join(':')
  const tail = parts.slice(bestStart + bestLength).join(':')
  return `${head}::${tail}`
}

/** The size of an IPv6 block of each prefix length 0..128, and its host mask (size − 1). */
const V6_BLOCK: bigint[] = Array.from({ length: 129 }, (_, length) => 1n << BigInt(128 - length))
const V6_HOST_MASK: bigint[] = V6_BLOCK.map((size) => size - 1n)

/** The decimal prefix length at text[from…] (no leading zero, at most 3 digits), or -1. */
function prefixLength(text: string, from: number): number {
  const n = text.length
  if (from >= n || n - from > 3 || (text.charCodeAt(from) === 48 && n - from > 1)) return -1
  let length = 0
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return -1
    length = length * 10 + (c - 48)
  }
  return length
}

/**
 * Parses a CIDR in canonical form (always "/len", no host bits) of either family into its
 * interval. Throws an Error naming the text when it is not one.
 */
export function parseCidr(text: string): CidrInterval {
  if (text.includes(':')) {
    const slash = text.indexOf('/')
    const length = slash < 0 ? -1 : prefixLength(text, slash + 1)
    if (length < 0 || length > 128) throw new Error(`not a canonical CIDR: ${text}`)
    let start: bigint
    try {
      start = parseV6Address(text.slice(0, slash))
    } catch {
      throw new Error(`not a canonical CIDR: ${text}`)
    }
    if ((start & V6_HOST_MASK[length]!) !== 0n) throw new Error(`host bits set in ${text}`)
    return { family: 6, start, end: start + V6_BLOCK[length]!, length }
  }
  const key = parseV4CidrKey(text)
  if (key < 0) throw new Error(`not a canonical CIDR: ${text}`)
  const length = key % 64
  const start = (key - length) / 64
  return { family: 4, start, end: start + V4_BLOCK[length]!, length }
}

/** Canonical CIDR text of an IPv4 block. */
export function formatV4Cidr(start: number, length: number): string {
  return `${formatV4(start)}/${length}`
}

/** Canonical CIDR text of an IPv6 block. */
export function formatV6Cidr(start: bigint, length: number): string {
  return `${formatV6(start)}/${length}`
}

/**
 * The canonical prefix of `length` bits that contains the canonical CIDR `prefix`, or `prefix`
 * itself when it is that wide or wider: the scheduler's cover regions (/24, /64) and the FlowSpec
 * backend's aggregates are both this.
 */
export function superPrefix(prefix: string, length: number): string {
  const block = parseCidr(prefix)
  if (block.length <= length) return prefix
  if (block.family === 4) return formatV4Cidr(block.start - (block.start % V4_BLOCK[length]!), length)
  const size = 1n << BigInt(128 - length)
  return formatV6Cidr(block.start - (block.start % size), length)
}
