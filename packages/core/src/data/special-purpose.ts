/**
 * Special-purpose address blocks, never enforceable by default.
 *
 * Sources: IANA IPv4 Special-Purpose Address Registry
 * (https://www.iana.org/assignments/iana-ipv4-special-registry/) and IANA IPv6 Special-Purpose
 * Address Registry (https://www.iana.org/assignments/iana-ipv6-special-registry/), plus the
 * multicast blocks (RFC 5771, RFC 4291), which live in their own registries. Blocks the registry
 * lists inside a wider listed block (192.0.0.0/29 inside 192.0.0.0/24, TEREDO inside 2001::/23)
 * are covered by the wider one; those with a name of their own (benchmarking) are kept so the
 * reason says what they are.
 *
 * `name` groups entries for `GuardConfig.allowSpecial`: relaxing "documentation" relaxes all four
 * documentation blocks, as demos and tests need.
 */
import type { SpecialRange } from '../guard-config.js'

const IANA_V4 = 'IANA IPv4 Special-Purpose Address Registry'
const IANA_V6 = 'IANA IPv6 Special-Purpose Address Registry'

/** A block: prefix, name, description, the RFC, and its registry when not the family's special-purpose one. */
type Row = readonly [prefix: string, name: string, description: string, rfc: string, registry?: string]

const rows: Row[] = [
  ['0.0.0.0/8', 'this-network', '"This network"', 'RFC 791'],
  ['10.0.0.0/8', 'private', 'Private-Use', 'RFC 1918'],
  ['100.64.0.0/10', 'cgnat', 'Shared Address Space (CGNAT)', 'RFC 6598'],
  ['127.0.0.0/8', 'loopback', 'Loopback', 'RFC 1122'],
  ['169.254.0.0/16', 'link-local', 'Link Local', 'RFC 3927'],
  ['172.16.0.0/12', 'private', 'Private-Use', 'RFC 1918'],
  ['192.0.0.0/24', 'protocol-assignments', 'IETF Protocol Assignments', 'RFC 6890'],
  ['192.0.2.0/24', 'documentation', 'Documentation (TEST-NET-1)', 'RFC 5737'],
  ['192.31.196.0/24', 'as112', 'AS112-v4', 'RFC 7535'],
  ['192.52.193.0/24', 'amt', 'AMT', 'RFC 7450'],
  ['192.88.99.0/24', 'deprecated-6to4-relay', 'Deprecated (6to4 Relay Anycast)', 'RFC 7526'],
  ['192.168.0.0/16', 'private', 'Private-Use', 'RFC 1918'],
  ['192.175.48.0/24', 'as112', 'Direct Delegation AS112 Service', 'RFC 7534'],
  ['198.18.0.0/15', 'benchmarking', 'Benchmarking', 'RFC 2544'],
  ['198.51.100.0/24', 'documentation', 'Documentation (TEST-NET-2)', 'RFC 5737'],
  ['203.0.113.0/24', 'documentation', 'Documentation (TEST-NET-3)', 'RFC 5737'],
  ['224.0.0.0/4', 'multicast', 'Multicast', 'RFC 5771', 'IANA IPv4 Multicast Address Space Registry'],
  ['240.0.0.0/4', 'reserved', 'Reserved', 'RFC 1112'],
  ['255.255.255.255/32', 'broadcast', 'Limited Broadcast', 'RFC 919'],
  ['::/128', 'unspecified', 'Unspecified Address', 'RFC 4291'],
  ['::1/128', 'loopback', 'Loopback Address', 'RFC 4291'],
  ['::ffff:0:0/96', 'ipv4-mapped', 'IPv4-mapped Address', 'RFC 4291'],
  ['64:ff9b::/96', 'nat64', 'IPv4-IPv6 Translation', 'RFC 6052'],
  ['64:ff9b:1::/48', 'nat64', 'IPv4-IPv6 Translation (local use)', 'RFC 8215'],
  ['100::/64', 'discard', 'Discard-Only Address Block', 'RFC 6666'],
  ['100:0:0:1::/64', 'dummy', 'Dummy IPv6 Prefix', 'RFC 9780'],
  [
    '2001::/23',
    'protocol-assignments',
    'IETF Protocol Assignments (TEREDO, ORCHID, AMT, AS112-v6, …)',
    'RFC 2928',
  ],
  ['2001:2::/48', 'benchmarking', 'Benchmarking', 'RFC 5180'],
  ['2001:db8::/32', 'documentation', 'Documentation', 'RFC 3849'],
  ['2002::/16', '6to4', '6to4', 'RFC 3056'],
  ['2620:4f:8000::/48', 'as112', 'Direct Delegation AS112 Service', 'RFC 7534'],
  ['3fff::/20', 'documentation', 'Documentation', 'RFC 9637'],
  ['5f00::/16', 'srv6', 'Segment Routing (SRv6) SIDs', 'RFC 9602'],
  ['fc00::/7', 'private', 'Unique-Local', 'RFC 4193'],
  ['fe80::/10', 'link-local', 'Link-Local Unicast', 'RFC 4291'],
  ['ff00::/8', 'multicast', 'Multicast', 'RFC 4291', 'IANA IPv6 Multicast Address Space Registry'],
]

export const specialPurposeRanges: SpecialRange[] = rows.map(
  ([prefix, name, description, rfc, registry]) => ({
    prefix,
    name,
    description,
    source: `${registry ?? (prefix.includes(':') ? IANA_V6 : IANA_V4)}, ${rfc}`,
  }),
)
