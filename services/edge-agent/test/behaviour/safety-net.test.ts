// Spans the signed feed, the agent safety net and nftables: dangerous groups are refused, the rest enforced on real traffic.
import { listAgents } from '@offside/store'
import { kernelLabAvailable } from '@offside/testkit'
import t from 'tap'
import { group, LAWFUL, startLab, waitFor } from '../fixtures/agent-nftables-stack.js'

const DAY = 24 * 3600_000

interface SafetyNetStatus {
  connected: boolean
  revision: number
  safetyNet?: { refusedCount: number; refused: { reason: string; group: string; prefix?: string }[] }
}

if (await kernelLabAvailable(t, ['nft'])) {
  t.test(
    'a validly signed revision carrying 0.0.0.0/0, the gateway’s own address and a 30-day group: all three refused, the agent stays connected, the rest enforced on real traffic',
    async (t) => {
      const lab = await startLab(t)
      const gateway = await lab.startGateway()
      // The ISP's own range (here the lawful server's) is on its local never-block list.
      const agent = await lab.startAgent(gateway.port, { safetyNet: { neverBlock: ['198.51.100.0/24'] } })
      await waitFor(agent.status, (s) => s.connected, 10_000)
      const now = Date.now()
      const revision = await lab.publish([
        {
          op: 'put',
          group: group('w:m1', now - 1000, now + 120_000, [
            '0.0.0.0/0',
            '127.0.0.1/32',
            '198.51.100.9/32',
            '203.0.113.7/32',
            '2001:db8:7::7/128',
          ]),
        },
        { op: 'put', group: group('w:season', now - 1000, now + 30 * DAY, ['203.0.113.70/32']) },
      ])
      const status = (await waitFor(
        agent.status,
        (s) => (s as SafetyNetStatus).revision >= revision,
        10_000,
      )) as SafetyNetStatus
      t.ok(status.connected, 'the agent stays connected')
      t.same(
        status.safetyNet?.refused.map((r) => `${r.reason} ${r.group} ${r.prefix ?? '*'}`).sort(),
        [
          'broader-than-limit w:m1 0.0.0.0/0',
          'longer-than-limit w:season *',
          'never-block w:m1 127.0.0.1/32',
          'never-block w:m1 198.51.100.9/32',
        ],
        'the broad prefix, the gateway, the ISP’s own range and the 30-day group are refused',
      )
      t.equal(status.safetyNet?.refusedCount, 4, 'counted in /status')
      const reach = await lab.reachable(['203.0.113.7', '2001:db8:7::7', '203.0.113.70', ...LAWFUL])
      t.same(
        reach,
        {
          '203.0.113.7': false,
          '2001:db8:7::7': false,
          '203.0.113.70': true,
          '198.51.100.9': true,
          '2001:db8:9::9': true,
        },
        'the other entries are enforced; the refused ones and the never-block range are not',
      )
      const [recorded] = await waitFor(
        () => listAgents(lab.db),
        (agents) => agents[0]?.lastRevision === revision,
        10_000,
      )
      t.equal(recorded?.refused, 4, 'the ack told the control plane what was refused')
      t.match(recorded?.refusals, [{ group: 'w:m1' }], 'and which')
      t.ok((await agent.status()).connected, 'still connected after the ack')
    },
  )
}
