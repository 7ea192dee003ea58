/**
 * One Offside stack for tests, benchmarks and the demo: a real redis-server (or one the caller
 * started) and real service processes from this checkout, each on a free loopback port, started
 * from the sources (tsx) or from the built `dist/` (plain node). It waits for each `/readyz`,
 * hands back URLs, the tokens (in files, never on a command line) and an API client, and stops
 * everything on `t.teardown` (or `stop()` when there is no test).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type ApiClient, apiClient } from './api-client.js'
import { createProcessGroup, type ProcessGroup } from './process-group.js'
import { freePort, type RedisOptions, startRedis, type TestRedis } from './redis.js'
import { type ServiceProcess, startServiceProcess } from './service-process.js'

/** The repository's root: this file is `packages/testkit/{src,dist}/stack.*`. */
const root = resolve(import.meta.dirname, '../../..')

export type ServiceName = 'api' | 'scheduler' | 'gateway' | 'dashboard' | 'portal' | 'notifier'

/** Each service's port variable; the dashboard and the portal also need the API's URL. */
const portVariable: Record<ServiceName, string> = {
  api: 'OFFSIDE_API_PORT',
  scheduler: 'OFFSIDE_SCHEDULER_PORT',
  gateway: 'OFFSIDE_GATEWAY_PORT',
  dashboard: 'OFFSIDE_DASHBOARD_PORT',
  portal: 'OFFSIDE_PORTAL_PORT',
  notifier: 'OFFSIDE_NOTIFIER_PORT',
}
const needsApi = new Set<ServiceName>(['dashboard', 'portal'])

interface Teardown {
  teardown(fn: () => unknown): void
  comment?(...args: unknown[]): void
}

export interface StackOptions {
  /** Started in this order (those reading the API after it); more can be started with `start`. */
  services?: ServiceName[]
  /** Environment for every service process, over the stack's own settings. */
  env?: Record<string, string>
  /** A Redis the caller started (a Sentinel URL, a cluster); otherwise the stack starts one. */
  redis?: { url: string }
  /** redis-server settings when the stack starts it (the production fsync policy, a memory limit). */
  redisOptions?: RedisOptions
  /**
   * The Redis URL each service signs in with, from the plain one (e.g. its own ACL user, see
   * packages/store/src/acl.ts); `admin` is what `redisUrl` hands the test. Default: the plain URL.
   */
  redisUrlFor?: (user: ServiceName | 'admin', url: string) => string
  /** `source` (default): the `.ts` entries with tsx; `dist`: what `tsc -b` built, with plain node. */
  from?: 'source' | 'dist'
  /** OFFSIDE_LOG_LEVEL of every process (default `info`, or OFFSIDE_STACK_LOG_LEVEL). */
  logLevel?: string
  /** How long a process may take to answer /readyz (a loaded 2-core machine is slow). */
  readyTimeoutMs?: number
  /** The launcher's process group (the demo's: it reports unexpected exits and stops its own Redis). */
  group?: ProcessGroup
  /** Each process logs to `<logDir>/<name>.log`, appended and kept (default: in `dir`, removed on stop). */
  logDir?: string
  /** Ed25519 key files kept by the caller (the demo keeps them across runs); generated in `dir` otherwise. */
  keys?: Record<'signing' | 'checkpoint' | 'notice', KeyFiles>
  /** Node's own flags for every service process, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  execArgv?: string[]
  /** Ports chosen by the caller (the demo tells every service every URL before any starts). */
  ports?: Partial<Record<ServiceName, number>>
}

/** An Ed25519 key pair as PEM files: PKCS#8 private (mode 0600), SPKI public. */
export interface KeyFiles {
  privateKey: string
  publicKey: string
}

/** A service process of the stack: `kill()` is a crash (SIGKILL), `stop()` SIGTERM and wait. */
export interface StackService extends ServiceProcess {
  /** `http://127.0.0.1:PORT`, or the agents' websocket URL for a gateway. */
  readonly url: string
}

