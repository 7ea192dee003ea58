import t from 'tap'
import { applySafetyNet, defaultSafetyNetLimits, type EnforcementGroup } from '../src/index.js'

const group = (
  id: string,
  from: number,
  until: number,
  prefixes: string[],
  names?: string[],
): EnforcementGroup => ({
  id,
  event: id,
  from,
  until,
  prefixes,
  ...(names ? { names } : {}),
})
const H = 3600_000
const limits = { ...defaultSafetyNetLimits, neverBlock: ['198.51.100.0/24', '192.0.2.53/32'] }

t.test('nothing refused: the very same groups come back', async (t) => {
  const groups = [group('a', 0, H, ['203.0.113.7/32'])]
  const result = applySafetyNet(groups, limits)
  t.equal(result.groups, groups)
  t.same(result.refused, [])
})

t.test(
  'a prefix broader than the limit, or overlapping a never-block range either way, is refused',
  async (t) => {
    const result = applySafetyNet(
      [
        group('a', 0, H, [
          '0.0.0.0/0',
          '203.0.0.0/15',
          '192.0.2.0/24',
          '198.51.100.9/32',
          '203.0.113.7/32',
          '::/0',
        ]),
      ],
      limits,
    )
    t.same(result.groups[0]?.prefixes, ['203.0.113.7/32'], 'only the harmless prefix is kept')
    t.same(
      result.refused.map((r) => [r.reason, r.prefix]),
      [
        ['broader-than-limit', '0.0.0.0/0'],
        ['broader-than-limit', '203.0.0.0/15'],
        ['never-block', '192.0.2.0/24'],
        ['never-block', '198.51.100.9/32'],
        ['broader-than-limit', '::/0'],
      ],
    )
  },
)

t.test('a group longer than the limit is refused whole, names too', async (t) => {
  const result = applySafetyNet(
    [group('long', 0, 30 * 24 * H, ['203.0.113.7/32'], ['pirate.example'])],
    limits,
  )
  t.same(result.groups[0], group('long', 0, 30 * 24 * H, []), 'kept as an empty group so later patches apply')
  t.same(result.refused, [{ reason: 'longer-than-limit', group: 'long', count: 2 }])
})

t.test('the capacity budget bounds what is held at any one instant, not over all time', async (t) => {
  const capped = { ...limits, capacity: 2 }
  const result = applySafetyNet(
    [
      group('now', 0, H, ['203.0.113.1/32', '203.0.113.2/32']),
      group('overlap', H / 2, 2 * H, ['203.0.113.3/32']),
      group('later', H, 2 * H, ['203.0.113.4/32']),
      group('tomorrow', 24 * H, 25 * H, ['203.0.113.5/32', '203.0.113.6/32']),
    ],
    capped,
  )
  t.same(
    result.groups.map((g) => [g.id, g.prefixes.length]),
    [
      ['now', 2],
      ['overlap', 0],
      ['later', 1],
      ['tomorrow', 2],
    ],
    'a group overlapping a full one gets nothing; a later, disjoint one gets its whole share',
  )
  t.same(result.refused, [{ reason: 'over-capacity', group: 'overlap', prefix: '203.0.113.3/32', count: 1 }])
})

t.test('a prefix list that once passed is checked again for capacity only', async (t) => {
  const cleared = new WeakSet<readonly string[]>()
  const prefixes = ['203.0.113.7/32', '2001:db8::1/128']
  const first = applySafetyNet([group('a', 0, H, prefixes)], { ...limits, capacity: 10 }, cleared)
  t.same(first.refused, [], 'nothing refused the first time')
  t.ok(cleared.has(prefixes), 'the list is remembered as cleared')
  const again = applySafetyNet([group('a', 0, H, prefixes)], { ...limits, capacity: 10 }, cleared)
  t.same(again.refused, [], 'nothing refused the second time')
  const tight = applySafetyNet([group('a', 0, H, prefixes)], { ...limits, capacity: 1 }, cleared)
  t.same(
    tight.refused.map((refusal) => [refusal.reason, refusal.count]),
    [['over-capacity', 1]],
    'a cleared list over the capacity is still cut to it',
  )
  const refused = ['198.51.100.9/32', '203.0.113.8/32']
  applySafetyNet([group('b', 0, H, refused)], limits, cleared)
  t.notOk(cleared.has(refused), 'a list with a refused prefix is not remembered')
  t.same(
    applySafetyNet([group('b', 0, H, refused)], limits, cleared).refused.map((r) => r.prefix),
    ['198.51.100.9/32'],
    'and its prefix is refused again',
  )
})

t.test('an IPv6 prefix overlapping an IPv6 never-block range is refused beside IPv4 ones', async (t) => {
  const result = applySafetyNet(
    [group('a', 0, H, ['192.0.2.53/32', '2001:db8:53::/48', '2001:db8:54::1/128'])],
    {
      ...limits,
      neverBlock: ['192.0.2.53/32', '2001:db8:53::/64'],
    },
  )
  t.same(
    result.refused.map((refusal) => refusal.prefix),
    ['192.0.2.53/32', '2001:db8:53::/48'],
    'each family is checked against its own ranges',
  )
})
