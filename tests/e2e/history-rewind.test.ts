import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AgentStatus, startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import { baseData, e2eEnv, expectStatus, putEvent, putList, weekOf } from './scenario.js'

const EVIDENCE = `sha256:${'ab'.repeat(32)}`

async function emptyFolder(dir: string): Promise<void> {
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true })
}

/** The agent holds exactly `prefixes`, is connected, and at the revision the control plane publishes. */
const converged = (prefixes: string[], above: number, published: () => number) => (s: AgentStatus) =>
  s.connected &&
  s.revision > above &&
  s.revision === published() &&
  JSON.stringify([...s.prefixes].sort()) === JSON.stringify([...prefixes].sort())

t.test(
  'Redis restored from an older backup, then emptied: agents notice the history changed and converge to what is published, with revision numbers continuing above theirs and no manual step on the agent',
  async (t) => {
    const stack = await startStack(t, { env: e2eEnv(), redisOptions: { appendfsync: 'always' } })
    const server = stack.redisServer
    if (!server) throw new Error('a standalone Redis is needed')
    const { sky, isp } = await baseData(stack, Date.now())
    await stack.start('scheduler')
    const gateway = await stack.start('gateway')
    const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [gateway.url] })
    const kickoff = Date.now() + 1_000
    const week = weekOf(kickoff)
    await putEvent(stack, 'm1', kickoff, kickoff + 600_000)
    await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7', '203.0.113.8'])
    const live = await waitFor(agent.status, (s) => s.prefixes.length === 2, 20_000)
    t.same([...live.prefixes].sort(), ['203.0.113.7/32', '203.0.113.8/32'], 'the window is live at the agent')

    // The backup: Redis's folder as it is now.
    const backup = await mkdtemp(join(tmpdir(), 'offside-backup-'))
    t.teardown(() => rm(backup, { recursive: true, force: true }))
    await server.kill()
    await cp(server.dir, backup, { recursive: true })
    await server.restart()

    const published = { revision: 0 }
    const readPublished = async () => {
      const res = await stack.api.request('GET', '/v1/state')
      if (res.status === 200) published.revision = res.body.revision
      return res
    }
    const hot = await waitFor(
      () =>
        stack.api.as(sky).request('POST', `/v1/lists/sky-it/${week}/entries`, {
          entries: [{ target: '203.0.113.20' }],
          evidence: EVIDENCE,
        }),
      (res) => res.status === 200,
      20_000,
    )
    expectStatus(hot, 200, 'hot addition after the backup')
    const ahead = await waitFor(agent.status, (s) => s.prefixes.includes('203.0.113.20/32'), 20_000)
    t.ok(ahead.prefixes.includes('203.0.113.20/32'), 'the agent enforces the change made after the backup')

    // Restore the backup: the store forgets the hot addition and the revisions that carried it.
    await server.kill()
    await emptyFolder(server.dir)
    await cp(backup, server.dir, { recursive: true })
    await server.restart()
    await waitFor(readPublished, (res) => res.status === 200, 20_000)

    const restored = await waitFor(
      async () => {
        await readPublished()
        return agent.status()
      },
      converged(['203.0.113.7/32', '203.0.113.8/32'], ahead.revision, () => published.revision),
      30_000,
    )
    t.same(
      [...restored.prefixes].sort(),
      ['203.0.113.7/32', '203.0.113.8/32'],
      'the agent enforces the restored list, without the hot addition the store lost',
    )
    t.ok(restored.revision > ahead.revision, 'revisions continue above the one the agent held')
    t.equal(restored.revision, published.revision, 'the agent is at the revision the control plane publishes')
    t.ok((restored.historyChanges ?? 0) >= 1, 'the agent noticed the history changed')
    t.ok(restored.connected, 'and is connected')

    // And it follows the new history: a hot addition after the restore reaches it.
    expectStatus(
      await stack.api.as(sky).request('POST', `/v1/lists/sky-it/${week}/entries`, {
        entries: [{ target: '203.0.113.30' }],
        evidence: EVIDENCE,
      }),
      200,
      'hot addition after the restore',
    )
    const following = await waitFor(agent.status, (s) => s.prefixes.includes('203.0.113.30/32'), 20_000)
    t.ok(following.prefixes.includes('203.0.113.30/32'), 'the agent follows the history after the restore')

    // Total loss: Redis starts empty. The operator provisions again (new tokens: the old ones are
    // gone with everything else); the agent keeps its state folder.
    await server.kill()
    await emptyFolder(server.dir)
    await server.restart()
    await waitFor(readPublished, (res) => res.status === 200, 20_000)
    const again = await baseData(stack, Date.now())
    await putEvent(stack, 'm1', kickoff, kickoff + 600_000)
    await putList(stack, again.sky, 'sky-it', kickoff, ['203.0.113.9'])
    await agent.stop()
    const back = await stack.startAgent({
      id: 'edge-1',
      token: again.isp,
      gateways: [gateway.url],
      stateDir: agent.stateDir,
    })
    const recovered = await waitFor(
      async () => {
        await readPublished()
        return back.status()
      },
      converged(['203.0.113.9/32'], following.revision, () => published.revision),
      30_000,
    )
    t.same(
      recovered.prefixes,
      ['203.0.113.9/32'],
      'after a total loss the agent enforces what is published now',
    )
    t.ok(recovered.revision > following.revision, 'with revision numbers above every one it held')
    t.equal(recovered.revision, published.revision, 'and at the revision published')
  },
)
