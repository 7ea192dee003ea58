import {
  connectNetns,
  createNetns,
  kernelLabAvailable,
  sleep,
  startStack,
  startTcpListener,
  startTcpProber,
  type TestNetns,
  waitFor,
} from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList } from './scenario.js'

// The production layout the agent docs recommend: the agent programs nftables on the subscriber
// gateway (the "router" namespace) with the `forward` hook and a `drop` verdict, and subscribers'
// traffic is routed through it — nothing is sent from the namespace that runs nft.
const PORT = 8443
const PIRATE = ['203.0.113.7', '2001:db8:7::7']
const LAWFUL = ['198.51.100.9', '2001:db8:9::9']
const GRACE_MS = 1000

async function routedLab(t: Parameters<typeof createNetns>[0]) {
  const subscriber = await createNetns(t, 'sub')
  const router = await createNetns(t, 'router')
  const upstream = await createNetns(t, 'upstream')
  await connectNetns(subscriber, router, {
    a: ['192.0.2.2/24', '2001:db8:2::2/64'],
    b: ['192.0.2.1/24', '2001:db8:2::1/64'],
  })
  await connectNetns(router, upstream, {
    a: ['203.0.113.1/24', '198.51.100.1/24', '2001:db8:7::1/64', '2001:db8:9::1/64'],
    b: ['203.0.113.7/24', '198.51.100.9/24', '2001:db8:7::7/64', '2001:db8:9::9/64'],
  })
  await router.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'])
  await subscriber.exec('ip', ['route', 'add', 'default', 'via', '192.0.2.1'])
  await subscriber.exec('ip', ['-6', 'route', 'add', 'default', 'via', '2001:db8:2::1'])
  await upstream.exec('ip', ['route', 'add', 'default', 'via', '203.0.113.1'])
  await upstream.exec('ip', ['-6', 'route', 'add', 'default', 'via', '2001:db8:7::1'])
  await startTcpListener(upstream, '::', PORT)
  const prober = await startTcpProber(subscriber)
  const probe = async (addresses: string[], timeoutMs?: number) => {
    const results = await Promise.all(addresses.map((address) => prober.probe(address, PORT, timeoutMs)))
    return Object.fromEntries(addresses.map((address, i) => [address, results[i]]))
  }
  const reachable = async (addresses: string[]) =>
    Object.fromEntries(
      Object.entries(await probe(addresses)).map(([a, p]) => [a, p?.outcome === 'connected']),
    )
  // Neighbour discovery on freshly made veths can drop the first IPv6 SYNs, so the lab is given
  // a bounded moment to settle; the test then asserts that routing works.
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    const now = await reachable([...PIRATE, ...LAWFUL])
    if (Object.values(now).every(Boolean)) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { router, reachable, probe }
}

const all = (addresses: string[], value: boolean) =>
  Object.fromEntries(addresses.map((address) => [address, value]))

async function ruleset(router: TestNetns): Promise<string> {
  return (await router.exec('nft', ['list', 'table', 'inet', 'offside'])).stdout
}

if (await kernelLabAvailable(t, ['nft', 'sysctl'])) {
  t.test(
    'API to scheduler to gateway to a real nftables agent on a routing gateway: routed subscriber traffic is dropped from kickoff to until and flows before and after',
    async (t) => {
      const lab = await routedLab(t)
      t.same(await lab.reachable([...PIRATE, ...LAWFUL]), all([...PIRATE, ...LAWFUL], true), 'routing works')

      const stack = await startStack(t, { env: e2eEnv(GRACE_MS) })
      const { sky, isp } = await baseData(stack, Date.now())
      await stack.start('scheduler')
      const gateway = await stack.start('gateway')
      const agent = await stack.startAgent({
        id: 'edge-router',
        token: isp,
        gateways: [gateway.url],
        nftables: { netns: lab.router.name, hooks: ['forward'], verdict: 'drop' },
      })

      // Wide enough that each probe (a process spawned in the namespace, up to 1.5 s for a
      // dropped connection) stays well inside its phase on a loaded 2-core machine.
      const kickoff = Date.now() + 8_000
      const end = kickoff + 12_000
      const until = end + GRACE_MS
      await putEvent(stack, 'm1', kickoff, end)
      await putList(stack, sky, 'sky-it', kickoff, [...PIRATE])
      await waitFor(agent.status, (s) => s.staged > 0, 6_000)
      const rules = await ruleset(lab.router)
      t.match(rules, /hook forward/, 'the agent hooked the forward chain')
      t.notMatch(rules, /hook output/, 'and not the output chain')
      t.match(rules, / drop/, 'with a drop verdict')
      t.ok(Date.now() < kickoff - 2_000, 'staged ahead of the window')
      t.same(
        await lab.reachable([...PIRATE, ...LAWFUL]),
        all([...PIRATE, ...LAWFUL], true),
        'before kickoff both servers answer',
      )

      await sleep(kickoff + 1_500 - Date.now())
      t.same(
        await lab.reachable(PIRATE),
        all(PIRATE, false),
        'early in the window the pirate server is dropped',
      )
      t.same(await lab.reachable(LAWFUL), all(LAWFUL, true), 'and the lawful one answers')

      // Just before until (end + grace): a block that ended early would show here.
      await sleep(until - 2_200 - Date.now())
      // The rules compare the kernel's clock in whole seconds (off at the last second at or before
      // until), so the block is owed until that second. A late probe waits 800 ms, less than the
      // first SYN retransmission, so its one SYN left when it started; each probe says when that was.
      const offAt = Math.floor(until / 1000) * 1000
      await sleep(offAt - 1_500 - Date.now())
      const late = await lab.probe([...PIRATE, ...LAWFUL], 800)
      for (const address of PIRATE) {
        const probe = late[address]
        const before = offAt - (probe?.startedAt ?? offAt)
        t.ok(
          probe && probe.outcome !== 'connected' && before > 800 && before < 5_000,
          `in the window's last seconds ${address} is still dropped (${probe?.outcome}, tried ${before} ms before the block is due off)`,
        )
      }
      for (const address of LAWFUL) t.equal(late[address]?.outcome, 'connected', `and ${address} answers`)

      await sleep(until + 1_000 - Date.now())
      t.same(
        await lab.reachable([...PIRATE, ...LAWFUL]),
        all([...PIRATE, ...LAWFUL], true),
        'after until both servers answer again',
      )
      const compliance = await stack.api.request('GET', '/v1/reports/compliance')
      t.ok(
        compliance.body.rows?.some(
          (r: { kind: string; event?: string; agentId?: string; ackedAt: string | null }) =>
            r.kind === 'window-open' && r.event === 'm1' && r.agentId === 'edge-router' && r.ackedAt,
        ),
        'the enforcing agent acknowledged the activation',
      )
    },
  )
}
