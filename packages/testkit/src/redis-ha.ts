/**
 * Redis topologies for failover tests, all real processes on loopback in one temp folder: a
 * Cluster of three primaries with a replica each, and one primary with one replica watched by
 * three Sentinels. Each hands back the OFFSIDE_REDIS_URL a service takes, and lets a test kill
 * the current primary (SIGKILL: a crash) and wait until the topology has healed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './redis.js'

const run = promisify(execFile)
type Tap = { teardown(fn: () => unknown): void }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One redis-server (or Sentinel) process of a topology. */
export interface RedisProcess {
  readonly port: number
  readonly child: ChildProcess
  /** SIGKILL, resolves once it is gone. */
  kill(): Promise<void>
}

async function spawnRedis(args: string[], ready: string): Promise<RedisProcess> {
  const port = Number(args[args.indexOf('--port') + 1])
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`redis on ${port} did not start: ${seen}`)), 10_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis on ${port} exited with ${code}: ${seen}`))
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes(ready)) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  child.stdout?.resume()
  return {
    port,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

/** redis-cli against one port; resolves to its stdout. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])
  return stdout
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await sleep(100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** redis-server's arguments for a loopback node on `port` keeping an append-only file in `dir`. */
export const redisDataArgs = (port: number, dir: string) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--appendonly',
  'yes',
  '--save',
  '',
]

/** A Redis Cluster of three primaries, each with one replica. */
export interface TestRedisCluster {
  /** `redis-cluster://127.0.0.1:p1,…` naming every node. */
  readonly url: string
  readonly nodes: RedisProcess[]
  /** The port of the primary that owns `key`'s slot. */
  primaryFor(key: string): Promise<number>
  /** Kills the primary owning `key` and waits until its replica has taken the slot over. */
  failover(key: string): Promise<{ killed: number; promoted: number }>
  stop(): Promise<void>
}

/** Parses `CLUSTER NODES`: port → role and the slots it serves. */
async function clusterNodes(port: number) {
  const text = await redisCli(port, 'cluster', 'nodes')
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [, address = '', flags = '', , , , , , ...ranges] = line.split(' ')
      return {
        port: Number(address.split('@')[0]?.split(':')[1]),
        primary: flags.includes('master') && !flags.includes('fail'),
        slots: ranges
          .filter((range) => /^\d/.test(range))
          .map((range) => {
            const [from, to = from] = range.split('-').map(Number)
            return [from ?? 0, to ?? 0] as const
          }),
      }
    })
}

/**
 * Starts six `redis-server --cluster-enabled yes` and joins them with `redis-cli --cluster create
 * --cluster-replicas 1`. A 1 s node timeout makes a failover take a few seconds.
 */
export async function startRedisCluster(t?: Tap): Promise<TestRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'offside-redis-cluster-'))
  const nodes: RedisProcess[] = []
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill()))
    await rm(dir, { recursive: true, force: true })
  }
  t?.teardown(stop)
  for (let i = 0; i < 6; i++) {
    const port = await freePort()
    const nodeDir = join(dir, String(port))
    await mkdir(nodeDir)
    nodes.push(
      await spawnRedis(
        [
          ...redisDataArgs(port, nodeDir),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '1000',
          // A replica whose link was down a while may still be promoted: tests kill at will.
          '--cluster-replica-validity-factor',
          '0',
        ],
        'Ready to accept connections',
      ),
    )
  }
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`)
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'])
  const first = nodes[0]?.port ?? 0
  await until('the cluster to be ok on every node', async () => {
    for (const node of nodes) {
      const info = await redisCli(node.port, 'cluster', 'info')
      if (!info.includes('cluster_state:ok')) return false
    }
    return (await clusterNodes(first)).filter((node) => node.primary).length === 3
  })

  const alive = () => nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null)
  const primaryFor = async (key: string) => {
    const asked = alive()[0]?.port ?? first
    const slot = Number((await redisCli(asked, 'cluster', 'keyslot', key)).trim())
    const owner = (await clusterNodes(asked)).find(
      (node) => node.primary && node.slots.some(([from, to]) => from <= slot && slot <= to),
    )
    if (!owner) throw new Error(`no live primary serves slot ${slot}`)
    return owner.port
  }

  return {
    url: `redis-cluster://${addresses.join(',')}`,
    nodes,
    primaryFor,
    async failover(key) {
      const killed = await primaryFor(key)
      await nodes.find((node) => node.port === killed)?.kill()
      let promoted = 0
      await until(
        'a replica to take over the killed primary',
        async () => {
          promoted = await primaryFor(key)
          for (const node of alive()) {
            if (!(await redisCli(node.port, 'cluster', 'info')).includes('cluster_state:ok')) return false
          }
          return promoted !== killed
        },
        30_000,
      )
      return { killed, promoted }
    },
    stop,
  }
}

