/**
 * A lab for full-agent tests on real traffic: a real Redis, a real gateway process, the real
 * agent process (`cli.ts --backend nftables`, with `nft` run inside the subscriber namespace),
 * and three namespaces — subscriber, "pirate" server, "lawful" server — joined by veth pairs,
 * with documentation addresses only. Revisions are published into Redis with the store's
 * revisions module, as the scheduler does. Everything is stopped and deleted at teardown.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { applyGroupOps, type EnforcementGroup, type GroupOp } from '@offside/core'
import { generateSigningKeyPair } from '@offside/protocol'
import { createDb, createToken, type Db, publishRevision, readSnapshot } from '@offside/store'
import {
  connectNetns,
  createNetns,
  freePort,
  startRedis,
  startTcpListener,
  startTcpProber,
  type TcpProbe,
  type TestNetns,
} from '@offside/testkit'
import { Redis } from 'ioredis'

type Tap = { teardown(fn: () => unknown): void; comment(...args: unknown[]): void }

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const PORT = 8443
/** Pirate addresses: a blocked host and one inside a blocked prefix, in both families. */
export const PIRATE = ['203.0.113.7', '203.0.113.70', '2001:db8:7::7', '2001:db8:7:1::7']
export const LAWFUL = ['198.51.100.9', '2001:db8:9::9']
export const BLOCKED_PREFIXES = [
  '203.0.113.7/32',
  '203.0.113.64/26',
  '2001:db8:7::7/128',
  '2001:db8:7:1::/64',
]

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

export interface Proc {
  child: ChildProcess
  port: number
  /** SIGKILL: the process dies without any clean-up of its own. */
  kill(): Promise<void>
}

export interface AgentStatus {
  connected: boolean
  revision: number
  groups: number
  enforced: number
}

export interface Lab {
  subscriber: TestNetns
  /** Publishes a revision into Redis (as the scheduler would); returns its number. */
  publish(ops: GroupOp[]): Promise<number>
  startGateway(port?: number): Promise<Proc>
  /**
   * Starts the agent against `gatewayPort`, with `settings` merged into its config file; resolves
   * once it has reconciled and serves /healthz.
   */
  startAgent(
    gatewayPort: number,
    settings?: Record<string, unknown>,
  ): Promise<Proc & { status(): Promise<AgentStatus> }>
  /** The Redis the gateway records agents and acks in. */
  db: Db
  /** Which of `addresses` answer a TCP connection from the subscriber namespace. */
  reachable(addresses: string[]): Promise<Record<string, boolean>>
  /** One attempt per address from the subscriber namespace, with when it ran. */
  probe(addresses: string[]): Promise<Record<string, TcpProbe>>
}

export function group(id: string, from: number, until: number, prefixes: string[]): EnforcementGroup {
  return { id, event: id.replace(/^w:/, ''), from, until, prefixes }
}

export const all = (addresses: string[], value: boolean) =>
  Object.fromEntries(addresses.map((address) => [address, value]))

