/**
 * Fast conversions between canonical CIDR text and integer address intervals, shared by
 * PrefixSet, RangeIndex and the guard. IPv4 addresses are plain numbers (exact below 2^53),
 * IPv6 addresses are BigInt. Intervals are half-open: [start, end).
 *
 * These functions expect well-formed input (see `parseTarget` for user input) and throw on
 * anything else; the IPv4 path is a hand-written loop because it runs a million times per
 * list diff.
 */
import ipaddr from 'ipaddr.js'

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

/** Value of 1–4 hex digits in text[from, to), or -1. */
function hexGroup(text: string, from: number, to: number): number {
  if (to <= from || to - from > 4) return -1
  let value = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    const digit =
      c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
    if (digit < 0) return -1
    value = value * 16 + digit
  }
  return value
}

/** The 16-bit groups of one side of "::" (possibly ending in dotted IPv4), or null. */
function v6Groups(text: string, allowV4Tail: boolean): number[] | null {
  if (text === '') return []
  const pieces = text.split(':')
  const groups: number[] = []
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k]!
    if (allowV4Tail && k === pieces.length - 1 && piece.includes('.')) {
      const key = parseV4CidrKey(`${piece}/32`)
      if (key < 0) return null
      const v4 = (key - 32) / 64
      groups.push(Math.floor(v4 / 65536), v4 % 65536)
    } else {
      const value = hexGroup(piece, 0, piece.length)
      if (value < 0) return null
      groups.push(value)
    }
  }
  return groups
}

/**
 * IPv6 address text (any RFC 4291 form, no zone id, strict dotted IPv4 tail) to BigInt.
 * Hand-written because the guard and PrefixSet parse every IPv6 entry of a list.
 * Throws on invalid text.
 */
export function parseV6Address(text: string): bigint {
  const gap = text.indexOf('::')
  let groups: number[] | null
  if (gap < 0) {
    groups = v6Groups(text, true)
    if (groups !== null && groups.length !== 8) groups = null
  } else {
    const head = v6Groups(text.slice(0, gap), false)
    const tail = v6Groups(text.slice(gap + 2), true)
    groups =
      head === null || tail === null || text.indexOf('::', gap + 1) >= 0 || head.length + tail.length > 7
        ? null
        : [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  }
  if (groups === null) throw new Error(`not an IPv6 address: ${text}`)
  let value = 0n
  for (let k = 0; k < 8; k += 2) value = (value << 32n) | BigInt(groups[k]! * 65536 + groups[k + 1]!)
  return value
}

/** RFC 5952 text of an IPv6 address given as a BigInt. */
export function formatV6(address: bigint): string {
  const parts: number[] = new Array(8)
  let rest = address
  for (let k = 7; k >= 0; k--) {
    parts[k] = Number(rest & 0xffffn)
    rest >>= 16n
  }
  return new ipaddr.IPv6(parts).toRFC5952String()
}

/**
 * Parses a CIDR in canonical form (always "/len", no host bits) of either family into its
 * interval. Throws an Error naming the text when it is not one.
 */
export function parseCidr(text: string): CidrInterval {
  if (text.includes(':')) {
    const slash = text.indexOf('/')
    const lengthText = slash < 0 ? '' : text.slice(slash + 1)
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) throw new Error(`not a canonical CIDR: ${text}`)
    const length = Number(lengthText)
    if (length > 128 || text.includes('%')) throw new Error(`not a canonical CIDR: ${text}`)
    let start: bigint
    try {
      start = parseV6Address(text.slice(0, slash))
    } catch {
      throw new Error(`not a canonical CIDR: ${text}`)
    }
    const size = 1n << BigInt(128 - length)
    if (start % size !== 0n) throw new Error(`host bits set in ${text}`)
    return { family: 6, start, end: start + size, length }
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
