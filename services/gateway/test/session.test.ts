import { type GatewayMessage, parseGatewayMessage, verifySigned } from '@offside/protocol'
import { createToken, listAgents, readAcks } from '@offside/store'
import t from 'tap'
import type { WebSocket } from 'ws'
import { group, startGateway } from './helper.js'

/** Collects the gateway's messages on a socket and lets a test wait for the n-th signed one. */
function inbox(socket: WebSocket) {
  const messages: GatewayMessage[] = []
  let wake = () => {}
  socket.on('message', (data) => {
    const parsed = parseGatewayMessage(String(data))
    if (!parsed.ok) throw new Error(parsed.message)
    if (parsed.message.type !== 'heartbeat') messages.push(parsed.message)
    wake()
  })
  const next = async (count: number) => {
    const deadline = Date.now() + 5000
    while (messages.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${messages.length} of ${count} messages arrived`)
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, 100)
      })
    }
    return messages
  }
  return { messages, next }
}

const hello = (lastRevision: number, agentId = 'edge-1') =>
  JSON.stringify({ v: 1, type: 'hello', agentId, lastRevision, capabilities: ['backend:dry-run'] })

const revisionsOf = (messages: GatewayMessage[]) =>
  messages.map((m) =>
    m.type === 'snapshot' || m.type === 'delta' ? `${m.type}:${m.payload.revision}` : m.type,
  )

t.test(
  'a snapshot carries a cover once: later windows over it name the first, and a copy is forwarded as it is',
  async (t) => {
    const gw = await startGateway(t)
    const now = Date.now()
    const cover = ['198.51.100.0/24', '203.0.113.7/32']
    await gw.publish([{ op: 'put', group: group('w:m1', now, now + 60_000, cover) }])
    const copy = {
      op: 'copy' as const,
      id: 'w:m2',
      event: 'm2',
      from: now + 1000,
      until: now + 60_000,
      source: 'w:m1',
    }
    await gw.publish([copy])
    const socket = await gw.connect()
    t.teardown(() => socket.terminate())
    const box = inbox(socket)
    socket.send(hello(0))
    const [snapshot] = await box.next(1)
    if (snapshot?.type !== 'snapshot') return t.fail('a snapshot first')
    t.same(
      snapshot.payload.groups,
      [
        group('w:m1', now, now + 60_000, cover),
        { id: 'w:m2', event: 'm2', from: now + 1000, until: now + 60_000, source: 'w:m1' },
      ],
      'the second window names the first instead of its prefixes',
    )
    t.ok(verifySigned(snapshot, gw.trusted).ok, 'signed')
    await gw.publish([{ ...copy, id: 'w:m3', event: 'm3' }])
    const [, delta] = await box.next(2)
    if (delta?.type !== 'delta') return t.fail('then a delta')
    t.same(
      delta.payload.ops,
      [{ ...copy, id: 'w:m3', event: 'm3' }],
      'the copy as the scheduler published it',
    )
  },
)

t.test('a connection without an ISP token is refused before the upgrade', async (t) => {
  const gw = await startGateway(t)
  await t.rejects(gw.connect(''), /401/, 'no token refused')
  const { token } = await createToken(gw.db, { org: 'sky-it', role: 'rightsholder', now: Date.now() })
  await t.rejects(gw.connect(token), /401/, 'a rightsholder token is refused')
})

t.test(
  'a new agent gets a signed snapshot of the current state, then every live revision in order',
  async (t) => {
    const gw = await startGateway(t)
    const now = Date.now()
    await gw.publish([{ op: 'put', group: group('w:m1', now, now + 60_000, ['203.0.113.7/32']) }])
    await gw.publish([
      { op: 'put', group: group('w:m2', now + 3_600_000, now + 7_200_000, ['198.51.100.0/24']) },
    ])
    const socket = await gw.connect()
    t.teardown(() => socket.terminate())
    const box = inbox(socket)
    socket.send(hello(0))
    const [snapshot] = await box.next(1)
    t.equal(snapshot?.type, 'snapshot', 'a fresh agent starts from a snapshot')
    if (snapshot?.type !== 'snapshot') return
    t.equal(snapshot.payload.revision, 2, 'at the current revision')
    t.same(
      snapshot.payload.groups.map((g) => g.id),
      ['w:m1', 'w:m2'],
      'with the live and the staged group',
    )
    t.ok(verifySigned(snapshot, gw.trusted).ok, 'signed with the gateway key')

    await gw.publish([
      { op: 'patch', id: 'w:m1', from: now, until: now + 60_000, add: ['203.0.113.8/32'], remove: [] },
    ])
    await gw.publish([{ op: 'drop', id: 'w:m2' }])
    const messages = await box.next(3)
    t.same(revisionsOf(messages), ['snapshot:2', 'delta:3', 'delta:4'], 'live deltas follow in order')
    t.ok(
      messages.every((m) => m.type !== 'delta' || verifySigned(m, gw.trusted).ok),
      'every delta verifies',
    )
  },
)

t.test('an agent that comes back gets exactly the deltas it missed, and its acks are recorded', async (t) => {
  const gw = await startGateway(t)
  const now = Date.now()
  const publish = (i: number) =>
    gw.publish([{ op: 'put', group: group(`w:m${i}`, now, now + 60_000, [`203.0.113.${i}/32`]) }])
  for (let i = 1; i <= 3; i++) await publish(i)
  const first = await gw.connect()
  first.send(hello(0))
  t.same(revisionsOf(await inbox(first).next(1)), ['snapshot:3'], 'first connection: a snapshot at 3')
  const gone = new Promise((resolve) => first.once('close', resolve))
  first.terminate()
  await gone
  for (let i = 4; i <= 5; i++) await publish(i)
  const socket = await gw.connect()
  t.teardown(() => socket.terminate())
  const box = inbox(socket)
  socket.send(hello(3))
  const messages = await box.next(2)
  t.same(revisionsOf(messages), ['delta:4', 'delta:5'], 'only revisions 4 and 5 are sent')
  socket.send(
    JSON.stringify({
      v: 1,
      type: 'ack',
      revision: 4,
      appliedAt: Date.now(),
      enforced: 4,
      staged: 0,
      notFitting: [],
    }),
  )
  socket.send(
    JSON.stringify({
      v: 1,
      type: 'ack',
      revision: 5,
      appliedAt: Date.now(),
      enforced: 5,
      staged: 0,
      notFitting: [],
    }),
  )
  let agents = await listAgents(gw.db)
  for (let i = 0; i < 50 && agents[0]?.lastRevision !== 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    agents = await listAgents(gw.db)
  }
  t.same(
    agents.map(({ isp, agentId, lastRevision, enforced, connected }) => ({
      isp,
      agentId,
      lastRevision,
      enforced,
      connected,
    })),
    [{ isp: 'isp-a', agentId: 'edge-1', lastRevision: 5, enforced: 5, connected: true }],
    'ack recorded, for that one agent only',
  )
  socket.terminate()
  for (let i = 0; i < 50 && agents[0]?.connected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    agents = await listAgents(gw.db)
  }
  t.equal(agents[0]?.connected, false, 'shown disconnected once the socket is gone')
})

t.test(
  'an ack records the domain names enforced and staged beside the prefixes; without them they count 0',
  async (t) => {
    const gw = await startGateway(t)
    const now = Date.now()
    for (let i = 1; i <= 2; i++) {
      await gw.publish([{ op: 'put', group: group(`w:n${i}`, now, now + 60_000, [`203.0.113.${i}/32`]) }])
    }
    const socket = await gw.connect()
    t.teardown(() => socket.terminate())
    const box = inbox(socket)
    socket.send(hello(0))
    await box.next(1)
    const ack = (revision: number, names: object) =>
      JSON.stringify({
        v: 1,
        type: 'ack',
        revision,
        appliedAt: Date.now(),
        enforced: 2,
        staged: 1,
        notFitting: [],
        ...names,
      })
    socket.send(ack(1, {}))
    socket.send(ack(2, { enforcedNames: 3, stagedNames: 4 }))
    const agent = { isp: 'isp-a', agentId: 'edge-1' }
    let acks = await readAcks(gw.db, agent, 0)
    for (let i = 0; i < 50 && acks.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      acks = await readAcks(gw.db, agent, 0)
    }
    t.same(
      acks.map(({ revision, enforced, enforcedNames, stagedNames }) => ({
        revision,
        enforced,
        enforcedNames,
        stagedNames,
      })),
      [
        { revision: 1, enforced: 2, enforcedNames: undefined, stagedNames: undefined },
        { revision: 2, enforced: 2, enforcedNames: 3, stagedNames: 4 },
      ],
      'each ack keeps the names it reported',
    )
    const [record] = await listAgents(gw.db)
    t.same(
      record && {
        enforced: record.enforced,
        staged: record.staged,
        enforcedNames: record.enforcedNames,
        stagedNames: record.stagedNames,
      },
      { enforced: 2, staged: 1, enforcedNames: 3, stagedNames: 4 },
      "the agent's record shows the names of its last ack beside its prefixes",
    )
  },
)

t.test('an agent that acknowledges a revision it was never sent is told so', async (t) => {
  const gw = await startGateway(t)
  const socket = await gw.connect()
  t.teardown(() => socket.terminate())
  const box = inbox(socket)
  socket.send(JSON.stringify({ v: 1, type: 'heartbeat', at: 1 }))
  const [error] = await box.next(1)
  t.match(error, { type: 'error', code: 'bad-message', message: /hello/ }, 'hello must come first')
  socket.send(hello(0))
  socket.send(
    JSON.stringify({ v: 1, type: 'ack', revision: 9, appliedAt: 1, enforced: 0, staged: 0, notFitting: [] }),
  )
  const messages = await box.next(2)
  t.match(
    messages[1],
    { type: 'error', code: 'bad-message', message: /not sent/ },
    'ack of an unsent revision refused',
  )
  t.equal((await listAgents(gw.db))[0]?.lastRevision, 0, 'and not recorded')
})

t.test(
  'a frame whose version or type is an object is answered with an error, and the agent may go on',
  async (t) => {
    const gw = await startGateway(t)
    const socket = await gw.connect()
    t.teardown(() => socket.terminate())
    const box = inbox(socket)
    // Objects with a non-callable toString: String() of either threw, and the agent heard nothing.
    socket.send('{"v":{"toString":""},"type":"hello"}')
    socket.send('{"v":1,"type":{"toString":"","valueOf":""}}')
    socket.send('{"v":1,"type":"constructor"}')
    socket.send(hello(0))
    socket.send(
      JSON.stringify({
        v: 1,
        type: 'ack',
        revision: 9,
        appliedAt: 1,
        enforced: 0,
        staged: 0,
        notFitting: [],
      }),
    )
    const messages = await box.next(4)
    t.match(
      messages,
      [
        { type: 'error', code: 'unsupported-version' },
        { type: 'error', code: 'bad-message', message: /unknown message type/ },
        { type: 'error', code: 'bad-message', message: /unknown message type "constructor"/ },
        // Not "say hello first": the hello after them was taken.
        { type: 'error', code: 'bad-message', message: /not sent/ },
      ],
      'each refused with its code, and the session goes on',
    )
  },
)

t.test('a silent agent, or one that never says hello, is disconnected after three heartbeats', async (t) => {
  const gw = await startGateway(t, { heartbeatMs: 100 })
  const silent = await gw.connect()
  const chatty = await gw.connect()
  const closed = (socket: WebSocket) => new Promise((resolve) => socket.once('close', resolve))
  const silentClosed = closed(silent)
  const chattyClosed = closed(chatty)
  const keepTalking = setInterval(
    () => chatty.send(JSON.stringify({ v: 1, type: 'heartbeat', at: Date.now() })),
    50,
  )
  t.teardown(() => clearInterval(keepTalking))
  await silentClosed
  t.pass('the silent socket was closed')
  await chattyClosed
  t.pass('the socket that only sends heartbeats and never says hello was closed too')
})

t.test('the agent version from the hello is stored with the agent', async (t) => {
  const gw = await startGateway(t)
  const socket = await gw.connect()
  t.teardown(() => socket.terminate())
  socket.send(
    JSON.stringify({
      v: 1,
      type: 'hello',
      agentId: 'edge-7',
      lastRevision: 0,
      capabilities: ['backend:nftables'],
      agentVersion: '0.1.0',
    }),
  )
  const deadline = Date.now() + 5000
  let [agent] = await listAgents(gw.db)
  while (!agent && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    ;[agent] = await listAgents(gw.db)
  }
  t.match(agent, { agentId: 'edge-7', version: '0.1.0', capabilities: ['backend:nftables'] }, 'stored')
})
