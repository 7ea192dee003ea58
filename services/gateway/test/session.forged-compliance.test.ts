import { parseGatewayMessage } from '@offside/protocol'
import { createToken, listAgents, readAcks, revokeToken } from '@offside/store'
import t from 'tap'
import type { WebSocket } from 'ws'
import { group, startGateway } from './helper.js'

const hello = (lastRevision: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    type: 'hello',
    agentId: 'edge-1',
    lastRevision,
    capabilities: ['backend:nftables'],
    ...extra,
  })

/** The next non-heartbeat message, or the close code when the gateway hangs up first. */
function nextFrame(
  socket: WebSocket,
): Promise<{ type: string; [key: string]: unknown } | { closed: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nothing arrived in 5 s')), 5000)
    const onMessage = (data: unknown) => {
      const parsed = parseGatewayMessage(String(data))
      if (!parsed.ok || parsed.message.type === 'heartbeat') return
      cleanup()
      resolve(parsed.message as unknown as { type: string })
    }
    const onClose = (code: number) => {
      cleanup()
      resolve({ closed: code })
    }
    const cleanup = () => {
      clearTimeout(timer)
      socket.off('message', onMessage)
      socket.off('close', onClose)
    }
    socket.on('message', onMessage)
    socket.on('close', onClose)
  })
}

async function publishTwo(gw: Awaited<ReturnType<typeof startGateway>>) {
  const now = Date.now()
  await gw.publish([{ op: 'put', group: group('w:m1', now, now + 60_000, ['203.0.113.1/32']) }])
  await gw.publish([{ op: 'put', group: group('w:m2', now, now + 60_000, ['203.0.113.2/32']) }])
}

t.test('a hello ahead of the feed is a protocol error and nothing of it is recorded', async (t) => {
  const gw = await startGateway(t)
  await publishTwo(gw)
  const socket = await gw.connect()
  const closed = new Promise<number>((resolve) => socket.once('close', resolve))
  socket.send(hello(1_000_000))
  t.match(await nextFrame(socket), { type: 'error', code: 'bad-message', message: /never published/ })
  t.equal(await closed, 4001, 'the gateway hangs up')
  t.same(await listAgents(gw.db), [], 'no agent recorded')
  t.same(await readAcks(gw.db, { isp: 'isp-a', agentId: 'edge-1' }, 0), [], 'no ack recorded')
})

t.test('a hello naming a published revision never sent to that agent counts for nothing', async (t) => {
  const gw = await startGateway(t)
  await publishTwo(gw)
  const socket = await gw.connect()
  t.teardown(() => socket.terminate())
  socket.send(hello(2))
  t.match(
    await nextFrame(socket),
    { type: 'snapshot', payload: { revision: 2 } },
    'it gets a snapshot rather than resuming',
  )
  t.same(await readAcks(gw.db, { isp: 'isp-a', agentId: 'edge-1' }, 0), [], 'its claim is no acknowledgement')
  socket.send(
    JSON.stringify({ v: 1, type: 'ack', revision: 2, appliedAt: 1, enforced: 2, staged: 0, notFitting: [] }),
  )
  let acks = await readAcks(gw.db, { isp: 'isp-a', agentId: 'edge-1' }, 0)
  for (let i = 0; i < 50 && acks.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    acks = await readAcks(gw.db, { isp: 'isp-a', agentId: 'edge-1' }, 0)
  }
  t.match(acks, [{ revision: 2, source: 'ack' }], 'the ack of what it was sent counts')
  t.equal((await listAgents(gw.db))[0]?.sentRevision, 2, 'the gateway remembers what it sent')
})

t.test('a hello carrying more than it may is refused and not recorded', async (t) => {
  const gw = await startGateway(t)
  for (const extra of [
    { capabilities: Array.from({ length: 33 }, (_, i) => `cap-${i}`) },
    { capabilities: ['x'.repeat(65)] },
    { agentId: 'edge/../../1' },
    { agentId: 'e'.repeat(65) },
  ]) {
    const socket = await gw.connect()
    t.teardown(() => socket.terminate())
    socket.send(hello(0, extra))
    t.match(
      await nextFrame(socket),
      { type: 'error', code: 'bad-message' },
      JSON.stringify(extra).slice(0, 60),
    )
  }
  t.same(await listAgents(gw.db), [], 'no agent recorded')
})

t.test('an ISP holds at most its cap of agent connections; a closed one frees its slot', async (t) => {
  const gw = await startGateway(t, { maxAgentsPerIsp: 2 })
  const first = await gw.connect()
  const second = await gw.connect()
  t.teardown(() => second.terminate())
  await t.rejects(gw.connect(), /429/, 'a third connection is refused')
  const gone = new Promise((resolve) => first.once('close', resolve))
  first.close()
  await gone
  let third: WebSocket | null = null
  for (let i = 0; i < 50 && !third; i++) {
    third = await gw.connect().catch(() => null)
    if (!third) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.ok(third, 'accepted once a slot is free')
  third?.terminate()
})

t.test('revoking a token closes the streams it opened within one heartbeat', async (t) => {
  const gw = await startGateway(t, { heartbeatMs: 200 })
  const { record, token } = await createToken(gw.db, { org: 'isp-a', role: 'isp', now: Date.now() })
  const socket = await gw.connect(token)
  const closed = new Promise<number>((resolve) => socket.once('close', resolve))
  socket.send(hello(0))
  await revokeToken(gw.db, record.id, Date.now())
  const revokedAt = Date.now()
  t.equal(await closed, 4003, 'closed with "token revoked"')
  t.ok(Date.now() - revokedAt < 5000, 'promptly')
  await t.rejects(gw.connect(token), /401/, 'and it cannot come back')
})
