// Spans the agent, its saved state and the nftables backend: a restarted agent reconciles and keeps blocking.
import { kernelLabAvailable } from '@offside/testkit'
import t from 'tap'
import { listSets, setBase, setKeyOf, setName } from '../../src/backends/nftables/index.js'
import {
  all,
  BLOCKED_PREFIXES,
  group,
  LAWFUL,
  PIRATE,
  startLab,
  waitFor,
} from '../fixtures/agent-nftables-stack.js'

const sortedSets = (sets: Map<string, string[]>) =>
  Object.fromEntries(
    [...sets].sort(([a], [b]) => a.localeCompare(b)).map(([name, list]) => [name, [...list].sort()]),
  )

if (await kernelLabAvailable(t, ['nft'])) {
  t.test(
    'an agent restarted mid-window reconciles nftables from its saved state alone (each element once, nothing missing, strays gone), keeps blocking and goes on',
    async (t) => {
      const lab = await startLab(t)
      const nft = { netns: lab.subscriber.name }
      const gateway = await lab.startGateway()
      const agent = await lab.startAgent(gateway.port)
      await waitFor(agent.status, (s) => s.connected, 10_000)

      const now = Date.now()
      const live = group('w:m2', now - 1_000, now + 120_000, BLOCKED_PREFIXES)
      const revision = await lab.publish([{ op: 'put', group: live }])
      await waitFor(agent.status, (s) => s.revision >= revision, 10_000)
      t.same(await lab.reachable(PIRATE), all(PIRATE, false), 'the pirate server is blocked')
      const before = sortedSets(await listSets(nft, 'offside'))
      t.same(
        Object.values(before).flat().sort(),
        [...BLOCKED_PREFIXES].sort(),
        'nftables holds exactly the group’s prefixes',
      )

      // The agent crashes and the control plane is unreachable: a restart has only its state file.
      await agent.kill()
      await gateway.kill()
      // Meanwhile the kernel drifted: an element was lost and a set of ours appeared.
      const hosts4 = setName(setBase(live.id), setKeyOf('203.0.113.7/32'))
      const stray = 'g_0000000000000000_4_32'
      await lab.subscriber.exec(
        'nft',
        ['-f', '-'],
        `delete element inet offside ${hosts4} { 203.0.113.7 }\nadd set inet offside ${stray} { type ipv4_addr; }\nadd element inet offside ${stray} { 192.0.2.1 }\n`,
      )
      t.same(
        await lab.reachable(['203.0.113.7']),
        { '203.0.113.7': true },
        'the lost element no longer blocks',
      )

      const restarted = await lab.startAgent(gateway.port)
      const after = sortedSets(await listSets(nft, 'offside'))
      t.same(
        after,
        before,
        'after the restart: the same sets and elements, nothing missing, the stray set gone',
      )
      for (const [name, elements] of Object.entries(after)) {
        t.equal(new Set(elements).size, elements.length, `${name}: each element once`)
      }
      t.notOk((await restarted.status()).connected, 'this came from the saved state, not from a gateway')
      t.same(await lab.reachable(PIRATE), all(PIRATE, false), 'the pirate server is blocked again')
      t.same(await lab.reachable(LAWFUL), all(LAWFUL, true), 'the lawful server answers')

      // The control plane comes back: the agent resumes and applies what follows.
      await lab.startGateway(gateway.port)
      const added = await lab.publish([
        {
          op: 'patch',
          id: live.id,
          from: live.from,
          until: live.until,
          add: ['198.51.100.9/32'],
          remove: [],
        },
      ])
      await waitFor(restarted.status, (s) => s.connected && s.revision >= added, 15_000)
      t.same(
        await lab.reachable(['198.51.100.9', ...PIRATE]),
        all(['198.51.100.9', ...PIRATE], false),
        'a hot addition after the restart is enforced along with the rest',
      )
    },
  )
}