/** One primary, one replica and three Sentinels watching them as `offside`. */
export interface TestRedisSentinel {
  /** `redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/offside` */
  readonly url: string
  readonly master: string
  readonly data: RedisProcess[]
  readonly sentinels: RedisProcess[]
  /** The port of the primary the Sentinels currently name. */
  primary(): Promise<number>
  /** Kills the primary and waits until the Sentinels have promoted the replica. */
  failover(): Promise<{ killed: number; promoted: number }>
  /** Starts the killed node again on its port; the Sentinels make it a replica of the new primary. */
  restart(port: number): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts a primary, a replica (`--replicaof`) and three `redis-server --sentinel` (what Debian's
 * `redis-sentinel` runs) with quorum 2 and a 1 s down-after, so a failover takes a few seconds.
 */
export async function startRedisSentinel(t?: Tap): Promise<TestRedisSentinel> {
  const master = 'offside'
  const dir = await mkdtemp(join(tmpdir(), 'offside-redis-sentinel-'))
  const data: RedisProcess[] = []
  const sentinels: RedisProcess[] = []
  const stop = async () => {
    await Promise.all([...sentinels, ...data].map((node) => node.kill()))
    await rm(dir, { recursive: true, force: true })
  }
  t?.teardown(stop)
  const startData = async (port: number, replicaOf?: number) => {
    const nodeDir = join(dir, String(port))
    await mkdir(nodeDir, { recursive: true })
    const node = await spawnRedis(
      [
        ...redisDataArgs(port, nodeDir),
        ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : []),
      ],
      'Ready to accept connections',
    )
    data.push(node)
    return node
  }
  const primaryPort = await freePort()
  await startData(primaryPort)
  const replicaPort = await freePort()
  await startData(replicaPort, primaryPort)
  await until('the replica to sync', async () =>
    (await redisCli(replicaPort, 'info', 'replication')).includes('master_link_status:up'),
  )
  for (let i = 0; i < 3; i++) {
    const port = await freePort()
    const file = join(dir, `sentinel-${port}.conf`)
    await writeFile(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${master} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${master} 1000`,
        `sentinel failover-timeout ${master} 5000`,
        `sentinel parallel-syncs ${master} 1`,
        '',
      ].join('\n'),
    )
    sentinels.push(await spawnRedis([file, '--sentinel', '--port', String(port)], 'Sentinel ID is'))
  }
  const first = sentinels[0]?.port ?? 0
  await until('every Sentinel to see the replica and the others', async () => {
    for (const sentinel of sentinels) {
      const info = await redisCli(sentinel.port, 'sentinel', 'master', master)
      const fields = info.trim().split('\n')
      const field = (name: string) => fields[fields.indexOf(name) + 1]
      if (field('num-slaves') !== '1' || field('num-other-sentinels') !== '2') return false
    }
    return true
  })

  const primary = async () => {
    const reply = await redisCli(first, 'sentinel', 'get-master-addr-by-name', master)
    return Number(reply.trim().split('\n')[1])
  }
  return {
    url: `redis-sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${master}`,
    master,
    data,
    sentinels,
    primary,
    async failover() {
      const killed = await primary()
      await data.find((node) => node.port === killed)?.kill()
      let promoted = killed
      await until(
        'the Sentinels to promote the replica',
        async () => {
          promoted = await primary()
          if (promoted === killed) return false
          return (await redisCli(promoted, 'role')).startsWith('master')
        },
        30_000,
      )
      return { killed, promoted }
    },
    async restart(port) {
      const index = data.findIndex((node) => node.port === port)
      if (index >= 0) data.splice(index, 1)
      await startData(port)
      // The Sentinels reconfigure the old primary as a replica of the new one.
      await until(
        'the restarted node to replicate the new primary',
        async () => (await redisCli(port, 'info', 'replication')).includes('master_link_status:up'),
        30_000,
      )
    },
    stop,
  }
}
