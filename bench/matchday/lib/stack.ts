/**
 * The control plane of one match-day run, as processes on loopback: redis-server, then the api
 * (with the competition, the orders, the live event and the live 100k lists put through it), the
 * scheduler and the gateway. `stop` ends everything it started.
 */
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { isoWeekKey, seasonOf } from '@offside/core'
import { generateSigningKeyPair } from '@offside/protocol'
import { createDb, type Db } from '@offside/store'
import { freePort, type ServiceProcess, startRedis, startServiceProcess } from '@offside/testkit'
import { Redis } from 'ioredis'
import { list } from './lists.js'

export const ISP = 'isp-a'
/** The bench's one competition (the values PUT to the API below), for core's season and week keys. */
const competition = { id: 'serie-a', name: 'Serie A', timeZone: 'UTC', preMinutes: 0, postMinutes: 0 }
const root = resolve(import.meta.dirname, '../../..')
export const evidence = `sha256:${'ab'.repeat(32)}`
/**
 * The gateway's and the agents' heartbeat period. Simulated agents share a few cores: with 250 of
 * them in one process each applying a new 100k list, an agent's heartbeat waits minutes for its
 * event loop, and at 60 s (silent after three) the gateway dropped a whole process's agents in
 * the middle of the change. A real agent has a machine of its own; 5 min keeps the runs about
 * the control plane.
 */
export const HEARTBEAT_MS = 300_000

export interface StackOptions {
  dir: string
  logDir: string
  agentCount: number
  listCount: number
  /** How many complaints the run will uphold (their targets are listed by sky-it). */
  complaints: number
  execArgv: string[]
  /** Hears at once how to stop whatever has been started so far (a run stopped mid-start leaves nothing behind). */
  onStop?: (stop: () => Promise<void>) => void
}

export async function startStack(options: StackOptions) {
  const { dir, logDir, agentCount, listCount } = options
  const redisServer = await startRedis()
  const services: ServiceProcess[] = []
  const redis = new Redis(redisServer.url)
  const db: Db = createDb(redis)
  const stop = async () => {
    await redis.quit().catch(() => undefined)
    await Promise.all(services.map((service) => service.stop()))
    await redisServer.stop()
  }
  options.onStop?.(stop)
  try {
    const pair = generateSigningKeyPair()
    const privateKeyFile = join(dir, 'signing.pem')
    const publicKeyFile = join(dir, 'signing.pub.pem')
    await writeFile(privateKeyFile, pair.privateKeyPem, { mode: 0o600 })
    await writeFile(publicKeyFile, pair.publicKeyPem)
    const admin = `adm_matchday_${Math.random().toString(36).slice(2)}_0123456789`
    const env = {
      ...process.env,
      OFFSIDE_REDIS_URL: redisServer.url,
      OFFSIDE_ADMIN_TOKEN: admin,
      OFFSIDE_SIGNING_KEY_FILE: privateKeyFile,
      OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation,benchmarking',
      OFFSIDE_GRACE_SECONDS: '1',
      OFFSIDE_LOG_LEVEL: process.env.OFFSIDE_LOG_LEVEL ?? 'warn',
      // A connection's claim lapses after three heartbeats (15 min here): after the gateway is
      // killed, its claims and the reconnected agents' count together, and agents sent away (a
      // history change) come back again. The cap is not what the run measures.
      OFFSIDE_GATEWAY_MAX_AGENTS_PER_ISP: String(agentCount * 10 + 10),
      OFFSIDE_API_PUBLIC_RATE_LIMIT: '100000',
      OFFSIDE_GATEWAY_HEARTBEAT_MS: String(HEARTBEAT_MS),
    }
    const start = async (name: string, entry: string, portVar: string, port?: number) => {
      const p = port ?? (await freePort())
      const service = await startServiceProcess({
        name,
        entry: join(root, entry),
        env: { ...env, [portVar]: String(p), OFFSIDE_GATEWAY_ID: `gateway-${p}` },
        logFile: join(logDir, `${name}-${services.length}.log`),
        port: p,
        readyPath: '/readyz',
        execArgv: options.execArgv,
        timeoutMs: 120_000, // a gateway restarted under a reconnect storm on a loaded machine
      })
      services.push(service)
      return service
    }
    const api = await start('api', 'services/api/src/server.ts', 'OFFSIDE_API_PORT')
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(300_000),
      })
      const text = await res.text()
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`)
      return text ? JSON.parse(text) : undefined
    }
    const tokenFor = async (id: string, kind: string) => {
      await call(admin, 'POST', '/v1/orgs', { id, kind, name: id })
      return (await call(admin, 'POST', '/v1/tokens', { org: id, role: kind })).token as string
    }
    const now = Date.now()
    const { id: _, ...competitionBody } = competition
    await call(admin, 'PUT', '/v1/competitions/serie-a', competitionBody)
    const holders = ['sky-it', ...Array.from({ length: listCount + 1 }, (_, k) => `rh-${k}`)]
    const tokens = new Map<string, string>()
    for (const holder of holders) {
      tokens.set(holder, await tokenFor(holder, 'rightsholder'))
      await call(admin, 'PUT', `/v1/orders/o-${holder}`, {
        rightsholder: holder,
        competitions: ['serie-a'],
        season: seasonOf(now, competition),
        reference: `bench-${holder}`,
      })
    }
    const isp = await tokenFor(ISP, 'isp')
    await call(admin, 'PUT', '/v1/events/live', {
      competition: 'serie-a',
      kickoff: new Date(now - 60_000).toISOString(),
      end: new Date(now + 3 * 3600_000).toISOString(),
    })
    const week = isoWeekKey(now - 60_000, competition.timeZone)
    const upload = (holder: string, targets: string[]) =>
      call(tokens.get(holder) ?? '', 'PUT', `/v1/lists/${holder}/${week}`, {
        entries: targets.map((target) => ({ target, evidence })),
      })
    const complaintTargets = Array.from({ length: options.complaints }, (_, i) => `203.0.113.${i + 10}`)
    await upload('sky-it', ['203.0.113.7', ...complaintTargets])
    for (let k = 0; k < listCount; k++) await upload(`rh-${k}`, list(k))
    const scheduler = await start('scheduler', 'services/scheduler/src/server.ts', 'OFFSIDE_SCHEDULER_PORT')
    let gateway = await start('gateway', 'services/gateway/src/server.ts', 'OFFSIDE_GATEWAY_PORT')
    return {
      redis,
      db,
      admin,
      isp,
      week,
      publicKeyFile,
      api,
      scheduler,
      gateway: () => gateway,
      gatewayUrl: `ws://127.0.0.1:${gateway.port}/v1/agents/stream`,
      call,
      upload,
      tokenOf: (holder: string) => tokens.get(holder) ?? '',
      complaintTargets,
      /** The gateway crashes (SIGKILL) and a new one starts on its port. */
      async restartGateway() {
        await gateway.kill()
        services.splice(services.indexOf(gateway), 1)
        gateway = await start(
          'gateway',
          'services/gateway/src/server.ts',
          'OFFSIDE_GATEWAY_PORT',
          gateway.port,
        )
      },
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>
