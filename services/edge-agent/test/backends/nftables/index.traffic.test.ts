import type { EnforcementGroup } from '@offside/core'
import {
  connectNetns,
  createNetns,
  kernelLabAvailable,
  startTcpListener,
  startTcpProber,
  type TcpProbe,
  type TcpProber,
} from '@offside/testkit'
import t, { type Test } from 'tap'
import { createNftablesBackend } from '../../../src/backends/nftables/index.js'

// Real traffic: a subscriber namespace (where nft runs), a "pirate" and a "lawful" server namespace.
// The pirate answers on a host-blocked address and on one blocked through a prefix, in both families.
const PORT = 8443
const PIRATE = ['203.0.113.7', '203.0.113.70', '2001:db8:7::7', '2001:db8:7:1::7']
const LAWFUL = ['198.51.100.9', '2001:db8:9::9']
const BLOCKED_PREFIXES = ['203.0.113.7/32', '203.0.113.64/26', '2001:db8:7::7/128', '2001:db8:7:1::/64']

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

if (await kernelLabAvailable(t, ['nft'])) {
  async function topology(t: Test) {
    const subscriber = await createNetns(t, 'sub')
    const pirate = await createNetns(t, 'pirate')
    const lawful = await createNetns(t, 'lawful')
    await connectNetns(subscriber, pirate, {
      a: ['203.0.113.1/24', '2001:db8:7::1/48'],
      b: ['203.0.113.7/24', '203.0.113.70/24', '2001:db8:7::7/48', '2001:db8:7:1::7/48'],
    })
    await connectNetns(subscriber, lawful, {
      a: ['198.51.100.1/24', '2001:db8:9::1/64'],
      b: ['198.51.100.9/24', '2001:db8:9::9/64'],
    })
    await startTcpListener(pirate, '::', PORT)
    await startTcpListener(lawful, '::', PORT)
    // One prober per subscriber namespace: its attempts start when asked, not after a process spawn.
    probers.set(subscriber.name, await startTcpProber(subscriber))
    return { subscriber }
  }

  const probers = new Map<string, TcpProber>()
  async function probe(ns: { name: string }, addresses: string[]) {
    const prober = probers.get(ns.name)
    if (!prober) throw new Error(`no prober in ${ns.name}`)
    const results = await Promise.all(addresses.map((address) => prober.probe(address, PORT)))
    return Object.fromEntries(addresses.map((address, i) => [address, results[i] as TcpProbe]))
  }

  async function reachable(ns: { name: string }, addresses: string[]) {
    const results = await probe(ns, addresses)
    return Object.fromEntries(
      addresses.map((address) => [address, results[address]?.outcome === 'connected']),
    )
  }

  const all = (addresses: string[], value: boolean) => Object.fromEntries(addresses.map((a) => [a, value]))

  t.test(
    'a staged group blocks the pirate server only while its window is live, by the kernel clock alone',
    async (t) => {
      const { subscriber } = await topology(t)
      const backend = createNftablesBackend({ netns: subscriber.name, verdict: 'reject' })
      const start = Date.now()
      const group: EnforcementGroup = {
        id: 'w:m1',
        event: 'm1',
        from: start + 3_000,
        until: start + 10_000,
        prefixes: BLOCKED_PREFIXES,
      }
      const staged = await backend.reconcile([group], Date.now())
      t.same(staged, { enforced: 0, staged: 4, notFitting: [] }, 'the report counts the group as staged')

      t.same(
        await reachable(subscriber, [...PIRATE, ...LAWFUL]),
        all([...PIRATE, ...LAWFUL], true),
        'before the window both servers answer',
      )

      // No call to the backend from here on: the switch on and off is the kernel's.
      await sleep(group.from + 1_200 - Date.now())
      t.same(
        await reachable(subscriber, PIRATE),
        all(PIRATE, false),
        'during the window the pirate server is unreachable on v4 and v6',
      )
      t.same(
        await reachable(subscriber, LAWFUL),
        all(LAWFUL, true),
        'during the window the lawful server still answers',
      )

      // The window's last seconds: a block that ended early would show here (the rules compare the
      // kernel's clock in whole seconds, so the block is owed until the last second before until).
      const offAt = Math.floor(group.until / 1000) * 1000
      await sleep(offAt - 1_200 - Date.now())
      const late = await probe(subscriber, PIRATE)
      for (const address of PIRATE) {
        const before = offAt - (late[address]?.startedAt ?? offAt)
        t.ok(
          late[address]?.outcome !== 'connected' && before > 50 && before < 5_000,
          `in the window's last seconds ${address} is still blocked (${late[address]?.outcome}, ${before} ms before the block is due off)`,
        )
      }

      await sleep(group.until + 1_200 - Date.now())
      t.same(
        await reachable(subscriber, [...PIRATE, ...LAWFUL]),
        all([...PIRATE, ...LAWFUL], true),
        'after the window both servers answer again',
      )
    },
  )

  t.test(
    'a hot addition blocks at once during a live window and an upheld complaint re-enables at once',
    async (t) => {
      const { subscriber } = await topology(t)
      const backend = createNftablesBackend({ netns: subscriber.name, verdict: 'reject' })
      const now = Date.now()
      const group: EnforcementGroup = {
        id: 'w:m2',
        event: 'm2',
        from: now - 60_000,
        until: now + 120_000,
        prefixes: ['203.0.113.7/32'],
      }
      await backend.reconcile([group], now)
      t.same(
        await reachable(subscriber, LAWFUL),
        all(LAWFUL, true),
        'the lawful server answers before the addition',
      )

      const added = { ...group, prefixes: [...group.prefixes, '198.51.100.9/32', '2001:db8:9::/48'] }
      await backend.apply(
        [
          {
            op: 'patch',
            id: group.id,
            from: group.from,
            until: group.until,
            add: ['198.51.100.9/32', '2001:db8:9::/48'],
            remove: [],
          },
        ],
        [added],
        Date.now(),
      )
      t.same(
        await reachable(subscriber, LAWFUL),
        all(LAWFUL, false),
        'the hot addition is enforced immediately in both families',
      )

      await backend.apply(
        [
          {
            op: 'patch',
            id: group.id,
            from: group.from,
            until: group.until,
            add: [],
            remove: ['198.51.100.9/32', '2001:db8:9::/48'],
          },
        ],
        [group],
        Date.now(),
      )
      t.same(
        await reachable(subscriber, LAWFUL),
        all(LAWFUL, true),
        'the revoked addresses answer again at once',
      )
      t.same(
        await reachable(subscriber, ['203.0.113.7']),
        { '203.0.113.7': false },
        'the rest of the group stays blocked',
      )
    },
  )

  t.test(
    'a window extended while live keeps its block past the old end, and a dropped group stops blocking at once',
    async (t) => {
      const { subscriber } = await topology(t)
      const backend = createNftablesBackend({ netns: subscriber.name, verdict: 'reject' })
      const now = Date.now()
      const group: EnforcementGroup = {
        id: 'w:m3',
        event: 'm3',
        from: now - 10_000,
        until: now + 2_500,
        prefixes: ['203.0.113.7/32', '2001:db8:7:1::/64'],
      }
      await backend.reconcile([group], now)
      const extended = { ...group, until: now + 60_000 }
      await backend.apply(
        [{ op: 'patch', id: group.id, from: group.from, until: extended.until, add: [], remove: [] }],
        [extended],
        Date.now(),
      )

      await sleep(group.until + 1_200 - Date.now())
      t.same(
        await reachable(subscriber, ['203.0.113.7', '2001:db8:7:1::7']),
        { '203.0.113.7': false, '2001:db8:7:1::7': false },
        'the block holds after the original end',
      )

      // The window is cancelled while live: the control plane drops the group.
      await backend.apply([{ op: 'drop', id: group.id }], [], Date.now())
      t.same(
        await reachable(subscriber, ['203.0.113.7', '2001:db8:7:1::7']),
        { '203.0.113.7': true, '2001:db8:7:1::7': true },
        'a dropped group stops blocking at once',
      )
    },
  )

  t.test(
    'a host revoked inside a still-blocked prefix stays blocked, and revoking the prefix too re-enables it',
    async (t) => {
      const { subscriber } = await topology(t)
      const backend = createNftablesBackend({ netns: subscriber.name, verdict: 'reject' })
      const now = Date.now()
      // Overlapping entries (core sends a minimal cover, but the backend must not depend on it).
      const group: EnforcementGroup = {
        id: 'w:m4',
        event: 'm4',
        from: now - 10_000,
        until: now + 120_000,
        prefixes: ['203.0.113.64/26', '203.0.113.70/32', '2001:db8:7::/48', '2001:db8:7:1::7/128'],
      }
      await backend.reconcile([group], now)
      const targets = ['203.0.113.70', '2001:db8:7:1::7']
      t.same(await reachable(subscriber, targets), all(targets, false), 'both entries block')

      const patch = (remove: string[], prefixes: string[]) =>
        backend.apply(
          [{ op: 'patch', id: group.id, from: group.from, until: group.until, add: [], remove }],
          [{ ...group, prefixes }],
          Date.now(),
        )
      await patch(['203.0.113.70/32', '2001:db8:7:1::7/128'], ['203.0.113.64/26', '2001:db8:7::/48'])
      t.same(await reachable(subscriber, targets), all(targets, false), 'the covering prefixes still block')
      await patch(['203.0.113.64/26', '2001:db8:7::/48'], [])
      t.same(
        await reachable(subscriber, targets),
        all(targets, true),
        'with the prefixes revoked too, they answer',
      )
    },
  )
}
