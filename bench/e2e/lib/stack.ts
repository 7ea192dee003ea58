/**
 * The processes of an end-to-end benchmark: a real redis-server and real API, scheduler, gateway
 * and dry-run edge-agent processes started from the checkout (node --conditions=@offside/source
 * --import tsx), each on a free loopback port. Mirrors tests/e2e/stack.ts, with the guard relaxed
 * for the benchmarking range (198.18.0.0/15) as well as the documentation ranges, quiet logs, and
 * no test framework: `close()` stops everything.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
// The bench drives the sources directly; it is not a dependency of anything shipped.
import { generateSigningKeyPair } from '@offside/protocol'
import { freePort, type ServiceProcess, startRedis, startServiceProcess } from '@offside/testkit'

const root = resolve(import.meta.dirname, '../../..')

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

export interface BenchStack {
  redisUrl: string
  admin: string
  /** Calls the API with a bearer token; returns status and parsed body. */
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads whatever JSON shape each route answers
  api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  startScheduler(): Promise<void>
  /** Starts a gateway and returns its websocket URL. */
  startGateway(): Promise<string>
  startAgent(id: string, token: string, gateway: string): Promise<void>
  close(): Promise<void>
}

/** Starts Redis and the API; the scheduler, gateways and agents are started by the caller. */
export async function startBenchStack(options: { graceSeconds: number }): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), 'offside-bench-'))
  const redis = await startRedis()
  const services: ServiceProcess[] = []
  const pair = generateSigningKeyPair()
  const privateKeyFile = join(dir, 'signing.pem')
  const publicKeyFile = join(dir, 'signing.pub.pem')
  await writeFile(privateKeyFile, pair.privateKeyPem, { mode: 0o600 })
  await writeFile(publicKeyFile, pair.publicKeyPem)
  const admin = `adm_bench_${Math.random().toString(36).slice(2)}_0123456789`
  const env = {
    ...process.env,
    OFFSIDE_REDIS_URL: redis.url,
    OFFSIDE_ADMIN_TOKEN: admin,
    OFFSIDE_SIGNING_KEY_FILE: privateKeyFile,
    // Generated entries live in special-purpose ranges that are never routed anywhere.
    OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation,benchmarking',
    OFFSIDE_GRACE_SECONDS: String(options.graceSeconds),
    OFFSIDE_LOG_LEVEL: 'warn',
  }

  let counter = 0
  const spawnNode = async (
    name: string,
    entry: string,
    args: string[],
    extra: Record<string, string>,
    port: number,
    readyPath: string,
  ) => {
    const service = await startServiceProcess({
      name,
      entry: join(root, entry),
      args,
      env: { ...env, ...extra },
      logFile: join(dir, `${name}-${++counter}.log`),
      port,
      readyPath,
      timeoutMs: 60_000,
    })
    services.push(service)
  }

  const apiPort = await freePort()
  await spawnNode(
    'api',
    'services/api/src/server.ts',
    [],
    { OFFSIDE_API_PORT: String(apiPort) },
    apiPort,
    '/readyz',
  )
  const apiUrl = `http://127.0.0.1:${apiPort}`

  return {
    redisUrl: redis.url,
    admin,
    async api(token, method, path, body) {
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
    },
    async startScheduler() {
      const port = await freePort()
      await spawnNode(
        'scheduler',
        'services/scheduler/src/server.ts',
        [],
        { OFFSIDE_SCHEDULER_PORT: String(port) },
        port,
        '/readyz',
      )
    },
    async startGateway() {
      const port = await freePort()
      await spawnNode(
        'gateway',
        'services/gateway/src/server.ts',
        [],
        { OFFSIDE_GATEWAY_PORT: String(port), OFFSIDE_GATEWAY_ID: `gateway-${port}` },
        port,
        '/readyz',
      )
      return `ws://127.0.0.1:${port}/v1/agents/stream`
    },
    async startAgent(id, token, gateway) {
      const port = await freePort()
      const args = [
        ['--gateway', gateway],
        ['--token', token],
        ['--agent-id', id],
        ['--backend', 'dry-run'],
        ['--public-key', publicKeyFile],
        ['--state-dir', join(dir, `agent-${id}`)],
        ['--metrics-port', String(port)],
        ['--log-level', 'warn'],
      ].flat()
      await spawnNode(`agent-${id}`, 'services/edge-agent/src/cli.ts', args, {}, port, '/healthz')
    },
    async close() {
      await Promise.all(services.map((service) => service.stop()))
      await redis.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
