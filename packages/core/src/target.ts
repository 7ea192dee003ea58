/**
 * Parsing and normalising what rightsholders list: IPv4/IPv6 addresses and CIDR prefixes, and
 * (where the caller allows them) domain names, see names.ts. Parsing is strict on purpose: forms
 * that different tools read differently (`010.1.1.1` octal, `127.1` shortened, `0x7f.1` hex) are
 * refused with a reason instead of guessed, because a guess can block the wrong server.
 */
import ipaddr from 'ipaddr.js'
import { type Family, formatV4Cidr, formatV6Cidr, parseV4CidrKey, v4BlockSize } from './ip-address.js'
import { type NameReason, type NameTarget, parseName } from './names.js'

export type { Family } from './ip-address.js'
export type { NameTarget } from './names.js'

export interface PrefixTarget {
  kind: 'prefix'
  family: Family
  /** Canonical CIDR, always with "/len": "203.0.113.7/32", "2001:db8::/32". */
  prefix: string
  length: number
}

export type Target = PrefixTarget | NameTarget

export type TargetReason =
  | 'empty'
  | 'whitespace'
  | 'control-character'
  | 'non-ascii'
  | 'leading-zero'
  | 'non-decimal'
  | 'shortened'
  | 'zone-id'
  | 'prefix-length'
  | 'host-bits-set'
  | 'malformed'
  | NameReason

export type ParseResult =
  | { ok: true; target: Target }
  | { ok: false; reason: TargetReason; message: string; suggestion?: string }

export interface ParseOptions {
  /**
   * Accept domain names as `{ kind: 'name' }` targets (off by default: protected ranges, the
   * protocol and the agent's local limits take addresses only).
   */
  allowNames?: boolean
}

type Failure = Extract<ParseResult, { ok: false }>

function fail(reason: TargetReason, message: string, suggestion?: string): Failure {
  return suggestion === undefined
    ? { ok: false, reason, message }
    : { ok: false, reason, message, suggestion }
}

const WHITESPACE = /\s/u
// C0 controls, DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
// Printable ASCII only; control characters were refused already.
const NON_ASCII = /[^ -~]/
const NON_ASCII_DIGIT = /\p{Nd}/u
const INET_ATON_PART = /^(0x[0-9a-f]*|[0-9]+)$/i

/**
 * Parses one listed target. IPv4-mapped IPv6 (`::ffff:203.0.113.7`) becomes IPv4. Failures carry
 * a reason code, a message a rightsholder can act on and, where there is an obvious fix, a
 * suggestion (the network of a prefix with host bits set, the trimmed text).
 */
export function parseTarget(text: string, options: ParseOptions = {}): ParseResult {
  // Fast path for the common case, text that is already a canonical IPv4 address or CIDR
  // (parseV4CidrKey is strict); anything else, including host bits set, takes the full path.
  const v4Prefix = text.includes('/') ? text : `${text}/32`
  const key = parseV4CidrKey(v4Prefix)
  if (key >= 0) return { ok: true, target: { kind: 'prefix', family: 4, prefix: v4Prefix, length: key % 64 } }
  // The same for canonical IPv6, the way agent messages and most uploads write it.
  const v6Prefix = text.includes('/') ? text : `${text}/128`
  const v6Length = canonicalV6Length(v6Prefix)
  if (v6Length >= 0)
    return { ok: true, target: { kind: 'prefix', family: 6, prefix: v6Prefix, length: v6Length } }
  if (text.length === 0) return fail('empty', 'the target is empty')
  if (WHITESPACE.test(text)) {
    const trimmed = text.trim()
    return fail(
      'whitespace',
      `${quote(text)} contains whitespace; a target is one address or prefix`,
      trimmed.length > 0 && !WHITESPACE.test(trimmed) ? trimmed : undefined,
    )
  }
  if (CONTROL.test(text)) return fail('control-character', `${quote(text)} contains a control character`)
  if (NON_ASCII.test(text)) {
    if (NON_ASCII_DIGIT.test(text.replace(/[0-9]/g, ''))) {
      return fail(
        'non-ascii',
        `${quote(text)} contains non-ASCII digits; write addresses with the digits 0-9`,
      )
    }
    // An internationalised name (bücher.example); never an address or prefix, which are ASCII.
    if (options.allowNames === true && !text.includes(':') && !text.includes('/')) return parseName(text)
    return fail('non-ascii', `${quote(text)} contains non-ASCII characters`)
  }
  if (text.includes('%')) {
    return fail('zone-id', `${quote(text)} has a zone id (%…), which only means something on one host`)
  }
  const slash = text.indexOf('/')
  if (slash !== text.lastIndexOf('/')) return fail('malformed', `${quote(text)} has more than one "/"`)
  const addressText = slash < 0 ? text : text.slice(0, slash)
  const lengthText = slash < 0 ? null : text.slice(slash + 1)
  if (addressText === '') return fail('malformed', `${quote(text)} has no address before "/"`)
  if (addressText.includes(':')) return parseV6(text, addressText, lengthText)
  if (addressText.split('.').every((part) => INET_ATON_PART.test(part))) {
    return parseV4(text, addressText, lengthText)
  }
  if (options.allowNames !== true) {
    return lengthText === null && parseName(text).ok
      ? fail('name-not-allowed', `${quote(text)} is a domain name; give an IP address or prefix here`)
      : fail('malformed', `${quote(text)} is not an IP address or prefix`)
  }
  if (lengthText !== null) {
    return fail('name-label-invalid', `${quote(text)} is neither a prefix nor a name ("/" after a name)`)
  }
  return parseName(text)
}

