/**
 * A copy whose source the agent already ended by its own clock, against the real gateway process
 * on a real Redis: the agent refuses the delta without any change, reports it, reconnects with a
 * hello of revision 0 and gets the snapshot from the gateway, as docs/protocol.md §4 says.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { applyGroupOps, type EnforcementGroup, type GroupOp } from '@offside/core'
import { generateSigningKeyPair, trustedKeysFromPem } from '@offside/protocol'
import { createDb, createToken, publishRevision, readSnapshot } from '@offside/store'
import { freePort, startRedis, startServiceProcess } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { startAgent, until } from '../fixtures/fake-gateway.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..')

const group = (id: string, from: number, until: number, prefixes: string[]): EnforcementGroup => ({
  id,
  event: id.slice(2),
  from,
  until,
  prefixes,
})

t.test(
  'an agent that ended a copy’s source by its clock asks the real gateway for a snapshot and enforces the copy from it',
  async (t) => {
    const redisServer = await startRedis(t)
    const redis = new Redis(redisServer.url)
    t.teardown(() => redis.quit())
    const db = createDb(redis, 'offside:')
    const dir = await mkdtemp(join(tmpdir(), 'offside-copy-recovery-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const pair = generateSigningKeyPair()
    const keyFile = join(dir, 'signing.pem')
    await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600 })
    const port = await freePort()
    const gateway = await startServiceProcess({
      name: 'gateway',
      entry: join(root, 'services/gateway/src/server.ts'),
      env: {
        ...process.env,
        OFFSIDE_REDIS_URL: redisServer.url,
        OFFSIDE_KEY_PREFIX: 'offside:',
        OFFSIDE_SIGNING_KEY_FILE: keyFile,
        OFFSIDE_GATEWAY_PORT: String(port),
        OFFSIDE_LOG_LEVEL: 'info',
      },
      logFile: join(dir, 'gateway.log'),
      port,
      readyPath: '/readyz',
    })
    t.teardown(() => gateway.stop())
    const { token } = await createToken(db, { org: 'isp-a', role: 'isp', now: Date.now() })
    const publish = async (ops: GroupOp[]) => {
      const snapshot = await readSnapshot(db)
      const result = await publishRevision(db, {
        previous: snapshot.revision,
        issuedAt: Date.now(),
        cause: { kind: 'event-change', requestedAt: Date.now() },
        ops,
        groups: applyGroupOps(snapshot.groups, ops),
        live: [],
        enforcedCount: 0,
      })
      if (result.status !== 'published') throw new Error(`publish failed: ${result.status}`)
      return result.record.revision
    }

    const now = Date.now()
    const live = group('w:live', now - 1000, now + 600_000, ['192.0.2.0/24'])
    const ending = group('w:m1', now - 1000, now + 1500, ['198.51.100.0/24', '203.0.113.7/32'])
    await publish([
      { op: 'put', group: live },
      { op: 'put', group: ending },
    ])
    const url = `ws://127.0.0.1:${port}/v1/agents/stream`
    const { agent } = await startAgent(
      t,
      { url, trusted: trustedKeysFromPem([pair.publicKeyPem]) },
      {
        token,
        reconnectMaxMs: 500,
      },
    )
    await until(() => agent.revision === 1, 'the agent to apply revision 1', 20_000)
    await until(() => agent.status().groups === 1, 'the agent to end w:m1 at its until', 20_000)
    // The control plane has not dropped w:m1 yet (its clock is behind the agent's) and stages
    // w:m2 as a copy of it.
    const copy = await publish([
      { op: 'copy', id: 'w:m2', event: 'm2', from: now - 1000, until: now + 600_000, source: 'w:m1' },
    ])
    await until(() => agent.revision === copy, 'the agent to hold the copy’s revision', 20_000)
    t.same(
      agent.enforcedPrefixes(),
      ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.7/32'],
      'the copy is enforced, from the snapshot, beside the live group',
    )
    const status = agent.status()
    t.equal(status.unknownGroups, 1, 'after refusing the delta once')
    t.ok(status.reconnects >= 1, 'and reconnecting')
    t.ok(status.connected, 'connected again')
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    t.match(
      metrics,
      /offside_gateway_agent_errors_total\{code="unknown-group"\} 1/,
      'the gateway counted the report',
    )
    t.match(metrics, /offside_gateway_snapshots_sent_total 2\b/, 'and sent a second snapshot')
  },
)
