import {
  agentConnected,
  agentDisconnected,
  createDb,
  recordAck,
  recordRevisionReference,
} from '@offside/store'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { readAgents } from '../../src/read/agents.js'

const redis = await startRedis(t)
const client = new Redis(redis.url)
t.teardown(() => client.quit())
const db = createDb(client)
const base = Date.parse('2026-11-29T19:30:00Z')
const agent = { isp: 'isp-a', agentId: 'edge-1' }

t.test('compliance counts activations acknowledged on time, late, or not at all', async (t) => {
  await agentConnected(db, {
    ...agent,
    capabilities: [],
    lastRevision: 0,
    gateway: 'gw-1',
    now: base,
    ttlMs: 60_000,
  })
  // Three window activations, one hot addition (not an activation), scheduled a minute apart.
  const references = [
    { revision: 1, kind: 'window-open', at: base + 60_000 },
    { revision: 2, kind: 'hot-addition', at: base + 90_000 },
    { revision: 3, kind: 'window-close', at: base + 120_000 },
    { revision: 4, kind: 'window-open', at: base + 180_000 },
  ]
  for (const r of references) {
    await recordRevisionReference(db, {
      revision: r.revision,
      kind: r.kind,
      issuedAt: r.at,
      scheduledAt: r.at,
      reference: r.at,
    })
  }
  const ack = (revision: number, receivedAt: number) =>
    recordAck(db, agent, {
      revision,
      receivedAt,
      appliedAt: receivedAt,
      enforced: 1,
      staged: 0,
      notFitting: 0,
      source: 'ack',
    })
  await ack(1, base + 60_400) // 0.4 s: on time
  await ack(3, base + 120_000 + 9_000) // 9 s: late
  // revision 4 never acknowledged

  const [view] = await readAgents(db, base + 200_000, 5000)
  t.equal(view?.id, 'edge-1', 'the agent is listed')
  t.equal(view?.isp, 'isp-a', 'under its ISP')
  t.equal(view?.lastAckRevision, 3, 'its last acknowledged revision is known')
  t.same(
    view?.activations.map((a) => a.status),
    ['missing', 'late', 'on-time'],
    'newest activation first; the hot addition is not an activation',
  )
})

t.test('an activation still within its 5 s budget is not counted yet', async (t) => {
  const [view] = await readAgents(db, base + 182_000, 5000)
  t.same(
    view?.activations.map((a) => a.status),
    ['late', 'on-time'],
    'the open two seconds ago is pending, not missing',
  )
})

t.test('an agent whose gateway let it go shows as disconnected', async (t) => {
  t.equal(
    (await readAgents(db, base + 200_000, 5000))[0]?.connected,
    true,
    'connected while the gateway holds it',
  )
  await agentDisconnected(db, agent, 'gw-1')
  t.equal((await readAgents(db, base + 200_000, 5000))[0]?.connected, false, 'disconnected once released')
})

t.test('the configured late bound decides what counts as late, as in the API report', async (t) => {
  const [view] = await readAgents(db, base + 200_000, 10_000)
  t.same(
    view?.activations.map((a) => a.status),
    ['missing', 'on-time', 'on-time'],
    'a 9 s acknowledgement is on time under a 10 s bound',
  )
})
