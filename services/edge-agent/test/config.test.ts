import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { streamUrl } from '../src/agent.js'
import { ConfigError, loadConfig } from '../src/config.js'
import { reconnectDelay } from '../src/reconnect-delay.js'

const flags = [
  '--gateway',
  'ws://gw-a:8081',
  '--token',
  'ofs_x',
  '--agent-id',
  'edge-1',
  '--public-key',
  '/k.pem',
]

t.test('flags win over the environment, which wins over the config file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offside-agent-config-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'agent.json')
  await writeFile(
    file,
    JSON.stringify({
      agentId: 'from-file',
      stateDir: '/from/file',
      metricsPort: 9000,
      nftables: { table: 'offside' },
    }),
  )
  const config = loadConfig(
    ['--config', file, '--agent-id', 'from-flag', ...flags.slice(0, 4), ...flags.slice(6)],
    {
      OFFSIDE_AGENT_ID: 'from-env',
      OFFSIDE_AGENT_STATE_DIR: '/from/env',
      OFFSIDE_AGENT_BACKEND: 'nftables',
    },
  )
  t.not(config, 'help', 'a configuration')
  if (config === 'help') return
  t.equal(config.agentId, 'from-flag', 'flag beats env and file')
  t.equal(config.stateDir, '/from/env', 'env beats file')
  t.equal(config.metricsPort, 9000, 'file used when nothing else says')
  t.same(
    config.backendOptions,
    { table: 'offside' },
    'the chosen backend gets its own settings from the file',
  )
})

t.test('several gateways may be given, by flag or by a comma list', async (t) => {
  const byFlag = loadConfig([...flags, '--gateway', 'ws://gw-b:8081'], {})
  t.same(byFlag !== 'help' && byFlag.gatewayUrls, ['ws://gw-a:8081', 'ws://gw-b:8081'], 'repeated flag')
  const byEnv = loadConfig(flags.slice(2), { OFFSIDE_AGENT_GATEWAY: 'ws://gw-a:8081,wss://gw-b' })
  t.same(byEnv !== 'help' && byEnv.gatewayUrls, ['ws://gw-a:8081', 'wss://gw-b'], 'comma list')
  t.equal(
    streamUrl('ws://gw-a:8081'),
    'ws://gw-a:8081/v1/agents/stream',
    'a bare gateway URL gets the stream path',
  )
  t.equal(streamUrl('wss://gw/v1/agents/stream'), 'wss://gw/v1/agents/stream', 'a full URL is kept')
})

t.test('a missing or wrong setting is refused with its name', async (t) => {
  t.throws(() => loadConfig(flags.slice(2), {}), ConfigError, 'no gateway')
  t.throws(
    () => loadConfig(['--gateway', 'http://gw', ...flags.slice(2)], {}),
    /ws:\/\//,
    'not a websocket URL',
  )
  t.throws(() => loadConfig(flags.slice(0, 6), {}), /public-key/, 'no pinned key')
  t.throws(() => loadConfig([...flags, '--backend', 'iptables'], {}), /backend/, 'unknown backend')
  t.throws(() => loadConfig([...flags, '--agent-id', 'a b'], {}), /agent-id/, 'agent id with a space')
  t.throws(() => loadConfig([...flags, '--metrics-port', 'x'], {}), /metrics-port/, 'port not a number')
  t.throws(() => loadConfig([...flags, '--frobnicate'], {}), 'unknown flag')
})

t.test('reconnect delays grow exponentially up to the cap, with jitter below the ceiling', async (t) => {
  t.equal(
    reconnectDelay(0, 250, 30_000, () => 1),
    250,
    'first ceiling is the base',
  )
  t.equal(
    reconnectDelay(3, 250, 30_000, () => 1),
    2000,
    'doubles each attempt',
  )
  t.equal(
    reconnectDelay(50, 250, 30_000, () => 1),
    30_000,
    'never above the cap',
  )
  t.equal(
    reconnectDelay(5, 250, 30_000, () => 0),
    0,
    'full jitter reaches down to zero',
  )
})
