import t from 'tap'
import { checkCircuitBreaker, createGuard, defaultGuardConfig, type GuardConfig } from '../src/guard.js'
import { PrefixSet } from '../src/prefix-set.js'
import { parseTarget, type Target } from '../src/target.js'

function target(text: string): Target {
  const result = parseTarget(text)
  if (!result.ok) throw new Error(`test target ${text} does not parse: ${result.message}`)
  return result.target
}

/** The defaults with documentation ranges relaxed, as tests and the demo run them. */
const relaxed: GuardConfig = { ...defaultGuardConfig, allowSpecial: ['documentation'] }
const withOrder = { hasCurrentOrder: true }

t.test('188.114.97.7 is held with the default config, naming Cloudflare and 188.114.96.0/20', async (t) => {
  const verdict = createGuard(defaultGuardConfig).check(target('188.114.97.7'), withOrder)
  t.equal(verdict.verdict, 'held', 'held for review, never accepted')
  t.match(
    verdict.reasons,
    [{ code: 'protected-range', range: '188.114.96.0/20', name: 'Cloudflare', source: /cloudflare\.com/ }],
    'the reason names the protected range and its owner',
  )
  t.match(
    verdict.reasons[0]?.message,
    /188\.114\.97\.7.*188\.114\.96\.0\/20.*Cloudflare/,
    'and says so in words',
  )
})

t.test('public resolvers and Cloudflare IPv6 ranges are protected by default', async (t) => {
  const guard = createGuard(defaultGuardConfig)
  for (const [text, name] of [
    ['8.8.8.8', 'Google Public DNS'],
    ['9.9.9.9', 'Quad9'],
    ['2606:4700:4700::1111', 'Cloudflare'],
    ['2a06:98c0:1::/48', 'Cloudflare'],
  ] as const) {
    const verdict = guard.check(target(text), withOrder)
    t.equal(verdict.verdict, 'held', `${text} is held`)
    t.ok(
      verdict.reasons.some((r) => r.code === 'protected-range' && r.name?.startsWith(name)),
      `${text} is held because of ${name}`,
    )
  }
})

