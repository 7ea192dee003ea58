/**
 * The end-to-end stack: a real redis-server and real API, scheduler, gateway and edge-agent
 * processes started from the checkout (node --conditions=@offside/source --import tsx), each on a
 * free loopback port, with the dry-run backend. Everything stops when the test ends.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { generateSigningKeyPair } from '@offside/protocol'
import { aclFileText, DEFAULT_KEY_PREFIX, type RedisUser, withRedisUser } from '@offside/store'
import {
  freePort,
  type RedisOptions,
  type ServiceProcess,
  startRedis,
  startRedisSentinel,
  startServiceProcess,
  type TestRedis,
  type TestRedisSentinel,
} from '@offside/testkit'

type Tap = { teardown(fn: () => unknown): void; comment(...args: unknown[]): void }

const root = resolve(import.meta.dirname, '../..')

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value read. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read().catch(() => undefined as T)
    if (value !== undefined && done(value)) return value
    if (Date.now() > deadline) return value
    await sleep(50)
  }
}

/** A service process of the stack: `kill()` is a crash (SIGKILL), `stop()` SIGTERM and wait. */
export type Proc = ServiceProcess

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
  prefixes: string[]
}

export interface AgentProc extends Proc {
  stateDir: string
  status(): Promise<AgentStatus>
}

export interface Stack {
  redisUrl: string
  /** The Redis URL a service signs in with (its own ACL user when the stack has `acl`). */
  redisUrlOf(user: RedisUser): string
  /** The environment every service process of the stack starts from (no Redis URL, no key). */
  env: NodeJS.ProcessEnv
  /** Where the stack keeps its files and logs; a test's own processes may log there too. */
  dir: string
  /** The Sentinel topology when the stack was started with `redis: 'sentinel'`. */
  sentinel?: TestRedisSentinel
  /** The one redis-server otherwise: kill it, restart it, read its AOF folder. */
  server?: TestRedis
  apiUrl: string
  admin: string
  publicKeyFile: string
  /** Calls the API with a bearer token; returns status and parsed body. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON shape each route answers
  api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  startScheduler(name?: string): Promise<Proc>
  /** Starts a gateway; give `port` to bring one back where agents expect it. */
  startGateway(name?: string, port?: number): Promise<Proc & { url: string }>
  /** Every line every process of the stack logged so far, with the file it came from. */
  logs(): Promise<{ file: string; text: string }[]>
  startAgent(options: {
    id: string
    token: string
    gateways: string[]
    stateDir?: string
    /** The real nftables backend with this config (`netns`, `hooks`, `verdict`); dry-run when absent. */
    nftables?: Record<string, unknown>
  }): Promise<AgentProc>
}

