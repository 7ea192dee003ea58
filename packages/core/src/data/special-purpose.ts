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

export const specialPurposeRanges: SpecialRange[] = [
  { prefix: '0.0.0.0/8', name: 'this-network', description: '"This network"', source: `${IANA_V4}, RFC 791` },
  { prefix: '10.0.0.0/8', name: 'private', description: 'Private-Use', source: `${IANA_V4}, RFC 1918` },
  {
    prefix: '100.64.0.0/10',
    name: 'cgnat',
    description: 'Shared Address Space (CGNAT)',
    source: `${IANA_V4}, RFC 6598`,
  },
  { prefix: '127.0.0.0/8', name: 'loopback', description: 'Loopback', source: `${IANA_V4}, RFC 1122` },
  { prefix: '169.254.0.0/16', name: 'link-local', description: 'Link Local', source: `${IANA_V4}, RFC 3927` },
  { prefix: '172.16.0.0/12', name: 'private', description: 'Private-Use', source: `${IANA_V4}, RFC 1918` },
  {
    prefix: '192.0.0.0/24',
    name: 'protocol-assignments',
    description: 'IETF Protocol Assignments',
    source: `${IANA_V4}, RFC 6890`,
  },
  {
    prefix: '192.0.2.0/24',
    name: 'documentation',
    description: 'Documentation (TEST-NET-1)',
    source: `${IANA_V4}, RFC 5737`,
  },
  { prefix: '192.31.196.0/24', name: 'as112', description: 'AS112-v4', source: `${IANA_V4}, RFC 7535` },
  { prefix: '192.52.193.0/24', name: 'amt', description: 'AMT', source: `${IANA_V4}, RFC 7450` },
  {
    prefix: '192.88.99.0/24',
    name: 'deprecated-6to4-relay',
    description: 'Deprecated (6to4 Relay Anycast)',
    source: `${IANA_V4}, RFC 7526`,
  },
  { prefix: '192.168.0.0/16', name: 'private', description: 'Private-Use', source: `${IANA_V4}, RFC 1918` },
  {
    prefix: '192.175.48.0/24',
    name: 'as112',
    description: 'Direct Delegation AS112 Service',
    source: `${IANA_V4}, RFC 7534`,
  },
  {
    prefix: '198.18.0.0/15',
    name: 'benchmarking',
    description: 'Benchmarking',
    source: `${IANA_V4}, RFC 2544`,
  },
  {
    prefix: '198.51.100.0/24',
    name: 'documentation',
    description: 'Documentation (TEST-NET-2)',
    source: `${IANA_V4}, RFC 5737`,
  },
  {
    prefix: '203.0.113.0/24',
    name: 'documentation',
    description: 'Documentation (TEST-NET-3)',
    source: `${IANA_V4}, RFC 5737`,
  },
  {
    prefix: '224.0.0.0/4',
    name: 'multicast',
    description: 'Multicast',
    source: 'IANA IPv4 Multicast Address Space Registry, RFC 5771',
  },
  { prefix: '240.0.0.0/4', name: 'reserved', description: 'Reserved', source: `${IANA_V4}, RFC 1112` },
  {
    prefix: '255.255.255.255/32',
    name: 'broadcast',
    description: 'Limited Broadcast',
    source: `${IANA_V4}, RFC 919`,
  },

  {
    prefix: '::/128',
    name: 'unspecified',
    description: 'Unspecified Address',
    source: `${IANA_V6}, RFC 4291`,
  },
  { prefix: '::1/128', name: 'loopback', description: 'Loopback Address', source: `${IANA_V6}, RFC 4291` },
  {
    prefix: '::ffff:0:0/96',
    name: 'ipv4-mapped',
    description: 'IPv4-mapped Address',
    source: `${IANA_V6}, RFC 4291`,
  },
  {
    prefix: '64:ff9b::/96',
    name: 'nat64',
    description: 'IPv4-IPv6 Translation',
    source: `${IANA_V6}, RFC 6052`,
  },
  {
    prefix: '64:ff9b:1::/48',
    name: 'nat64',
    description: 'IPv4-IPv6 Translation (local use)',
    source: `${IANA_V6}, RFC 8215`,
  },
  {
    prefix: '100::/64',
    name: 'discard',
    description: 'Discard-Only Address Block',
    source: `${IANA_V6}, RFC 6666`,
  },
  {
    prefix: '100:0:0:1::/64',
    name: 'dummy',
    description: 'Dummy IPv6 Prefix',
    source: `${IANA_V6}, RFC 9780`,
  },
  {
    prefix: '2001::/23',
    name: 'protocol-assignments',
    description: 'IETF Protocol Assignments (TEREDO, ORCHID, AMT, AS112-v6, …)',
    source: `${IANA_V6}, RFC 2928`,
  },
  {
    prefix: '2001:2::/48',
    name: 'benchmarking',
    description: 'Benchmarking',
    source: `${IANA_V6}, RFC 5180`,
  },
  {
    prefix: '2001:db8::/32',
    name: 'documentation',
    description: 'Documentation',
    source: `${IANA_V6}, RFC 3849`,
  },
  { prefix: '2002::/16', name: '6to4', description: '6to4', source: `${IANA_V6}, RFC 3056` },
  {
    prefix: '2620:4f:8000::/48',
    name: 'as112',
    description: 'Direct Delegation AS112 Service',
    source: `${IANA_V6}, RFC 7534`,
  },
  {
    prefix: '3fff::/20',
    name: 'documentation',
    description: 'Documentation',
    source: `${IANA_V6}, RFC 9637`,
  },
  {
    prefix: '5f00::/16',
    name: 'srv6',
    description: 'Segment Routing (SRv6) SIDs',
    source: `${IANA_V6}, RFC 9602`,
  },
  { prefix: 'fc00::/7', name: 'private', description: 'Unique-Local', source: `${IANA_V6}, RFC 4193` },
  {
    prefix: 'fe80::/10',
    name: 'link-local',
    description: 'Link-Local Unicast',
    source: `${IANA_V6}, RFC 4291`,
  },
  {
    prefix: 'ff00::/8',
    name: 'multicast',
    description: 'Multicast',
    source: 'IANA IPv6 Multicast Address Space Registry, RFC 4291',
  },
]
