import fc from 'fast-check'
import ipaddr from 'ipaddr.js'
import t from 'tap'
import { formatV6, parseCidr, parseV4CidrKey, parseV6Address, superPrefix } from '../src/ip-address.js'
import { holds } from './fixtures/prefix-arbitraries.js'

t.test('the hand-written IPv6 parser reads every spelling ipaddr.js writes', async (t) => {
  // Pure conversion of generated numbers; nothing is sent to these addresses.
  holds(
    t,
    'RFC 5952, expanded and zero-padded forms of any address read back as the same number',
    fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
      const parts: number[] = []
      for (let k = 7; k >= 0; k--) parts.push(Number((value >> BigInt(k * 16)) & 0xffffn))
      const address = new ipaddr.IPv6(parts)
      return (
        parseV6Address(address.toRFC5952String()) === value &&
        parseV6Address(address.toNormalizedString()) === value &&
        parseV6Address(parts.map((p) => p.toString(16).padStart(4, '0')).join(':')) === value &&
        formatV6(value) === address.toRFC5952String()
      )
    }),
  )
  t.equal(parseV6Address('::ffff:203.0.113.7'), 0xffffcb007107n, 'an embedded IPv4 tail is read')
})

t.test('addresses with runs of zero groups are written with the first longest run as "::"', async (t) => {
  // Groups drawn mostly from 0 so that runs of every length and ties between runs occur.
  const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }))
  holds(
    t,
    'formatV6 writes what ipaddr.js writes and parseV6Address reads it back',
    fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (parts) => {
      const value = parts.reduce((sum, part) => (sum << 16n) | BigInt(part), 0n)
      const text = new ipaddr.IPv6(parts).toRFC5952String()
      return formatV6(value) === text && parseV6Address(text) === value
    }),
  )
  t.equal(formatV6(0n), '::', 'the zero address')
  t.equal(formatV6(1n), '::1', 'loopback')
  t.equal(formatV6(0x20010db8000000000001000000000001n), '2001:db8::1:0:0:1', 'the first of two equal runs')
  t.equal(formatV6(0x20010db8000000000001000000000000n), '2001:db8:0:0:1::', 'the longer of two runs')
  t.equal(formatV6(0x20010db8000100000000000000000001n), '2001:db8:1::1', 'a run in the middle')
  t.equal(formatV6(0x20010db8000000010001000100010001n), '2001:db8:0:1:1:1:1:1', 'one zero group stays')
})

t.test('malformed IPv6 text is refused by the hand-written parser', async (t) => {
  for (const bad of [
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    ':1',
    '1:',
    '1:::2',
    '1::2::3',
    '12345::',
    'g::',
    '::ffff:01.2.3.4',
    '::1.2.3',
    '1::2:3:4:5:6:7:8',
    '2001:db8::1%eth0',
    '',
  ]) {
    t.throws(() => parseV6Address(bad), `${JSON.stringify(bad)} is refused`)
  }
})

t.test('the IPv4 CIDR reader accepts only canonical text', async (t) => {
  t.equal(parseV4CidrKey('203.0.113.0/24'), 0xcb007100 * 64 + 24, 'start and length packed')
  for (const bad of [
    '203.0.113.0',
    '203.0.113.1/24',
    '203.0.113.0/024',
    '203.0.113.00/32',
    '203.0.113/24',
    '256.0.0.0/8',
    '1.2.3.4/33',
    '1.2.3.4/',
    ' 1.2.3.4/32',
  ]) {
    t.equal(parseV4CidrKey(bad), -1, `${JSON.stringify(bad)} is refused`)
  }
  t.same(
    parseCidr('2001:db8::/32'),
    { family: 6, start: 0x20010db8n << 96n, end: 0x20010db9n << 96n, length: 32 },
    'IPv6 CIDR interval',
  )
  t.throws(() => parseCidr('2001:db8::1/32'), /host bits/, 'IPv6 host bits are refused')
})

t.test(
  'the super-prefix of a prefix is the block of that length holding it, in canonical text',
  async (t) => {
    t.equal(superPrefix('198.51.100.7/32', 24), '198.51.100.0/24', 'an IPv4 host in its /24')
    t.equal(
      superPrefix('198.51.100.130/31', 25),
      '198.51.100.128/25',
      'host bits below the length are cleared',
    )
    t.equal(superPrefix('198.51.0.0/16', 24), '198.51.0.0/16', 'a prefix as wide or wider is itself')
    t.equal(superPrefix('203.0.113.9/32', 0), '0.0.0.0/0', 'length 0 is the whole family')
    t.equal(superPrefix('2001:db8:0:0:1::5/128', 64), '2001:db8::/64', 'zero hextets are compressed')
    t.equal(superPrefix('2001:0:0:1::5/128', 64), '2001:0:0:1::/64', 'the longest zero run is compressed')
    t.equal(superPrefix('2001:db8:a:b::/64', 48), '2001:db8:a::/48', 'an IPv6 prefix in its /48')
    for (const [prefix, length] of [
      ['2001:db8:0:0:1::5/128', 64],
      ['2001:db8:a:b:c::/80', 33],
      ['203.0.113.77/32', 27],
    ] as const) {
      const wider = superPrefix(prefix, length)
      const block = parseCidr(wider)
      const inner = parseCidr(prefix)
      t.ok(
        block.length === length && block.start <= inner.start && inner.end <= block.end,
        `${wider} holds ${prefix}`,
      )
    }
  },
)