/** Starts Redis and the API; schedulers, gateways and agents are started by the test. */
export async function startStack(
  t: Tap,
  options: {
    graceMs?: number
    redis?: 'standalone' | 'sentinel'
    /** redis-server settings for a standalone Redis (the production fsync policy, a memory limit). */
    redisOptions?: RedisOptions
    logLevel?: string
    /**
     * Redis with the ACL users of packages/store/src/acl.ts: each service signs in as its own
     * user (the default user is off); `redisUrl` is then the admin's.
     */
    acl?: boolean
  } = {},
): Promise<Stack> {
  const graceMs = options.graceMs ?? 1000
  const dir = await mkdtemp(join(tmpdir(), 'offside-e2e-'))
  // On Sentinel every acknowledged write waits for the replica (?replicas=1).
  const sentinel = options.redis === 'sentinel' ? await startRedisSentinel(t) : undefined
  const passwords = Object.fromEntries(
    ['api', 'scheduler', 'gateway', 'dashboard', 'notifier', 'admin'].map((user) => [
      user,
      randomBytes(18).toString('base64url'),
    ]),
  ) as Record<RedisUser, string>
  const aclFile = join(dir, 'users.acl')
  if (options.acl) await writeFile(aclFile, aclFileText(DEFAULT_KEY_PREFIX, passwords), { mode: 0o600 })
  const redisOptions = options.acl
    ? { ...options.redisOptions, args: [...(options.redisOptions?.args ?? []), '--aclfile', aclFile] }
    : options.redisOptions
  const server = sentinel ? undefined : await startRedis(t, redisOptions)
  const plain = server ?? { url: `${sentinel?.url}?replicas=1&replicaTimeoutMs=2000` }
  const redisUrlOf = (user: RedisUser) =>
    options.acl ? withRedisUser(plain.url, user, passwords[user]) : plain.url
  const redis = { url: redisUrlOf('admin') }
  const procs: Proc[] = []
  t.teardown(async () => {
    await Promise.all(procs.map((proc) => proc.stop()))
    // OFFSIDE_E2E_KEEP=1 keeps the processes' logs for a post-mortem.
    if (process.env.OFFSIDE_E2E_KEEP) t.comment(`logs kept in ${dir}`)
    else await rm(dir, { recursive: true, force: true })
  })
  const pair = generateSigningKeyPair()
  const privateKeyFile = join(dir, 'signing.pem')
  const publicKeyFile = join(dir, 'signing.pub.pem')
  await writeFile(privateKeyFile, pair.privateKeyPem, { mode: 0o600 })
  await writeFile(publicKeyFile, pair.publicKeyPem)
  const admin = `adm_e2e_${Math.random().toString(36).slice(2)}_0123456789`
  // Each service gets its own Redis user, and only the gateway (which signs pushes) the key.
  const { OFFSIDE_REDIS_URL: _, OFFSIDE_SIGNING_KEY_FILE: __, ...inherited } = process.env
  const env = {
    ...inherited,
    OFFSIDE_ADMIN_TOKEN: admin,
    OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation',
    OFFSIDE_GRACE_MS: String(graceMs),
    OFFSIDE_GRACE_SECONDS: String(graceMs / 1000),
    OFFSIDE_SCHEDULER_TICK_MS: '1000',
    OFFSIDE_GATEWAY_HEARTBEAT_MS: '1000',
    OFFSIDE_LOG_LEVEL: options.logLevel ?? process.env.OFFSIDE_E2E_LOG_LEVEL ?? 'info',
  }

  let counter = 0
  const spawnNode = async (
    name: string,
    entry: string,
    args: string[],
    extraEnv: Record<string, string>,
    port: number,
    readyPath: string,
  ) => {
    const proc: Proc = await startServiceProcess({
      name,
      entry: join(root, entry),
      args,
      env: { ...env, ...extraEnv },
      logFile: join(dir, `${name}-${++counter}.log`),
      port,
      readyPath,
    })
    procs.push(proc)
    return proc
  }

  const apiPort = await freePort()
  await spawnNode(
    'api',
    'services/api/src/server.ts',
    [],
    { OFFSIDE_API_PORT: String(apiPort), OFFSIDE_REDIS_URL: redisUrlOf('api') },
    apiPort,
    '/readyz',
  )
  const apiUrl = `http://127.0.0.1:${apiPort}`

  const api: Stack['api'] = async (token, method, path, body) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {}
    return { status: res.status, body: parsed }
  }

  return {
    redisUrl: redis.url,
    redisUrlOf,
    env,
    dir,
    ...(sentinel ? { sentinel } : {}),
    ...(server ? { server } : {}),
    apiUrl,
    admin,
    publicKeyFile,
    api,
    async logs() {
      const files = (await readdir(dir)).filter((file) => file.endsWith('.log'))
      return Promise.all(files.map(async (file) => ({ file, text: await readFile(join(dir, file), 'utf8') })))
    },
    async startScheduler(name = 'scheduler') {
      const port = await freePort()
      return spawnNode(
        name,
        'services/scheduler/src/server.ts',
        [],
        { OFFSIDE_SCHEDULER_PORT: String(port), OFFSIDE_REDIS_URL: redisUrlOf('scheduler') },
        port,
        '/readyz',
      )
    },
    async startGateway(name = 'gateway', fixedPort?: number) {
      const port = fixedPort ?? (await freePort())
      const proc = await spawnNode(
        name,
        'services/gateway/src/server.ts',
        [],
        {
          OFFSIDE_GATEWAY_PORT: String(port),
          OFFSIDE_GATEWAY_ID: `${name}-${port}`,
          OFFSIDE_REDIS_URL: redisUrlOf('gateway'),
          OFFSIDE_SIGNING_KEY_FILE: privateKeyFile,
        },
        port,
        '/readyz',
      )
      return { ...proc, url: `ws://127.0.0.1:${port}/v1/agents/stream` }
    },
    async startAgent({ id, token, gateways, stateDir, nftables }) {
      const port = await freePort()
      const state = stateDir ?? join(dir, `agent-${id}`)
      const backend = ['--backend', 'dry-run']
      if (nftables) {
        const config = join(dir, `agent-${id}.json`)
        await writeFile(config, JSON.stringify({ nftables }))
        backend.splice(0, 2, '--backend', 'nftables', '--config', config)
      }
      // The token goes in a file, never on the command line (where `ps` shows it to every user).
      const tokenFile = join(dir, `agent-${id}.token`)
      await writeFile(tokenFile, `${token}\n`, { mode: 0o600 })
      const args = [
        ...gateways.flatMap((url) => ['--gateway', url]),
        ['--token-file', tokenFile],
        ['--agent-id', id],
        backend,
        ['--public-key', publicKeyFile],
        ['--state-dir', state],
        ['--metrics-port', String(port)],
        ['--heartbeat-ms', '1000'],
        ['--reconnect-max-ms', '1000'],
        ['--log-level', options.logLevel ?? 'info'],
      ].flat()
      const proc = await spawnNode(
        `agent-${id}`,
        'services/edge-agent/src/cli.ts',
        args,
        {},
        port,
        '/healthz',
      )
      const status = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/status?prefixes=1`)
        return (await res.json()) as AgentStatus
      }
      return { ...proc, stateDir: state, status }
    },
  }
}

/** Season key ("2026-27") of an instant, seasons starting 1 July (UTC is close enough here). */
export function seasonOf(instant: number): string {
  const date = new Date(instant)
  const year = date.getUTCMonth() >= 6 ? date.getUTCFullYear() : date.getUTCFullYear() - 1
  return `${year}-${String((year + 1) % 100).padStart(2, '0')}`
}

/** ISO week key ("2026-W48") of an instant in UTC. */
export function weekOf(instant: number): string {
  const date = new Date(instant)
  const day = date.getUTCDay() || 7
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 4 - day))
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((thursday.getTime() - yearStart) / 86_400_000 + 1) / 7)
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

/** Creates an organisation and a token for it through the API. */
export async function orgWithToken(
  stack: Stack,
  id: string,
  kind: 'rightsholder' | 'isp' | 'ops',
): Promise<string> {
  const org = await stack.api(stack.admin, 'POST', '/v1/orgs', { id, kind, name: id })
  if (org.status !== 201) throw new Error(`org ${id}: ${org.status} ${JSON.stringify(org.body)}`)
  const token = await stack.api(stack.admin, 'POST', '/v1/tokens', { org: id, role: kind })
  if (token.status !== 201) throw new Error(`token ${id}: ${token.status} ${JSON.stringify(token.body)}`)
  return token.body.token as string
}

/** Checks an API answer, with the body in the message when it fails. */
export function expectStatus(res: { status: number; body: unknown }, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`)
}

