import { connect } from 'node:net'
import { listAgents } from '@offside/store'
import t from 'tap'
import { group, startGateway } from './helper.js'

const hello = (agentId: string, lastRevision: number) =>
  JSON.stringify({ v: 1, type: 'hello', agentId, lastRevision, capabilities: [] })

/** A client frame (clients must mask, RFC 6455 §5.3). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = Buffer.from([1, 2, 3, 4])
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
  return Buffer.concat([header, mask, payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0))])
}

t.test('an agent that stops reading is disconnected and never delays the others', async (t) => {
  const gw = await startGateway(t, { maxBufferedBytes: 64 * 1024 })
  const port = new URL(gw.url).port

  // The stuck agent: a raw TCP client that upgrades, says hello and then never reads again.
  const stuck = connect(Number(port), '127.0.0.1')
  t.teardown(() => stuck.destroy())
  stuck.on('error', () => {})
  await new Promise((resolve) => stuck.once('connect', resolve))
  stuck.write(
    `GET /v1/agents/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
      `Authorization: Bearer ${gw.ispToken}\r\n\r\n`,
  )
  await new Promise((resolve) => stuck.once('data', resolve)) // 101 Switching Protocols
  stuck.write(maskedTextFrame(hello('stuck', 0)))
  stuck.pause()

  const healthy = await gw.connect()
  const seen: number[] = []
  healthy.on('message', (data) => {
    // Plain JSON: this test is about delivery, not validation.
    const message = JSON.parse(String(data))
    if (message.type === 'delta' || message.type === 'snapshot') seen.push(message.payload.revision)
  })
  healthy.send(hello('healthy', 0))
  await new Promise((resolve) => setTimeout(resolve, 200))

  const now = Date.now()
  const prefixes = Array.from({ length: 10_000 }, (_, i) => `2001:db8:${(i + 1).toString(16)}::/48`)
  const total = 60
  for (let i = 1; i <= total; i++) {
    await gw.publish([{ op: 'put', group: group('w:m1', now, now + 60_000 + i, prefixes) }])
  }
  const deadline = Date.now() + 15_000
  // The stuck client reads nothing, not even the close, so ask the gateway who is connected.
  const stuckConnected = async () => (await listAgents(gw.db)).find((a) => a.agentId === 'stuck')?.connected
  while ((seen.at(-1) !== total || (await stuckConnected())) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(await stuckConnected(), false, 'the stuck agent was disconnected')
  const metrics = await gw.app.inject('/metrics')
  t.match(metrics.body, /offside_gateway_slow_disconnects_total 1/, 'counted as a slow disconnect')
  t.equal(seen.at(-1), total, 'the healthy agent reached the last revision')
  t.ok(
    seen.every((revision, i) => i === 0 || revision === (seen[i - 1] ?? 0) + 1),
    'after its snapshot, every revision in order with no gap',
  )
})
