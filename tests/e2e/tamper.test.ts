import type { AddressInfo } from 'node:net'
import { PrefixSet } from '@offside/core'
import { startStack, waitFor } from '@offside/testkit'
import t from 'tap'
import WebSocket, { WebSocketServer } from 'ws'
import { baseData, e2eEnv, putEvent, putList, weekOf } from './scenario.js'

/**
 * A man in the middle between agent and gateway: relays every frame, and while `tamper` is on
 * rewrites each delta so it would lift the block, keeping the gateway's signature.
 */
async function startTamperingProxy(t: { teardown(fn: () => unknown): void }, gatewayUrl: string) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => server.once('listening', resolve))
  const control = { tamper: false, tampered: 0 }
  server.on('connection', (agentSide, request) => {
    const gatewaySide = new WebSocket(gatewayUrl, {
      headers: { authorization: request.headers.authorization ?? '' },
    })
    const pending: string[] = []
    gatewaySide.on('open', () => {
      for (const frame of pending.splice(0)) gatewaySide.send(frame)
    })
    agentSide.on('message', (data) => {
      if (gatewaySide.readyState === WebSocket.OPEN) gatewaySide.send(String(data))
      else pending.push(String(data))
    })
    gatewaySide.on('message', (data) => {
      const message = JSON.parse(String(data))
      if (control.tamper && message.type === 'delta') {
        message.payload.ops = [{ op: 'drop', id: 'w:m1' }]
        control.tampered++
      }
      agentSide.send(JSON.stringify(message))
    })
    const closeBoth = () => {
      agentSide.terminate()
      gatewaySide.terminate()
    }
    agentSide.on('close', closeBoth)
    gatewaySide.on('close', closeBoth)
    gatewaySide.on('error', closeBoth)
  })
  t.teardown(() => {
    for (const client of server.clients) client.terminate()
    return new Promise((resolve) => server.close(resolve))
  })
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/agents/stream`, control }
}

t.test('a tampered delta is rejected by the agent, which keeps its current enforcement', async (t) => {
  const stack = await startStack(t, { env: e2eEnv() })
  const { sky, isp } = await baseData(stack, Date.now())
  await stack.start('scheduler')
  const gateway = await stack.start('gateway')
  const proxy = await startTamperingProxy(t, gateway.url)
  const agent = await stack.startAgent({ id: 'edge-1', token: isp, gateways: [proxy.url] })

  const kickoff = Date.now() + 1000
  await putEvent(stack, 'm1', kickoff, kickoff + 120_000)
  await putList(stack, sky, 'sky-it', kickoff, ['203.0.113.7'])
  const live = await waitFor(agent.status, (s) => s.prefixes.includes('203.0.113.7/32'), 8000)
  t.ok(live.prefixes.includes('203.0.113.7/32'), 'live through the proxy')

  proxy.control.tamper = true
  const add = (target: string) =>
    stack.api.as(sky).request('POST', `/v1/lists/sky-it/${weekOf(kickoff)}/entries`, {
      entries: [{ target, evidence: `sha256:${'ab'.repeat(32)}` }],
    })
  await add('198.51.100.50')
  const refused = await waitFor(agent.status, (s) => s.rejected > 0, 5000)
  t.ok(proxy.control.tampered > 0, 'the proxy rewrote a delta')
  t.ok(refused.rejected > 0, 'the agent refused it')
  t.ok(refused.prefixes.includes('203.0.113.7/32'), 'and kept enforcing what it enforced')
  t.notOk(refused.prefixes.includes('198.51.100.50/32'), 'without applying any of the tampered revision')
  const metrics = await waitFor(
    () => fetch(`http://127.0.0.1:${gateway.port}/metrics`).then((res) => res.text()),
    (text) => /offside_gateway_agent_errors_total\{code="bad-signature"\} [1-9]/.test(text),
    5000,
  )
  t.match(
    metrics,
    /offside_gateway_agent_errors_total\{code="bad-signature"\} [1-9]/,
    'the gateway heard the refusal',
  )

  proxy.control.tamper = false
  await add('198.51.100.51')
  // .50 and .51 merge into one /31 in the agent's minimal cover, so ask the set.
  const both = (prefixes: string[]) => PrefixSet.from(prefixes).contains('198.51.100.50/31')
  const healed = await waitFor(agent.status, (s) => both(s.prefixes), 8000)
  t.ok(both(healed.prefixes), 'once the channel is clean again the agent resyncs and applies both additions')
})
