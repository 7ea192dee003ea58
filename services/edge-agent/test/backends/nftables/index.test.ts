import type { EnforcementGroup } from '@offside/core'
import { createNetns, kernelLabAvailable } from '@offside/testkit'
import t from 'tap'
import {
  createNftablesBackend,
  listSets,
  setBase,
  setKeyOf,
  setName,
} from '../../../src/backends/nftables/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
const sorted = (sets: Map<string, string[]>) =>
  new Map([...sets].sort().map(([name, elements]) => [name, [...elements].sort()]))

if (await kernelLabAvailable(t, ['nft'])) {
  t.test(
    'an agent restarted mid-window reconciles to exactly its groups: no duplicates, nothing missing, stale groups gone',
    async (t) => {
      const ns = await createNetns(t, 'nft')
      const now = Date.now()
      const live: EnforcementGroup = {
        id: 'w:m1',
        event: 'm1',
        from: now - 60_000,
        until: now + 600_000,
        prefixes: ['198.51.100.7/32', '203.0.113.0/25', '2001:db8::7/128', '2001:db8:1::/48'],
      }
      const cancelled: EnforcementGroup = {
        id: 'w:m2',
        event: 'm2',
        from: now + 60_000,
        until: now + 600_000,
        prefixes: ['192.0.2.9/32'],
      }
      const first = createNftablesBackend({ netns: ns.name })
      await first.reconcile([live, cancelled], now)
      const before = sorted(await listSets({ netns: ns.name }, 'offside'))
      t.same(
        before.get(setName(setBase(live.id), '4_25')),
        ['203.0.113.0/25'],
        'the prefix is in the group’s set for its length',
      )

      // The process dies; a new one starts from its saved state, in which m2 was cancelled meanwhile.
      const restarted = createNftablesBackend({ netns: ns.name })
      const report = await restarted.reconcile([live], Date.now())
      t.same(report, { enforced: 4, staged: 0, notFitting: [] }, 'the report counts the live group only')
      const after = sorted(await listSets({ netns: ns.name }, 'offside'))
      for (const prefix of live.prefixes) {
        const name = setName(setBase(live.id), setKeyOf(prefix))
        t.same(after.get(name), [prefix], `${prefix}: in its set after the restart, once, nothing else`)
      }
      t.notOk(
        [...after.keys()].some((name) => name.startsWith(setBase(cancelled.id))),
        'the cancelled group’s sets are gone',
      )
    },
  )

  t.test('a copy fills the new group’s own sets with its source’s prefixes', async (t) => {
    const ns = await createNetns(t, 'nft')
    const now = Date.now()
    const source: EnforcementGroup = {
      id: 'w:m5',
      event: 'm5',
      from: now - 1_000,
      until: now + 600_000,
      prefixes: ['198.51.100.7/32', '203.0.113.0/25', '2001:db8:1::/48'],
    }
    const backend = createNftablesBackend({ netns: ns.name })
    await backend.reconcile([source], now)
    const copied: EnforcementGroup = { ...source, id: 'w:m6', event: 'm6', from: now + 60_000 }
    const report = await backend.apply(
      [{ op: 'copy', id: 'w:m6', event: 'm6', from: copied.from, until: copied.until, source: 'w:m5' }],
      [source, copied],
      Date.now(),
    )
    t.same(report, { enforced: 3, staged: 0, notFitting: [] }, 'the same prefixes, enforced by the source')
    const sets = await listSets({ netns: ns.name }, 'offside')
    for (const prefix of source.prefixes) {
      const key = setKeyOf(prefix)
      t.same(sets.get(setName(setBase('w:m6'), key)), [prefix], `${prefix}: in the copy’s set`)
      t.same(sets.get(setName(setBase('w:m5'), key)), [prefix], `${prefix}: still in the source’s`)
    }
  })

  t.test('removing prefixes that are not in a set does not abort the rest of the change', async (t) => {
    const ns = await createNetns(t, 'nft')
    const now = Date.now()
    const group: EnforcementGroup = {
      id: 'w:m3',
      event: 'm3',
      from: now - 1_000,
      until: now + 600_000,
      prefixes: ['198.51.100.7/32'],
    }
    const backend = createNftablesBackend({ netns: ns.name })
    await backend.reconcile([group], now)
    const next = { ...group, prefixes: ['198.51.100.7/32', '203.0.113.9/32'] }
    await backend.apply(
      [
        {
          op: 'patch',
          id: group.id,
          from: group.from,
          until: group.until,
          add: ['203.0.113.9/32'],
          remove: ['192.0.2.1/32', '2001:db8::1/128'],
        },
      ],
      [next],
      Date.now(),
    )
    const sets = await listSets({ netns: ns.name }, 'offside')
    t.same(
      sets.get(setName(setBase(group.id), '4_32'))?.sort(),
      ['198.51.100.7/32', '203.0.113.9/32'],
      'the addition landed',
    )
  })

  t.test('the backend touches nothing outside its own table', async (t) => {
    const ns = await createNetns(t, 'nft')
    await ns.exec(
      'nft',
      ['-f', '-'],
      'add table inet operator\nadd set inet operator keep { type ipv4_addr; }\nadd element inet operator keep { 192.0.2.50 }\nadd chain inet operator input { type filter hook input priority 0; policy accept; }\n',
    )
    const before = (await ns.exec('nft', ['list', 'table', 'inet', 'operator'])).stdout
    const now = Date.now()
    const backend = createNftablesBackend({ netns: ns.name })
    await backend.reconcile(
      [{ id: 'w:m4', event: 'm4', from: now, until: now + 600_000, prefixes: ['192.0.2.50/32'] }],
      now,
    )
    await backend.apply([{ op: 'drop', id: 'w:m4' }], [], Date.now())
    await backend.tick(Date.now())
    t.equal(
      (await ns.exec('nft', ['list', 'table', 'inet', 'operator'])).stdout,
      before,
      'the operator’s own table is unchanged',
    )
  })

  t.test(
    'elements time out at until by themselves, and tick then removes the ended group’s sets',
    async (t) => {
      const ns = await createNetns(t, 'nft')
      const now = Date.now()
      const group: EnforcementGroup = {
        id: 'w:m5',
        event: 'm5',
        from: now - 1_000,
        until: now + 1_500,
        prefixes: ['203.0.113.7/32', '2001:db8:5::/48'],
      }
      const backend = createNftablesBackend({ netns: ns.name })
      await backend.reconcile([group], now)
      await sleep(group.until + 300 - Date.now())
      const sets = await listSets({ netns: ns.name }, 'offside')
      t.same([...sets.values()].flat(), [], 'no element is left after until, without any call to the backend')
      await backend.tick(Date.now())
      t.same(
        [...(await listSets({ netns: ns.name }, 'offside')).keys()],
        [],
        'the ended group’s sets are removed',
      )
    },
  )
}
