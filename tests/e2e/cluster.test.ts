import { PrefixSet, parseTarget } from '@offside/core'
import { sleep, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList, weekOf } from './scenario.js'

/** The canonical CIDR of a prefix as the API displays it (a /32 is shown as a bare address). */
function canonical(shown: string): string {
  const parsed = parseTarget(shown)
  if (!parsed.ok || parsed.target.kind !== 'prefix') throw new Error(`the API showed a bad prefix: ${shown}`)
  return parsed.target.prefix
}

t.test(
  'two gateways and two schedulers on one Redis: every revision once, in order, at every agent, even when one of each dies mid-window',
  async (t) => {
    const stack = await startStack(t, { env: e2eEnv() })
    const { sky, isp } = await baseData(stack, Date.now())
    const [scheduler1] = await Promise.all([
      stack.start('scheduler', { name: 'scheduler-1' }),
      stack.start('scheduler', { name: 'scheduler-2' }),
    ])
    const [gateway1, gateway2] = await Promise.all([
      stack.start('gateway', { name: 'gateway-1' }),
      stack.start('gateway', { name: 'gateway-2' }),
    ])
    if (!scheduler1 || !gateway1 || !gateway2) throw new Error('stack did not start')
    const agents = await Promise.all([
      stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway1.url, gateway2.url] }),
      stack.startAgent({ id: 'edge-2', token: isp, gateways: [gateway2.url, gateway1.url] }),
    ])

    const kickoff = Date.now() + 1500
    await putEvent(stack, 'm1', kickoff, kickoff + 120_000)
    await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
    for (const agent of agents) {
      const live = await waitFor(agent.status, (s) => s.prefixes.includes('203.0.113.7/32'), 8000)
      t.ok(live.prefixes.includes('203.0.113.7/32'), `${live.agentId} is live`)
    }

    const port = (url?: string) => (url ? new URL(url).port : undefined)
    const before = await agents[0]?.status()
    t.equal(port(before?.gateway), String(gateway1.port), 'edge-1 starts on gateway-1, its first')
    const added: string[] = []
    for (let i = 1; i <= 20; i++) {
      const res = await stack.api.as(sky).request('POST', `/v1/lists/sky-it/${weekOf(kickoff)}/entries`, {
        entries: [{ target: `198.51.100.${i}`, evidence: `sha256:${'ef'.repeat(32)}` }],
      })
      if (res.status >= 300) throw new Error(`hot addition ${i}: ${res.status} ${JSON.stringify(res.body)}`)
      added.push(`198.51.100.${i}/32`)
      if (i === 10) await Promise.all([gateway1.kill(), scheduler1.kill()]) // mid-window crash of one of each
      await sleep(150)
    }

    const expected = ['203.0.113.7/32', ...added]
    // Agents hold the minimal cover (adjacent /32s merge), so compare address sets.
    const expectedSet = PrefixSet.from(expected)
    // The state reports the published revision's prefixes, a minimal cover, so compare addresses, not counts.
    const enforcedSet = (res: { body: { entries: { prefix: string }[] } }) =>
      PrefixSet.from(res.body.entries.map((entry) => canonical(entry.prefix)))
    const state = await waitFor(
      () => stack.api.request('GET', '/v1/state/entries'),
      (res) => res.status === 200 && enforcedSet(res).equals(expectedSet),
      15_000,
    )
    t.same(
      enforcedSet(state).toPrefixes(),
      expectedSet.toPrefixes(),
      'the control plane enforces every addition: exactly the added addresses',
    )
    for (const agent of agents) {
      const status = await waitFor(
        agent.status,
        (s) => PrefixSet.from(s.prefixes).equals(expectedSet) && s.revision >= state.body.revision,
        15_000,
      )
      t.same(
        status.prefixes,
        expectedSet.toPrefixes(),
        `${status.agentId} enforces every addition: nothing lost`,
      )
      t.equal(status.revision, state.body.revision, `${status.agentId} is at the last revision`)
      t.equal(status.gaps, 0, `${status.agentId} never saw a missing revision`)
      t.equal(status.duplicates, 0, `${status.agentId} never saw a duplicated revision`)
      t.equal(status.rejected, 0, `${status.agentId} refused nothing (no out-of-order or bad message)`)
      t.ok(status.connected, `${status.agentId} is connected to the surviving gateway`)
      t.equal(
        port(status.gateway),
        String(gateway2.port),
        `${status.agentId} took what it missed from gateway-2`,
      )
    }
  },
)