t.test('special-purpose ranges are rejected with the name of the block', async (t) => {
  const guard = createGuard(defaultGuardConfig)
  for (const [text, name] of [
    ['10.1.2.3', 'private'],
    ['192.168.1.0/24', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['169.254.1.1', 'link-local'],
    ['224.0.0.251', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['0.1.2.3', 'this-network'],
    ['203.0.113.7', 'documentation'],
    ['::1', 'loopback'],
    ['fd00::1', 'private'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['64:ff9b::1', 'nat64'],
    ['2002:cb00:7107::1', '6to4'],
  ] as const) {
    const verdict = guard.check(target(text), withOrder)
    t.equal(verdict.verdict, 'rejected', `${text} is rejected`)
    t.ok(
      verdict.reasons.some((r) => r.code === 'special-purpose' && r.name === name),
      `${text} is rejected as ${name}`,
    )
  }
})

t.test('a prefix that merely contains a special-purpose block is rejected too', async (t) => {
  const verdict = createGuard(relaxed).check(target('192.168.0.0/15'), withOrder)
  t.equal(verdict.verdict, 'rejected', 'a /15 around 192.168.0.0/16 is rejected')
  t.ok(
    verdict.reasons.some((r) => r.code === 'special-purpose' && r.range === '192.168.0.0/16'),
    'naming the /16',
  )
})

t.test('a deployment can relax special-purpose names, and only those', async (t) => {
  const guard = createGuard(relaxed)
  t.same(
    guard.check(target('203.0.113.7'), withOrder),
    { verdict: 'accepted', reasons: [] },
    'documentation accepted',
  )
  t.same(guard.check(target('2001:db8::7'), withOrder).verdict, 'accepted', 'IPv6 documentation accepted')
  t.equal(guard.check(target('10.0.0.1'), withOrder).verdict, 'rejected', 'private still rejected')
})

t.test('prefixes broader than the hard limit are rejected, broader than the soft limit held', async (t) => {
  const guard = createGuard(relaxed)
  const hardV4 = guard.check(target('198.0.0.0/15'), withOrder)
  t.equal(hardV4.verdict, 'rejected', 'a /15 is rejected')
  t.ok(
    hardV4.reasons.some((r) => r.code === 'broader-than-hard-limit'),
    'as broader than the hard limit',
  )
  const onlySoft = createGuard({ ...relaxed, specialPurpose: [] })
  t.match(
    onlySoft.check(target('203.0.112.0/23'), withOrder),
    { verdict: 'held', reasons: [{ code: 'broader-than-soft-limit' }] },
    'without special ranges in the way, a /23 is held as broader than /24',
  )
  t.match(
    guard.check(target('2001:db8::/44'), withOrder),
    { verdict: 'held', reasons: [{ code: 'broader-than-soft-limit' }] },
    'an IPv6 /44 is held as broader than /48',
  )
  t.match(
    createGuard({ ...relaxed, specialPurpose: [] }).check(target('2001:db8::/31'), withOrder),
    { verdict: 'rejected', reasons: [{ code: 'broader-than-hard-limit' }] },
    'an IPv6 /31 is rejected as broader than /32',
  )
  t.equal(guard.check(target('2001:db8::/48'), withOrder).verdict, 'accepted', 'a /48 is fine')
  t.equal(guard.check(target('203.0.113.0/24'), withOrder).verdict, 'accepted', 'a /24 is fine')
})

t.test('limits are configuration', async (t) => {
  const strict = createGuard({ ...relaxed, softLimit: { v4: 30, v6: 64 }, hardLimit: { v4: 24, v6: 48 } })
  t.equal(
    strict.check(target('203.0.113.0/29'), withOrder).verdict,
    'held',
    'a /29 is held under a /30 soft limit',
  )
  t.equal(
    strict.check(target('2001:db8::/47'), withOrder).verdict,
    'rejected',
    'a /47 is rejected under a /48 hard limit',
  )
})

t.test('an entry from a rightsholder without a current order is held', async (t) => {
  t.match(
    createGuard(relaxed).check(target('203.0.113.7'), { hasCurrentOrder: false }),
    { verdict: 'held', reasons: [{ code: 'no-current-order' }] },
    'held with no-current-order',
  )
})

t.test('operators add protected ranges, and an entry overlapping one names its source', async (t) => {
  const guard = createGuard({
    ...relaxed,
    protectedRanges: [{ prefix: '198.51.100.0/24', name: 'Example ISP', source: 'operator ops@example.net' }],
  })
  t.match(
    guard.check(target('198.51.100.9'), withOrder),
    {
      verdict: 'held',
      reasons: [
        {
          code: 'protected-range',
          name: 'Example ISP',
          source: 'operator ops@example.net',
          range: '198.51.100.0/24',
        },
      ],
    },
    'the operator-added range holds the entry',
  )
  t.equal(
    guard.check(target('203.0.113.9'), withOrder).verdict,
    'accepted',
    'outside it, the entry is accepted',
  )
})

t.test('a wide prefix over many protected ranges lists the first and counts the rest', async (t) => {
  const protectedRanges = Array.from({ length: 30 }, (_, i) => ({
    prefix: `203.0.113.${i}/32`,
    name: `host ${i}`,
    source: 'test',
  }))
  const verdict = createGuard({ ...relaxed, protectedRanges }).check(target('203.0.113.0/24'), withOrder)
  const protectedReasons = verdict.reasons.filter((r) => r.code === 'protected-range')
  t.equal(protectedReasons.length, 11, 'ten named ranges and one summary')
  t.match(protectedReasons[10]?.message, /20 more protected ranges/, 'the summary counts the rest')
})

t.test('the circuit breaker trips on sudden growth and on totals, not on normal growth', async (t) => {
  // Documentation ranges only, with floors and totals scaled down to their size.
  const hosts = (n: number) => PrefixSet.from(Array.from({ length: n }, (_, i) => `198.51.100.${i}/32`))
  const config: GuardConfig = {
    ...defaultGuardConfig,
    breaker: { ...defaultGuardConfig.breaker, minBaselineV4Addresses: 16n, maxTotalV4Addresses: 200n },
  }
  t.same(
    checkCircuitBreaker(PrefixSet.empty(), hosts(64), config),
    { tripped: false },
    'from nothing up to 4 × the floor is normal',
  )
  const fromNothing = checkCircuitBreaker(PrefixSet.empty(), hosts(65), config)
  t.equal(fromNothing.tripped, true, 'from nothing past 4 × the floor trips')
  t.same(
    checkCircuitBreaker(hosts(40), hosts(160), config),
    { tripped: false },
    'exactly 4× growth is allowed',
  )
  const tripped = checkCircuitBreaker(hosts(40), hosts(161), config)
  t.equal(tripped.tripped, true, 'more than 4× growth trips')
  t.match(
    tripped.reason,
    { code: 'circuit-breaker', message: /from 40 to 161 IPv4 addresses/ },
    'with a reason that says how much',
  )
  const total = checkCircuitBreaker(
    PrefixSet.from(['203.0.113.0/24']),
    PrefixSet.from(['203.0.113.0/24', '198.51.100.0/28']),
    config,
  )
  t.match(
    total,
    { tripped: true, reason: { message: /272 IPv4 addresses, above the configured total of 200/ } },
    'passing the configured total trips even with modest growth',
  )
  t.same(checkCircuitBreaker(hosts(160), hosts(10), config), { tripped: false }, 'shrinking never trips')
  const v6 = (n: number) =>
    PrefixSet.from(Array.from({ length: n }, (_, i) => `2001:db8:${i.toString(16)}::/48`))
  const tightV6 = { ...config, breaker: { ...config.breaker, minBaselineV6Prefixes48: 10n } }
  t.equal(checkCircuitBreaker(v6(10), v6(40), tightV6).tripped, false, '4× growth in /48s is allowed')
  t.match(
    checkCircuitBreaker(v6(10), v6(41), tightV6),
    { tripped: true, reason: { message: /IPv6 \/48s/ } },
    'more than 4× growth in /48s trips',
  )
  t.same(
    checkCircuitBreaker(PrefixSet.empty(), PrefixSet.from(['2001:db8::/120', '2001:db8::1:0/120']), tightV6),
    { tripped: false },
    'IPv6 hosts inside one /48 count as one /48, not as addresses',
  )
  t.same(
    checkCircuitBreaker(PrefixSet.empty(), hosts(100), defaultGuardConfig),
    { tripped: false },
    'the default floor lets a normal list start from nothing',
  )
})