/** The groups of the IPv6 address being read by canonicalV6Length (one buffer, no allocation). */
const V6_GROUPS: number[] = [0, 0, 0, 0, 0, 0, 0, 0]

/**
 * Reads the colon-separated groups of `text[from, to)` — lower-case hex, 1–4 digits, no leading
 * zero — into V6_GROUPS from index `at`; returns how many, or -1 when one is not written so.
 */
function readV6Groups(text: string, from: number, to: number, at: number): number {
  if (from === to) return 0
  let count = 0
  let value = 0
  let digits = 0
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 58 // a ':' after the last group ends it
    if (c === 58) {
      if (digits === 0 || at + count >= 8) return -1
      V6_GROUPS[at + count++] = value
      value = 0
      digits = 0
      continue
    }
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
    if (digit < 0 || digits === 4 || (digits === 1 && value === 0)) return -1
    value = value * 16 + digit
    digits++
  }
  return count
}

/**
 * The length of an IPv6 CIDR already in canonical form — RFC 5952 as ipaddr.js writes it: lower
 * case, no leading zeros, the longest run of two or more zero groups written "::" (the first of
 * equal runs) — with no host bits set; -1 for anything else, which takes the full path (that
 * includes IPv4-mapped addresses, which become IPv4 there). ipaddr.js and BigInts cost ≈ 25 µs
 * an address on a busy machine: seconds of checking the 200k prefixes of one list's delta.
 */
function canonicalV6Length(text: string): number {
  const slash = text.indexOf('/')
  const lengthDigits = text.length - slash - 1
  if (slash < 2 || lengthDigits < 1 || lengthDigits > 3) return -1
  let length = 0
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57 || (i === slash + 1 && c === 48 && lengthDigits > 1)) return -1
    length = length * 10 + (c - 48)
  }
  if (length > 128) return -1
  const gap = text.indexOf('::')
  let head = 0
  let zeros = 0
  if (gap < 0 || gap > slash) {
    if (readV6Groups(text, 0, slash, 0) !== 8) return -1
  } else {
    const again = text.indexOf('::', gap + 1)
    if (again >= 0 && again < slash) return -1
    head = readV6Groups(text, 0, gap, 0)
    const tail = head < 0 ? -1 : readV6Groups(text, gap + 2, slash, head)
    zeros = 8 - head - tail
    if (tail < 0 || zeros < 2) return -1
    for (let k = tail - 1; k >= 0; k--) V6_GROUPS[head + zeros + k] = V6_GROUPS[head + k] ?? 0
    for (let k = 0; k < zeros; k++) V6_GROUPS[head + k] = 0
  }
  // The run that must be the "::": the longest of two or more zero groups, the first of equals.
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (V6_GROUPS[i] !== 0) {
      i++
      continue
    }
    let end = i
    while (end < 8 && V6_GROUPS[end] === 0) end++
    if (end - i > bestLength) {
      bestStart = i
      bestLength = end - i
    }
    i = end
  }
  if (bestStart < 0 ? zeros > 0 : head !== bestStart || zeros !== bestLength) return -1
  let mapped = V6_GROUPS[5] === 0xffff
  for (let i = 0; i < 5; i++) if (V6_GROUPS[i] !== 0) mapped = false
  if (mapped) return -1
  for (let i = 0; i < 8; i++) {
    const kept = Math.max(0, Math.min(16, length - 16 * i))
    if (((V6_GROUPS[i] ?? 0) & (0xffff >> kept)) !== 0) return -1
  }
  return length
}