export interface AgentOptions {
  id: string
  token: string
  /** Gateway websocket URLs (default: the stack's first gateway). */
  gateways?: string[]
  stateDir?: string
  /** The real nftables backend with this config (`netns`, `hooks`, `verdict`); dry-run when absent. */
  nftables?: Record<string, unknown>
  /** More edge-agent arguments (a later flag wins over the stack's defaults). */
  args?: string[]
  /** More environment for the agent process (e.g. the OFFSIDE_AGENT_CLOCK_OFFSET_MS test hook). */
  env?: Record<string, string>
  /** Heartbeat and longest reconnect back-off of 1 s, so tests see changes fast (default); false keeps the agent's own. */
  testTimings?: boolean
  /** The port of its local /status and /metrics (default: a free one). */
  statusPort?: number
  /** Where the token is written, mode 0600 (default: in the stack's `dir`). */
  tokenFile?: string
  /** Its process and log name (default `agent-<id>`). */
  name?: string
}

export interface AgentStatus {
  agentId: string
  connected: boolean
  revision: number
  enforced: number
  staged: number
  rejected: number
  applied: number
  duplicates: number
  gaps: number
  /** Times the control plane's history changed under the agent. */
  historyChanges?: number
  /** Deltas refused because a copy named a group the agent no longer held. */
  unknownGroups?: number
  /** The history (epoch) of the revision the agent holds, as the gateway sent it. */
  epoch?: string
  /** The gateway URL the agent is connected to, or trying next. */
  gateway?: string
  /** The agent's clock minus the gateway's, once measured, and whether it is past the bound. */
  clock?: { offsetMs: number; roundTripMs: number; skewed: boolean; maxOffsetMs: number }
  prefixes: string[]
}

export interface StackAgent extends ServiceProcess {
  stateDir: string
  /** The agent's local /status (with its prefixes). */
  status(): Promise<AgentStatus>
}

export interface Stack {
  /** The folder holding the keys, token files, state and every process's log. */
  dir: string
  /** The Redis URL a test uses (the `admin` user's when `redisUrlFor` is given). */
  redisUrl: string
  /** The Redis URL a service signs in with. */
  redisUrlOf(user: ServiceName | 'admin'): string
  /** The redis-server the stack started (absent when the caller passed `redis`). */
  redisServer?: TestRedis
  /** The bootstrap authority token, and the file holding it (what the CLI reads). */
  admin: string
  adminTokenFile: string
  signingKeyFile: string
  publicKeyFile: string
  /** The audit checkpoint public key: schedulers sign a checkpoint of the audit head every second. */
  checkpointPublicKeyFile: string
  /** Each started service's URL by name (the last one started of that name). */
  urls: Partial<Record<ServiceName, string>>
  /** The URL of a started service; throws when it was not started. */
  url(service: ServiceName): string
  apiUrl: string
  /** The API as the authority; `api.as(token)` for another caller. */
  api: ApiClient
  /** Starts a service (another scheduler or gateway, or one brought back on its old `port`). */
  start(
    service: ServiceName,
    options?: { name?: string; port?: number; env?: Record<string, string> },
  ): Promise<StackService>
  startAgent(options: AgentOptions): Promise<StackAgent>
  /** Every line every process of the stack logged so far, with the file it came from. */
  logs(): Promise<{ file: string; text: string }[]>
  /** Stops every process and removes `dir` (OFFSIDE_STACK_KEEP=1 keeps it); idempotent. */
  stop(): Promise<void>
}

/** The environment a service inherits: the caller's, without its own OFFSIDE_* settings. */
function baseEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('OFFSIDE_'),
    ),
  )
}

function entryOf(from: 'source' | 'dist', service: ServiceName | 'edge-agent'): string {
  const file = service === 'edge-agent' ? 'cli' : 'server'
  return join(root, 'services', service, from === 'dist' ? `dist/${file}.js` : `src/${file}.ts`)
}

