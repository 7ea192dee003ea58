import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import {
  agentConnected,
  agentDisconnected,
  listAgents,
  readAcks,
  recordAck,
  touchAgent,
} from '../src/agents.js'
import { createDb } from '../src/keys.js'

async function setup(t: { teardown(fn: () => unknown): void }) {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.quit())
  return createDb(redis, 'offside:')
}

const edge = { isp: 'isp-a', agentId: 'edge-1' }
const hello = (gateway: string, now: number, ttlMs = 60_000) => ({
  ...edge,
  capabilities: ['backend:dry-run'],
  lastRevision: 0,
  gateway,
  now,
  ttlMs,
})
const ack = (revision: number, receivedAt: number, source: 'ack' | 'hello' = 'ack') => ({
  revision,
  receivedAt,
  appliedAt: receivedAt,
  enforced: revision,
  staged: 0,
  notFitting: 0,
  source,
})

t.test('an agent whose gateway stops renewing its presence shows as disconnected', async (t) => {
  const db = await setup(t)
  await agentConnected(db, hello('gw-1', 1000, 200))
  t.equal((await listAgents(db))[0]?.connected, true, 'connected at first')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal((await listAgents(db))[0]?.connected, false, 'disconnected once the TTL passed')
  await touchAgent(db, edge, 'gw-1', 2000, 60_000)
  t.equal((await listAgents(db))[0]?.connected, true, 'a heartbeat brings it back')
})

t.test(
  'a gateway letting go of an agent that already moved to another gateway leaves it connected',
  async (t) => {
    const db = await setup(t)
    await agentConnected(db, hello('gw-1', 1000))
    await agentConnected(db, hello('gw-2', 2000))
    await agentDisconnected(db, edge, 'gw-1')
    t.same(
      (await listAgents(db)).map((a) => [a.connected, a.gateway]),
      [[true, 'gw-2']],
      'still connected through gw-2',
    )
    await agentDisconnected(db, edge, 'gw-2')
    t.equal((await listAgents(db))[0]?.connected, false, 'disconnected when its own gateway lets go')
  },
)

t.test(
  'the first acknowledgement of a revision is the one kept, and the last revision only grows',
  async (t) => {
    const db = await setup(t)
    await agentConnected(db, hello('gw-1', 1000))
    t.equal(await recordAck(db, edge, ack(5, 1100)), true, 'recorded')
    t.equal(await recordAck(db, edge, ack(5, 9999)), false, 'a repeat is not recorded')
    await recordAck(db, edge, ack(4, 1200, 'hello'))
    t.same(
      (await readAcks(db, edge, 0)).map((a) => [a.revision, a.receivedAt]),
      [
        [4, 1200],
        [5, 1100],
      ],
      'acks by revision, first time kept',
    )
    t.match(
      await listAgents(db),
      [{ lastRevision: 5, lastAckAt: 1100, enforced: 5 }],
      'last revision stays at 5',
    )
    t.equal((await listAgents(db, { isp: 'isp-b' })).length, 0, 'filtered by ISP')
  },
)