/**
 * The calendar and orders every scenario needs: competition "serie-a" in UTC with no pre/post
 * minutes (a window is exactly [kickoff, end]), rightsholder "sky-it" with order "o1", ISP "isp-a".
 */
export async function baseData(stack: Stack, now: number) {
  const sky = await orgWithToken(stack, 'sky-it', 'rightsholder')
  const isp = await orgWithToken(stack, 'isp-a', 'isp')
  expectStatus(
    await stack.api(stack.admin, 'PUT', '/v1/competitions/serie-a', {
      name: 'Serie A',
      timeZone: 'UTC',
      preMinutes: 0,
      postMinutes: 0,
    }),
    200,
    'competition',
  )
  expectStatus(
    await stack.api(stack.admin, 'PUT', '/v1/orders/o1', {
      rightsholder: 'sky-it',
      competitions: ['serie-a'],
      season: seasonOf(now),
      reference: '123/26/DDA',
    }),
    200,
    'order',
  )
  return { sky, isp }
}

/** Puts an event with kickoff and end as instants. */
export async function putEvent(stack: Stack, id: string, kickoff: number, end: number, status?: string) {
  const res = await stack.api(stack.admin, 'PUT', `/v1/events/${id}`, {
    competition: 'serie-a',
    kickoff: new Date(kickoff).toISOString(),
    end: new Date(end).toISOString(),
    ...(status ? { status } : {}),
  })
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`event ${id}: ${res.status} ${JSON.stringify(res.body)}`)
}

/** Uploads a weekly list for the week of `instant`. */
export async function putList(
  stack: Stack,
  token: string,
  rightsholder: string,
  instant: number,
  targets: string[],
) {
  const res = await stack.api(token, 'PUT', `/v1/lists/${rightsholder}/${weekOf(instant)}`, {
    entries: targets.map((target) => ({ target, evidence: `sha256:${'ab'.repeat(32)}` })),
  })
  expectStatus(res, 200, 'list upload')
  if (res.body.accepted !== targets.length) throw new Error(`list not accepted: ${JSON.stringify(res.body)}`)
}
