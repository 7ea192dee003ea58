import { PrefixSet } from '@offside/core'
import { sleep, startRedisSentinel, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, putEvent, putList, weekOf } from './scenario.js'

t.test(
  'on Redis Sentinel, the primary crashing mid-window loses no acknowledged hot addition, every agent gets every revision, and enforcement never stops',
  async (t) => {
    // On Sentinel every acknowledged write waits for the replica (?replicas=1).
    const sentinel = await startRedisSentinel(t)
    const redis = { url: `${sentinel.url}?replicas=1&replicaTimeoutMs=2000` }
    const stack = await startStack(t, { env: e2eEnv(), redis })
    const { sky, isp } = await baseData(stack, Date.now())
    await stack.start('scheduler')
    const gateway = await stack.start('gateway')
    const agents = await Promise.all([
      stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] }),
      stack.startAgent({ id: 'edge-2', token: isp, gateways: [gateway.url] }),
    ])

    const kickoff = Date.now() + 1500
    await putEvent(stack, 'm1', kickoff, kickoff + 180_000)
    await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
    for (const agent of agents) {
      const live = await waitFor(agent.status, (s) => s.prefixes.includes('203.0.113.7/32'), 10_000)
      t.ok(live.prefixes.includes('203.0.113.7/32'), `${live.agentId} is live`)
    }

    // Watch enforcement the whole time: the live list must never leave any agent.
    let watching = true
    let dropped = 0
    const watcher = (async () => {
      while (watching) {
        for (const agent of agents) {
          const status = await agent.status().catch(() => undefined)
          if (status && !status.prefixes.includes('203.0.113.7/32')) dropped++
        }
        await sleep(200)
      }
    })()

    const acknowledged: string[] = []
    let failover: Promise<{ killed: number; promoted: number }> | undefined
    for (let i = 1; i <= 12; i++) {
      // The crashed primary comes back as its supervisor would restart it, and the Sentinels make
      // it a replica of the promoted one: until then no change can be acknowledged as replicated.
      if (i === 5)
        failover = sentinel.failover().then(async (result) => {
          await sentinel.restart(result.killed)
          return result
        })
      const target = `198.51.100.${i}`
      // A client retries a change until it is acknowledged (bounded): 5xx while Redis fails over.
      for (let attempt = 0; attempt < 80; attempt++) {
        const res = await stack.api
          .as(sky)
          .request('POST', `/v1/lists/sky-it/${weekOf(kickoff)}/entries`, {
            entries: [{ target, evidence: `sha256:${'ef'.repeat(32)}` }],
          })
          .catch(() => ({ status: 599, body: undefined }))
        if (res.status < 300) {
          acknowledged.push(`${target}/32`)
          break
        }
        await sleep(250)
      }
      await sleep(150)
    }
    const { killed, promoted } = (await failover) ?? { killed: 0, promoted: 0 }
    t.not(promoted, killed, `the Sentinels promoted ${promoted} after the primary ${killed} crashed`)

    const expected = PrefixSet.from(['203.0.113.7/32', ...acknowledged])
    t.equal(acknowledged.length, 12, 'every hot addition was acknowledged once Redis had failed over')
    for (const agent of agents) {
      const status = await waitFor(agent.status, (s) => PrefixSet.from(s.prefixes).equals(expected), 20_000)
      t.same(status.prefixes, expected.toPrefixes(), `${status.agentId} enforces every acknowledged addition`)
      t.equal(status.gaps, 0, `${status.agentId} never saw a missing revision`)
      t.equal(status.rejected, 0, `${status.agentId} refused nothing`)
    }
    watching = false
    await watcher
    t.equal(dropped, 0, 'no agent stopped enforcing the live list during the failover')
  },
)
