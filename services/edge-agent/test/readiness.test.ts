import { generateSigningKeyPair, trustedKeysFromPem } from '@offside/protocol'
import t from 'tap'
import { AGENT_VERSION } from '../src/version.js'
import { recordingLog, startAgent, startFakeGateway, until } from './fixtures/fake-gateway.js'

const group = (id: string, from: number, until: number, prefixes: string[]) => ({
  id,
  event: id.slice(2),
  from,
  until,
  prefixes,
})

t.test('the hello carries the agent version', async (t) => {
  const gw = await startFakeGateway(t)
  await startAgent(t, gw)
  const hello = await gw.waitForHello()
  t.equal(hello.agentVersion, AGENT_VERSION, 'version in the hello')
})

t.test('a connected agent that applies what it receives is ready', async (t) => {
  const gw = await startFakeGateway(t)
  const { agent } = await startAgent(t, gw)
  await gw.waitForHello()
  gw.snapshot(3, [group('w:m1', Date.now() - 1000, Date.now() + 60_000, ['203.0.113.7/32'])])
  await gw.waitForAck(3)
  t.same(agent.readiness(), { ready: true, problems: [] }, 'ready, no problem named')
})

t.test('an agent with a wrong pinned key is not ready and says it refuses every revision', async (t) => {
  const gw = await startFakeGateway(t)
  const wrongKey = trustedKeysFromPem([generateSigningKeyPair().publicKeyPem])
  const { agent } = await startAgent(t, { url: gw.url, trusted: wrongKey })
  await gw.waitForHello()
  gw.snapshot(5, [group('w:m1', Date.now() - 1000, Date.now() + 60_000, ['203.0.113.7/32'])])
  await gw.waitForError('unknown-key')
  const { ready, problems } = agent.readiness()
  t.equal(ready, false, 'not ready although connected')
  t.equal(agent.status().connected, true, 'the connection itself is up')
  t.match(
    problems.join('\n'),
    /refusing messages from the gateway \(revision 5\): unknown-key/,
    'names the refusal',
  )
  t.match(problems.join('\n'), /behind: applied revision 0, the gateway sent 5/, 'and that it is behind')
})

t.test('an agent becomes ready again once it applies a revision after a refused one', async (t) => {
  const gw = await startFakeGateway(t)
  const { agent } = await startAgent(t, gw)
  await gw.waitForHello()
  gw.raw('{"v":1,"type":"delta","payload":{"kind":"delta"}}')
  await gw.waitForError('bad-message')
  t.equal(agent.readiness().ready, false, 'not ready after a malformed frame')
  gw.snapshot(1, [])
  await gw.waitForAck(1)
  t.same(agent.readiness(), { ready: true, problems: [] }, 'ready after the next revision applies')
})

t.test('a refused token is said once in plain words, named by /readyz, and retried', async (t) => {
  const gw = await startFakeGateway(t, { refuseWith: 401 })
  const { log, lines } = recordingLog()
  const { agent } = await startAgent(t, gw, { reconnectMaxMs: 40, log })
  await until(() => gw.upgrades.length >= 4, 'four attempts')
  const refused = lines.filter((line) => /refused this agent's token/.test(line.message))
  t.equal(refused.length, 1, 'logged once however many attempts')
  t.equal(refused[0]?.level, 'error', 'as an error')
  t.match(refused[0]?.message, /HTTP 401/, 'with the status')
  t.notOk(
    lines.some((line) => 'err' in line.details),
    'no error object (stack trace) logged for the attempts',
  )
  const { ready, problems } = agent.readiness()
  t.equal(ready, false, 'not ready')
  t.match(problems[0], /refused this agent's token \(HTTP 401\)/, '/readyz names the token')
  t.equal(agent.status().connectionProblem?.kind, 'token-refused', '/status too')
})

t.test('a 403 is read as a refused token too', async (t) => {
  const gw = await startFakeGateway(t, { refuseWith: 403 })
  const { log, lines } = recordingLog()
  await startAgent(t, gw, { reconnectMaxMs: 40, log })
  await until(() => gw.upgrades.length >= 2, 'two attempts')
  t.match(
    lines.find((line) => line.level === 'error')?.message,
    /refused this agent's token \(HTTP 403\)/,
    'named as the token',
  )
})

t.test('an unreachable gateway is logged once per reason, not per attempt', async (t) => {
  const { log, lines } = recordingLog()
  const gw = await startFakeGateway(t)
  const { agent } = await startAgent(
    t,
    { url: 'ws://127.0.0.1:9/v1/agents/stream', trusted: gw.trusted },
    {
      reconnectMaxMs: 40,
      log,
    },
  )
  await until(() => agent.status().reconnects >= 4, 'four reconnects')
  const warnings = lines.filter((line) => line.message === 'cannot reach the gateway')
  t.equal(warnings.length, 1, 'one warning')
  t.match(warnings[0]?.details.reason, /ECONNREFUSED/, 'with the reason in words')
  t.match(agent.readiness().problems[0], /ECONNREFUSED/, '/readyz names it')
})
