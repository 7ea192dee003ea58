/**
 * Domain names as targets (SPEC rule 6, issue #10): normalising what a rightsholder lists to the
 * form resolvers compare — lower case, no trailing dot, internationalised labels as A-labels —
 * and the relations the guard, revocations and the public look-up need (is a name under another,
 * does a wildcard cover a name). Pure string work; the Public Suffix List lives in name-guard.ts.
 *
 * IDNA is node's `domainToASCII` (WHATWG URL "domain to ASCII": UTS #46 non-transitional
 * processing, the same mapping browsers apply, so `faß.de` is `xn--fa-hia.de` as a subscriber's
 * browser would ask for it). It is built in, so no second IDNA table can drift from the runtime's.
 */
import { domainToASCII } from 'node:url'

/** RFC 1035 §2.3.4: 255 octets on the wire, i.e. 253 characters of dotted text without the root. */
export const MAX_NAME_LENGTH = 253
/** RFC 1035 §2.3.4. */
export const MAX_LABEL_LENGTH = 63

export interface NameTarget {
  kind: 'name'
  /**
   * The canonical text: A-labels, lower case, no trailing dot; a wildcard keeps its `*.` in
   * front (`*.example.org`), as enforcement groups carry it.
   */
  name: string
  /** `*.example.org`: every name strictly under example.org, not example.org itself. */
  wildcard: boolean
}

export type NameReason =
  | 'name-not-allowed'
  | 'name-too-long'
  | 'name-label-too-long'
  | 'name-label-empty'
  | 'name-label-invalid'
  | 'name-idna-invalid'
  | 'name-wildcard-invalid'
  | 'name-numeric-tld'
  | 'non-ascii'

export type NameParseResult =
  | { ok: true; target: NameTarget }
  | { ok: false; reason: NameReason; message: string; suggestion?: string }

// Letter-digit-hyphen labels (RFC 1123 §2.1), checked on the A-label form.
const LDH_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/
// What may appear in a listed name besides non-ASCII letters: ASCII letters, digits, "-" and ".".
const ASCII_OTHER = /[^\u0080-\uffffA-Za-z0-9.-]/u
const NUMERIC = /^[0-9]+$/
// What an address looks like once mapped: dotted numbers (any base) or anything with a colon.
const ADDRESS_LIKE = /^((0x[0-9a-f]*|[0-9]+)\.)*(0x[0-9a-f]*|[0-9]+)$|:/i

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
}

function fail(reason: NameReason, message: string, suggestion?: string): NameParseResult {
  return suggestion === undefined
    ? { ok: false, reason, message }
    : { ok: false, reason, message, suggestion }
}

/**
 * Parses one listed domain name (the caller has refused whitespace and control characters).
 * `*.example.org` is a wildcard; a `*` anywhere else is refused. Every refusal has its reason.
 */
export function parseName(text: string): NameParseResult {
  const wildcard = text.startsWith('*.')
  const body = wildcard ? text.slice(2) : text
  if (body.includes('*')) {
    return fail(
      'name-wildcard-invalid',
      `${quote(text)} has a "*" that is not a whole first label; a wildcard is written *.example.org`,
    )
  }
  const bad = ASCII_OTHER.exec(body)
  if (bad) {
    return fail(
      'name-label-invalid',
      `${quote(text)} contains ${quote(bad[0])}; a name has letters, digits, "-" and "."`,
    )
  }
  const trimmed = body.endsWith('.') ? body.slice(0, -1) : body
  if (trimmed === '' || trimmed.startsWith('.') || trimmed.endsWith('.') || trimmed.includes('..')) {
    return fail('name-label-empty', `${quote(text)} has an empty label`)
  }
  if (NUMERIC.test(trimmed.slice(trimmed.lastIndexOf('.') + 1))) {
    // RFC 3696 §2: a top-level label is never all digits; such text is a mistyped address.
    return fail('name-numeric-tld', `${quote(text)} ends in a numeric label, which no domain does`)
  }
  // Lengths are checked below on what resolvers see, the A-labels (UTS #46 does not check them).
  const ascii = domainToASCII(trimmed)
  if (ascii === '') {
    return fail(
      'name-idna-invalid',
      `${quote(text)} is not a valid internationalised name (UTS #46: a bad A-label, a disallowed character or mixed directions)`,
    )
  }
  const name = ascii.endsWith('.') ? ascii.slice(0, -1) : ascii
  if (ADDRESS_LIKE.test(name)) {
    // Full-width digits or an invisible character that IDNA maps away would turn into an address.
    return fail(
      'non-ascii',
      `${quote(text)} maps to ${quote(name)}; write addresses with the ASCII digits 0-9`,
    )
  }
  const labels = name.split('.')
  for (const label of labels) {
    if (label === '') return fail('name-label-empty', `${quote(text)} has an empty label`)
    if (label.length > MAX_LABEL_LENGTH) {
      return fail(
        'name-label-too-long',
        `${quote(text)} has a label of ${label.length} characters; the most is ${MAX_LABEL_LENGTH} (RFC 1035)`,
      )
    }
    if (!LDH_LABEL.test(label)) {
      return fail(
        'name-label-invalid',
        `${quote(text)} has the label ${quote(label)}; a label starts and ends with a letter or digit (RFC 1123)`,
      )
    }
  }
  const full = wildcard ? `*.${name}` : name
  if (full.length > MAX_NAME_LENGTH) {
    return fail(
      'name-too-long',
      `${quote(text)} is ${full.length} characters as A-labels; the most is ${MAX_NAME_LENGTH} (RFC 1035)`,
    )
  }
  return { ok: true, target: { kind: 'name', name: full, wildcard } }
}

/** Whether canonical target text is a name (canonical prefixes always carry "/len"). */
export function isNameText(target: string): boolean {
  return !target.includes('/')
}

/** The name a wildcard stands under (`*.example.org` → `example.org`), or the name itself. */
export function nameBase(name: string): string {
  return name.startsWith('*.') ? name.slice(2) : name
}

/** Whether `name` is `suffix` or lies under it (`a.b.example` under `b.example`, not `xb.example`). */
export function isAtOrUnder(name: string, suffix: string): boolean {
  return name === suffix || name.endsWith(`.${suffix}`)
}

/**
 * Whether blocking `pattern` (a name or a wildcard) blocks the exact name `name`: the same name,
 * or a wildcard `*.x` and a name strictly under x (RPZ wildcard semantics).
 */
export function nameCovers(pattern: string, name: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === name
  const base = pattern.slice(2)
  return name !== base && isAtOrUnder(nameBase(name), base)
}

/**
 * Whether two patterns block some name in common: equal, or one wildcard covering the other (a
 * wildcard `*.x` and a name under x, or two wildcards one under the other).
 */
export function namesOverlap(a: string, b: string): boolean {
  return a === b || nameCovers(a, b) || nameCovers(b, a)
}

/**
 * The names and wildcards of `previous` that `current` no longer blocks (SPEC rule 3, surveillance):
 * one still covered by a wildcard listed now is not dropped.
 */
export function namesNoLongerListed(previous: readonly string[], current: readonly string[]): string[] {
  return previous.filter((name) => !current.some((pattern) => pattern === name || nameCovers(pattern, name)))
}