/** Shows a canonical prefix the way people write a single address: "203.0.113.7/32" → "203.0.113.7". */
export function displayPrefix(prefix: string): string {
  if (prefix.includes(':')) return prefix.endsWith('/128') ? prefix.slice(0, -4) : prefix
  return prefix.endsWith('/32') ? prefix.slice(0, -3) : prefix
}

/** The text as it appears in messages: quoted, control characters escaped, long input cut short. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
}

/** Checks a dotted-quad strictly; returns the address as a number or a failure. */
function strictV4Address(text: string, addressText: string): number | Failure {
  const parts = addressText.split('.')
  const hex = parts.find((part) => /^0x/i.test(part))
  if (hex !== undefined) {
    return fail(
      'non-decimal',
      `${quote(text)} uses a hexadecimal part (${quote(hex)}); write four decimal octets`,
    )
  }
  if (parts.length !== 4) {
    return fail(
      'shortened',
      `${quote(text)} has ${parts.length} part${parts.length === 1 ? '' : 's'}; write all four octets (a.b.c.d)`,
    )
  }
  let address = 0
  for (const part of parts) {
    if (part.length > 1 && part.startsWith('0')) {
      return fail(
        'leading-zero',
        `${quote(text)} has an octet with a leading zero (${quote(part)}), which some tools read as octal; write it without zeros in front`,
      )
    }
    const octet = Number(part)
    if (octet > 255) return fail('malformed', `${quote(text)} has an octet above 255 (${quote(part)})`)
    address = address * 256 + octet
  }
  return address
}

function parseLength(text: string, lengthText: string | null, max: number): number | Failure {
  if (lengthText === null) return max
  if (!/^[0-9]+$/.test(lengthText)) {
    return fail('prefix-length', `${quote(text)} needs a decimal prefix length from 0 to ${max} after "/"`)
  }
  if (lengthText.length > 1 && lengthText.startsWith('0')) {
    return fail(
      'leading-zero',
      `${quote(text)} has a prefix length with a leading zero; write /${Number(lengthText)}`,
    )
  }
  const length = Number(lengthText)
  if (length > max)
    return fail('prefix-length', `${quote(text)} has prefix length ${length}; the most is ${max}`)
  return length
}

function v4Result(text: string, address: number, length: number): ParseResult {
  const size = v4BlockSize(length)
  const network = address - (address % size)
  if (network !== address) {
    const suggestion = formatV4Cidr(network, length)
    return fail('host-bits-set', `${quote(text)} has host bits set; the network is ${suggestion}`, suggestion)
  }
  return { ok: true, target: { kind: 'prefix', family: 4, prefix: formatV4Cidr(address, length), length } }
}

function parseV4(text: string, addressText: string, lengthText: string | null): ParseResult {
  const address = strictV4Address(text, addressText)
  if (typeof address !== 'number') return address
  const length = parseLength(text, lengthText, 32)
  if (typeof length !== 'number') return length
  return v4Result(text, address, length)
}

function parseV6(text: string, addressText: string, lengthText: string | null): ParseResult {
  if (!/^[0-9a-f:.]+$/i.test(addressText))
    return fail('malformed', `${quote(text)} is not a valid IPv6 address`)
  const lastColon = addressText.lastIndexOf(':')
  const groups = addressText.slice(0, lastColon).split(':')
  const tail = addressText.slice(lastColon + 1)
  if (tail.includes('.')) {
    // Embedded IPv4 (::ffff:203.0.113.7) gets the same strict reading as plain IPv4.
    const embedded = strictV4Address(text, tail)
    if (typeof embedded !== 'number') return embedded
  } else {
    groups.push(tail)
  }
  if (groups.some((group) => group.length > 4 || group.includes('.'))) {
    return fail('malformed', `${quote(text)} is not a valid IPv6 address`)
  }
  let parts: number[]
  try {
    parts = ipaddr.IPv6.parse(addressText).parts
  } catch {
    return fail('malformed', `${quote(text)} is not a valid IPv6 address`)
  }
  const length = parseLength(text, lengthText, 128)
  if (typeof length !== 'number') return length
  let address = 0n
  for (const part of parts) address = (address << 16n) | BigInt(part)
  if (address >> 32n === 0xffffn && length >= 96) {
    return v4Result(text, Number(address & 0xffffffffn), length - 96)
  }
  const size = 1n << BigInt(128 - length)
  const network = address - (address % size)
  if (network !== address) {
    const suggestion = formatV6Cidr(network, length)
    return fail('host-bits-set', `${quote(text)} has host bits set; the network is ${suggestion}`, suggestion)
  }
  return { ok: true, target: { kind: 'prefix', family: 6, prefix: formatV6Cidr(address, length), length } }
}