/** Polls `read` until `done` holds or `ms` pass; returns the last value read. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read().catch(() => undefined)
    if (value !== undefined && done(value)) return value
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms: ${JSON.stringify(value)}`)
    await sleep(100)
  }
}

export async function startLab(t: Tap): Promise<Lab> {
  const subscriber = await createNetns(t, 'sub')
  const pirate = await createNetns(t, 'pirate')
  const lawful = await createNetns(t, 'lawful')
  await connectNetns(subscriber, pirate, {
    a: ['203.0.113.1/24', '2001:db8:7::1/48'],
    b: ['203.0.113.7/24', '203.0.113.70/24', '2001:db8:7::7/48', '2001:db8:7:1::7/48'],
  })
  await connectNetns(subscriber, lawful, {
    a: ['198.51.100.1/24', '2001:db8:9::1/64'],
    b: ['198.51.100.9/24', '2001:db8:9::9/64'],
  })
  await startTcpListener(pirate, '::', PORT)
  await startTcpListener(lawful, '::', PORT)
  const prober = await startTcpProber(subscriber)
  const probe = async (addresses: string[]) => {
    const results = await Promise.all(addresses.map((address) => prober.probe(address, PORT)))
    return Object.fromEntries(addresses.map((address, i) => [address, results[i] as TcpProbe]))
  }

  const redisServer = await startRedis(t)
  const redis = new Redis(redisServer.url)
  t.teardown(() => redis.quit())
  const db = createDb(redis, 'offside:')
  const { token } = await createToken(db, { org: 'isp-a', role: 'isp', now: Date.now() })

  const dir = await mkdtemp(join(tmpdir(), 'offside-agent-nft-'))
  const procs: Proc[] = []
  t.teardown(async () => {
    await Promise.all(procs.map((proc) => proc.kill()))
    if (process.env.OFFSIDE_E2E_KEEP) t.comment(`logs kept in ${dir}`)
    else await rm(dir, { recursive: true, force: true })
  })
  const pair = generateSigningKeyPair()
  const privateKeyFile = join(dir, 'signing.pem')
  const publicKeyFile = join(dir, 'signing.pub.pem')
  await writeFile(privateKeyFile, pair.privateKeyPem, { mode: 0o600 })
  await writeFile(publicKeyFile, pair.publicKeyPem)
  // The agent runs in the test's own namespace (it reaches the gateway on loopback) and runs
  // `nft` inside the subscriber namespace; nothing is programmed outside that namespace.
  const agentConfig = join(dir, 'agent.json')
  await writeFile(agentConfig, JSON.stringify({ nftables: { netns: subscriber.name, verdict: 'reject' } }))
  const stateDir = join(dir, 'agent-state')

  let counter = 0
  const start = async (
    name: string,
    args: string[],
    env: Record<string, string>,
    port: number,
    ready: string,
  ) => {
    const log = createWriteStream(join(dir, `${name}-${++counter}.log`))
    const child = spawn(process.execPath, ['--conditions=@offside/source', '--import', 'tsx', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const proc: Proc = {
      child,
      port,
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        await exited
      },
    }
    procs.push(proc)
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}, see ${dir}`)
        return (await fetch(`http://127.0.0.1:${port}${ready}`)).ok
      },
      (ok) => ok,
      20_000,
    )
    return proc
  }

  return {
    subscriber,
    db,
    async publish(ops) {
      const snapshot = await readSnapshot(db)
      const result = await publishRevision(db, {
        previous: snapshot.revision,
        issuedAt: Date.now(),
        cause: { kind: 'list-upload', requestedAt: Date.now() },
        ops,
        groups: applyGroupOps(snapshot.groups, ops),
        live: [],
        enforcedCount: 0,
      })
      if (result.status !== 'published') throw new Error(`publish failed: ${result.status}`)
      return result.record.revision
    },
    async startGateway(fixedPort) {
      const port = fixedPort ?? (await freePort())
      const env = {
        OFFSIDE_REDIS_URL: redisServer.url,
        OFFSIDE_KEY_PREFIX: 'offside:',
        OFFSIDE_SIGNING_KEY_FILE: privateKeyFile,
        OFFSIDE_GATEWAY_PORT: String(port),
        OFFSIDE_GATEWAY_HEARTBEAT_MS: '1000',
        OFFSIDE_LOG_LEVEL: 'info',
      }
      return start('gateway', ['services/gateway/src/server.ts'], env, port, '/readyz')
    },
    async startAgent(gatewayPort, settings) {
      const port = await freePort()
      let configFile = agentConfig
      if (settings) {
        configFile = join(dir, `agent-${++counter}.json`)
        const base = { nftables: { netns: subscriber.name, verdict: 'reject' } }
        await writeFile(configFile, JSON.stringify({ ...base, ...settings }))
      }
      const args = [
        'services/edge-agent/src/cli.ts',
        ...['--gateway', `ws://127.0.0.1:${gatewayPort}`, '--token', token, '--agent-id', 'edge-nft'],
        ...['--backend', 'nftables', '--config', configFile, '--public-key', publicKeyFile],
        ...['--state-dir', stateDir, '--metrics-port', String(port)],
        ...['--heartbeat-ms', '1000', '--reconnect-max-ms', '1000', '--log-level', 'info'],
      ]
      const proc = await start('agent', args, {}, port, '/healthz')
      const status = async () =>
        (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as AgentStatus
      return { ...proc, status }
    },
    async reachable(addresses) {
      const results = await probe(addresses)
      return Object.fromEntries(
        addresses.map((address) => [address, results[address]?.outcome === 'connected']),
      )
    },
    probe,
  }
}