/** Starts Redis (unless given) and the chosen services; see {@link StackOptions}. */
export async function startStack(t: Teardown | undefined, options: StackOptions = {}): Promise<Stack> {
  const from = options.from ?? 'source'
  const logLevel = options.logLevel ?? process.env.OFFSIDE_STACK_LOG_LEVEL ?? 'info'
  const dir = await mkdtemp(join(tmpdir(), 'offside-stack-'))
  const logDir = options.logDir ?? dir
  const group = options.group ?? createProcessGroup()
  const redisServer = options.redis ? undefined : await startRedis(undefined, options.redisOptions)
  const plainUrl = options.redis?.url ?? (redisServer as TestRedis).url
  const redisUrlOf = (user: ServiceName | 'admin') => options.redisUrlFor?.(user, plainUrl) ?? plainUrl
  const redisUrl = redisUrlOf('admin')
  const running: ServiceProcess[] = []
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      await Promise.all(running.map((service) => service.stop()))
      await redisServer?.stop()
      if (process.env.OFFSIDE_STACK_KEEP) t?.comment?.(`stack logs kept in ${dir}`)
      else await rm(dir, { recursive: true, force: true })
    })()
    return stopped
  }
  t?.teardown(stop)

  // Each signer its own key (docs/security.md): pushes, audit checkpoints, webhook notices.
  const keyPair = async (name: string): Promise<KeyFiles> => {
    const pair = generateKeyPairSync('ed25519')
    const privateKey = join(dir, `${name}.pem`)
    const publicKey = join(dir, `${name}.pub.pem`)
    await writeFile(privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
    await writeFile(publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }))
    return { privateKey, publicKey }
  }
  const keys = options.keys ?? {
    signing: await keyPair('signing'),
    checkpoint: await keyPair('checkpoint'),
    notice: await keyPair('notice'),
  }
  const signingKeyFile = keys.signing.privateKey
  const publicKeyFile = keys.signing.publicKey
  const checkpointPublicKeyFile = keys.checkpoint.publicKey
  const ownKey: Partial<Record<ServiceName, Record<string, string>>> = {
    gateway: { OFFSIDE_SIGNING_KEY_FILE: signingKeyFile },
    scheduler: {
      OFFSIDE_CHECKPOINT_KEY_FILE: keys.checkpoint.privateKey,
      OFFSIDE_CHECKPOINT_INTERVAL_MS: '1000',
    },
    notifier: { OFFSIDE_NOTICE_KEY_FILE: keys.notice.privateKey },
  }
  const admin = `adm_stack_${randomBytes(12).toString('hex')}`
  const adminTokenFile = join(dir, 'admin.token')
  await writeFile(adminTokenFile, `${admin}\n`, { mode: 0o600 })
  const env = {
    ...baseEnv(),
    OFFSIDE_ADMIN_TOKEN: admin,
    // Test data lives in the documentation ranges, which the guard refuses in production.
    OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation',
    OFFSIDE_LOG_LEVEL: logLevel,
    ...options.env,
  }
  const timeoutMs = options.readyTimeoutMs ?? 60_000
  const urls: Stack['urls'] = {}
  const apiPort = options.ports?.api ?? (await freePort())
  const apiUrl = `http://127.0.0.1:${apiPort}`

  let counter = 0
  const spawnNode = async (
    name: string,
    entry: string,
    args: string[],
    extraEnv: Record<string, string>,
    port: number,
    readyPath: string,
  ) => {
    const service = await startServiceProcess({
      name,
      entry,
      args,
      env: { ...env, ...extraEnv },
      logFile: options.logDir ? join(logDir, `${name}.log`) : join(dir, `${name}-${++counter}.log`),
      port,
      readyPath,
      timeoutMs,
      group,
      ...(options.execArgv ? { execArgv: options.execArgv } : {}),
    })
    running.push(service)
    return service
  }

  const start: Stack['start'] = async (service, { name = service, port, env: extra = {} } = {}) => {
    const chosen =
      port ?? (service === 'api' && !urls.api ? apiPort : (options.ports?.[service] ?? (await freePort())))
    const serviceEnv = {
      [portVariable[service]]: String(chosen),
      OFFSIDE_REDIS_URL: redisUrlOf(service),
      // Only what signs gets a key, each its own: the gateway (pushes), the scheduler (audit
      // checkpoints), the notifier (webhook notices).
      ...ownKey[service],
      ...(needsApi.has(service) ? { OFFSIDE_API_URL: apiUrl } : {}),
      ...(service === 'gateway' ? { OFFSIDE_GATEWAY_ID: `${name}-${chosen}` } : {}),
      ...extra,
    }
    const proc = await spawnNode(name, entryOf(from, service), [], serviceEnv, chosen, '/readyz')
    const url =
      service === 'gateway' ? `ws://127.0.0.1:${chosen}/v1/agents/stream` : `http://127.0.0.1:${chosen}`
    urls[service] = url
    return { ...proc, url }
  }

  const startAgent: Stack['startAgent'] = async ({
    id,
    token,
    gateways,
    stateDir,
    nftables,
    args = [],
    env: agentEnv = {},
    testTimings = true,
    statusPort,
    tokenFile = join(dir, `agent-${id}.token`),
    name = `agent-${id}`,
  }) => {
    const port = statusPort ?? (await freePort())
    const state = stateDir ?? join(dir, `agent-${id}`)
    const backend = ['--backend', 'dry-run']
    if (nftables) {
      const config = join(dir, `agent-${id}.json`)
      await writeFile(config, JSON.stringify({ nftables }))
      backend.splice(0, 2, '--backend', 'nftables', '--config', config)
    }
    // The token goes in a file, never on the command line (where `ps` shows it to every user).
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 })
    const to = gateways ?? (urls.gateway ? [urls.gateway] : [])
    if (to.length === 0) throw new Error(`agent ${id}: no gateway started and none given`)
    const agentArgs = [
      ...to.flatMap((url) => ['--gateway', url]),
      ...['--token-file', tokenFile],
      ...['--agent-id', id],
      ...backend,
      ...['--public-key', publicKeyFile],
      ...['--state-dir', state],
      ...['--metrics-port', String(port)],
      ...(testTimings ? ['--heartbeat-ms', '1000', '--reconnect-max-ms', '1000'] : []),
      ...['--log-level', logLevel],
      ...args,
    ]
    const proc = await spawnNode(name, entryOf(from, 'edge-agent'), agentArgs, agentEnv, port, '/healthz')
    const status = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/status?prefixes=1`)
      return (await res.json()) as AgentStatus
    }
    return { ...proc, stateDir: state, status }
  }

  const stack: Stack = {
    dir,
    redisUrl,
    redisUrlOf,
    ...(redisServer ? { redisServer } : {}),
    admin,
    adminTokenFile,
    signingKeyFile,
    publicKeyFile,
    checkpointPublicKeyFile,
    urls,
    url(service) {
      const url = urls[service]
      if (!url) throw new Error(`${service} is not started in this stack`)
      return url
    },
    apiUrl,
    api: apiClient(apiUrl, admin),
    start,
    startAgent,
    async logs() {
      const files = (await readdir(logDir)).filter((file) => file.endsWith('.log'))
      return Promise.all(
        files.map(async (file) => ({ file, text: await readFile(join(logDir, file), 'utf8') })),
      )
    },
    stop,
  }
  try {
    const wanted = options.services ?? ['api']
    // Side by side, except that the dashboard and the portal wait for the API they read.
    await Promise.all(wanted.filter((s) => !needsApi.has(s)).map((s) => start(s)))
    await Promise.all(wanted.filter((s) => needsApi.has(s)).map((s) => start(s)))
  } catch (err) {
    if (!t) await stop()
    throw err
  }
  return stack
}
