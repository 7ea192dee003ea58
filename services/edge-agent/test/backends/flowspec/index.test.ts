import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EnforcementGroup } from '@offside/core'
import { connectNetns, createNetns, kernelLabAvailable, type TestNetns } from '@offside/testkit'
import t, { type Test } from 'tap'
import {
  createFlowspecBackend,
  type FlowspecOptions,
  listAnnounced,
} from '../../../src/backends/flowspec/index.js'

// Real BGP: the agent's gobgpd and a second gobgpd standing for the ISP's router, each in its own
// namespace, peered over a veth pair; we read what the router learnt.
const API = { host: '127.0.0.1', port: 50051 }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

function gobgpdConfig(as: number, self: string, peer: string, peerAs: number): string {
  const families = ['ipv4-flowspec', 'ipv6-flowspec', 'ipv4-unicast', 'ipv6-unicast']
  return [
    '[global.config]',
    `  as = ${as}`,
    `  router-id = "${self}"`,
    `  local-address-list = ["${self}"]`,
    '[[neighbors]]',
    '  [neighbors.config]',
    `    neighbor-address = "${peer}"`,
    `    peer-as = ${peerAs}`,
    '  [neighbors.timers.config]',
    '    connect-retry = 1',
    ...families.flatMap((name) => [
      '  [[neighbors.afi-safis]]',
      '    [neighbors.afi-safis.config]',
      `      afi-safi-name = "${name}"`,
    ]),
  ].join('\n')
}

async function startGobgpd(t: Test, ns: TestNetns, config: string): Promise<void> {
  const file = join(tmpdir(), `${ns.name}-gobgpd.toml`)
  await writeFile(file, config)
  ns.spawn('gobgpd', ['-f', file, '--api-hosts', `${API.host}:${API.port}`, '-p', '--pprof-disable'])
  for (let i = 0; i < 100; i++) {
    if (
      await ns.exec('gobgp', ['-u', API.host, '-p', String(API.port), 'global']).then(
        () => true,
        () => false,
      )
    )
      return
    await sleep(100)
  }
  t.fail('gobgpd did not start')
}

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 8_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!done(value) && Date.now() < deadline) {
    await sleep(150)
    value = await read()
  }
  return value
}

async function peering(t: Test) {
  const agent = await createNetns(t, 'bgpagent')
  const router = await createNetns(t, 'router')
  await connectNetns(agent, router, { a: ['192.0.2.1/24'], b: ['192.0.2.2/24'] })
  await startGobgpd(t, agent, gobgpdConfig(64512, '192.0.2.1', '192.0.2.2', 64513))
  await startGobgpd(t, router, gobgpdConfig(64513, '192.0.2.2', '192.0.2.1', 64512))
  const state = await waitFor(
    async () => (await router.exec('gobgp', ['-u', API.host, '-p', String(API.port), 'neighbor'])).stdout,
    (text) => /Establ/.test(text),
    15_000,
  )
  t.match(state, /Establ/, 'the two BGP speakers are peered')
  const routerRib = async (mode: 'flowspec' | 'rtbh') =>
    (await listAnnounced({ command: 'gobgp', ...API, netns: router.name }, mode)).sort()
  const backend = (options: FlowspecOptions = {}) => {
    const created = createFlowspecBackend({ ...API, netns: agent.name, ...options })
    t.teardown(() => created.close())
    return created
  }
  return { routerRib, backend }
}

