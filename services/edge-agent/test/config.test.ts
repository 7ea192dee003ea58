import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { streamUrl } from '../src/agent.js'
import { ConfigError, loadConfig, USAGE } from '../src/config.js'
import { reconnectDelay } from '../src/reconnect-delay.js'
import { AGENT_VERSION } from '../src/version.js'

const flags = [
  '--gateway',
  'wss://gw-a:8081',
  '--token',
  'ofs_x',
  '--agent-id',
  'edge-1',
  '--public-key',
  '/k.pem',
]
const dryRun = ['--backend', 'dry-run']

const configOf = (result: ReturnType<typeof loadConfig>) => {
  if (result === 'help' || result === 'version') throw new Error(`expected a configuration, got ${result}`)
  return result
}

async function configFile(t: Test, content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'offside-agent-config-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'agent.json')
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

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
  if (config === 'help' || config === 'version') return
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
  const byFlag = configOf(loadConfig([...flags, ...dryRun, '--gateway', 'wss://gw-b:8081'], {}))
  t.same(byFlag.gatewayUrls, ['wss://gw-a:8081', 'wss://gw-b:8081'], 'repeated flag')
  const byEnv = configOf(
    loadConfig([...flags.slice(2), ...dryRun], { OFFSIDE_AGENT_GATEWAY: 'wss://gw-a:8081,wss://gw-b' }),
  )
  t.same(byEnv.gatewayUrls, ['wss://gw-a:8081', 'wss://gw-b'], 'comma list')
  t.equal(
    streamUrl('ws://gw-a:8081'),
    'ws://gw-a:8081/v1/agents/stream',
    'a bare gateway URL gets the stream path',
  )
  t.equal(streamUrl('wss://gw/v1/agents/stream'), 'wss://gw/v1/agents/stream', 'a full URL is kept')
})

t.test('a missing or wrong setting is refused with its name', async (t) => {
  t.throws(() => loadConfig([...flags.slice(2), ...dryRun], {}), ConfigError, 'no gateway')
  t.throws(
    () => loadConfig(['--gateway', 'http://gw', ...flags.slice(2), ...dryRun], {}),
    /ws:\/\//,
    'not a websocket URL',
  )
  t.throws(() => loadConfig([...flags.slice(0, 6), ...dryRun], {}), /public-key/, 'no pinned key')
  t.throws(() => loadConfig([...flags, '--backend', 'iptables'], {}), /backend/, 'unknown backend')
  t.throws(
    () => loadConfig([...flags, ...dryRun, '--agent-id', 'a b'], {}),
    /agent-id/,
    'agent id with a space',
  )
  t.throws(
    () => loadConfig([...flags, ...dryRun, '--metrics-port', 'x'], {}),
    /metrics-port/,
    'port not a number',
  )
  t.throws(() => loadConfig([...flags, ...dryRun, '--frobnicate'], {}), 'unknown flag')
  t.throws(
    () =>
      loadConfig(
        [...flags.slice(0, 2), ...flags.slice(4), '--token-file', '/nonexistent/token', ...dryRun],
        {},
      ),
    /--token-file \/nonexistent\/token/,
    'an unreadable token file is named',
  )
})

t.test('an agent without a backend is refused: dry-run runs only when asked for by name', async (t) => {
  t.throws(() => loadConfig(flags, {}), /--backend is required/, 'no backend named')
  t.equal(configOf(loadConfig([...flags, ...dryRun], {})).backend, 'dry-run', 'dry-run by name')
  const file = await configFile(t, { backend: 'nftables' })
  t.equal(configOf(loadConfig([...flags, '--config', file], {})).backend, 'nftables', 'from the file')
})

t.test('an unknown key in the config file is refused by its name', async (t) => {
  const typo = await configFile(t, { backnd: 'nftables', agentId: 'edge-1' })
  t.throws(
    () => loadConfig([...flags, ...dryRun, '--config', typo], {}),
    { name: 'ConfigError', message: /unknown setting "backnd"/ },
    'the misspelt key is named',
  )
  const notJson = await configFile(t, '{"backend": ')
  t.throws(
    () => loadConfig([...flags, ...dryRun, '--config', notJson], {}),
    { name: 'ConfigError', message: /--config .*agent\.json/ },
    'a file that is not JSON is named',
  )
  const badSection = await configFile(t, { backend: 'nftables', nftables: 'offside' })
  t.throws(
    () => loadConfig([...flags, '--config', badSection], {}),
    /"nftables" must be an object/,
    'a backend section that is not an object',
  )
  const other = await configFile(t, { backend: 'nftables', nftables: {}, flowspec: { maxRules: 10 } })
  t.same(
    configOf(loadConfig([...flags, '--config', other], {})).backendOptions,
    {},
    'a section for another backend may stay in the file',
  )
})

t.test('--version and --help answer without any other setting', async (t) => {
  t.equal(loadConfig(['--version'], {}), 'version', '--version')
  t.equal(loadConfig(['--help'], {}), 'help', '--help')
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
  t.equal(AGENT_VERSION, pkg.version, 'the version is the package version')
  for (const setting of ['table', 'hooks', 'verdict', 'netns', 'mode', 'maxRules', 'aggregate', 'nextHops'])
    t.match(USAGE, `"${setting}"`, `--help documents the backend setting ${setting}`)
  t.match(USAGE, /Exit status: 0 .* 2 .* 1 /s, '--help documents the exit statuses')
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

t.test(
  'a ws:// gateway off loopback is refused unless --insecure: the token would travel in clear',
  async (t) => {
    const base = ['--token', 'ofs_x', '--agent-id', 'edge-1', '--public-key', '/k.pem', ...dryRun]
    t.throws(
      () => loadConfig(['--gateway', 'ws://gw.example:8081', ...base], {}),
      { name: 'ConfigError', message: /ws:\/\/ sends the token in clear/ },
      'refused by default',
    )
    for (const url of ['ws://127.0.0.1:8081', 'ws://localhost:8081', 'ws://[::1]:8081', 'wss://gw.example']) {
      t.same(configOf(loadConfig(['--gateway', url, ...base], {})).gatewayUrls, [url], `${url} is accepted`)
    }
    t.ok(
      configOf(loadConfig(['--gateway', 'ws://gw.example:8081', '--insecure', ...base], {})),
      '--insecure accepts it',
    )
    t.ok(
      configOf(loadConfig(['--gateway', 'ws://gw.example:8081', ...base], { OFFSIDE_AGENT_INSECURE: '1' })),
      'so does OFFSIDE_AGENT_INSECURE=1',
    )
  },
)