if (await kernelLabAvailable(t, ['gobgpd', 'gobgp'])) {
  t.test(
    'the router holds the discard flow routes only during the window, without the control plane',
    async (t) => {
      const { routerRib, backend } = await peering(t)
      const fs = backend()
      const start = Date.now()
      const group: EnforcementGroup = {
        id: 'w:m1',
        event: 'm1',
        from: start + 2_000,
        until: start + 9_000,
        prefixes: ['198.51.100.7/32', '203.0.113.0/24', '2001:db8:7::/48'],
      }
      const staged = await fs.reconcile([group], Date.now())
      t.same(staged, { enforced: 0, staged: 3, notFitting: [] }, 'the group is staged, nothing announced yet')
      t.same(await routerRib('flowspec'), [], 'before the window the router has no flow route')

      // Nothing calls the backend from here: it announces and withdraws on its own timer.
      const during = await waitFor(
        () => routerRib('flowspec'),
        (rib) => rib.length === 3,
      )
      t.ok(Date.now() >= group.from, 'routes appear only once the window opened')
      t.same(
        during,
        ['198.51.100.7/32', '2001:db8:7::/48', '203.0.113.0/24'].sort(),
        'during the window the router holds a discard route per prefix, v4 and v6',
      )

      // Late in the window: a withdrawal that came early would show here. The read began at most
      // two seconds before until, so the routes it sees were there that late.
      await sleep(group.until - 1_500 - Date.now())
      const lateRead = Date.now()
      const late = await routerRib('flowspec')
      t.ok(
        lateRead >= group.until - 2_000,
        `read in the window's last seconds (${group.until - lateRead} ms before until)`,
      )
      t.same(late, during, 'just before until the router still holds every discard route')

      await sleep(group.until - Date.now())
      const after = await waitFor(
        () => routerRib('flowspec'),
        (rib) => rib.length === 0,
      )
      t.same(after, [], 'after the window the router holds none')
    },
  )

  t.test(
    'the rule cap is never exceeded; what does not fit is reported, and aggregation applies only as configured',
    async (t) => {
      const { routerRib, backend } = await peering(t)
      const now = Date.now()
      const group: EnforcementGroup = {
        id: 'w:m2',
        event: 'm2',
        from: now - 1_000,
        until: now + 60_000,
        prefixes: [
          '198.51.100.7/32',
          '203.0.113.1/32',
          '203.0.113.2/32',
          '203.0.113.9/32',
          '203.0.113.77/32',
        ],
      }
      const capped = backend({ maxRules: 2 })
      const report = await capped.reconcile([group], Date.now())
      t.equal(report.notFitting.length, 3, 'three prefixes are reported as not fitting')
      const rib = await waitFor(
        () => routerRib('flowspec'),
        (r) => r.length === 2,
      )
      t.equal(rib.length, 2, 'the router holds exactly the cap')
      t.notOk(
        rib.some((prefix) => report.notFitting.includes(prefix)),
        'what is reported as not fitting is not announced',
      )
      await capped.close()

      const aggregating = backend({ maxRules: 2, aggregate: { v4: 24, v6: 48 } })
      const merged = await aggregating.reconcile([group], Date.now())
      t.same(merged.notFitting, [], 'with aggregation allowed everything fits')
      const widened = await waitFor(
        () => routerRib('flowspec'),
        (r) => r.includes('203.0.113.0/24') && r.length === 2,
      )
      t.same(
        widened,
        ['198.51.100.7/32', '203.0.113.0/24'],
        'the four hosts of 203.0.113.0/24 are announced as that /24',
      )
    },
  )

  t.test(
    'RTBH mode announces BLACKHOLE unicast routes and a restarted backend withdraws what is no longer enforced',
    async (t) => {
      const { routerRib, backend } = await peering(t)
      const now = Date.now()
      const live: EnforcementGroup = {
        id: 'w:m3',
        event: 'm3',
        from: now - 1_000,
        until: now + 60_000,
        prefixes: ['203.0.113.7/32', '2001:db8::7/128'],
      }
      const first = backend({ mode: 'rtbh' })
      await first.reconcile([live], Date.now())
      const announced = await waitFor(
        () => routerRib('rtbh'),
        (r) => r.length === 2,
      )
      t.same(
        announced,
        ['2001:db8::7/128', '203.0.113.7/32'],
        'the router learnt both hosts tagged 65535:666',
      )
      await first.close()

      // A new agent process starts with a state in which the window was cancelled meanwhile.
      const restarted = backend({ mode: 'rtbh' })
      await restarted.reconcile([], Date.now())
      t.same(
        await waitFor(
          () => routerRib('rtbh'),
          (r) => r.length === 0,
        ),
        [],
        'leftover routes of the previous run are withdrawn',
      )
    },
  )
}
