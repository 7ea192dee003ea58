/**
 * How every service reaches Redis: one URL (`OFFSIDE_REDIS_URL`) names the topology, and
 * {@link connectRedis} opens the matching ioredis client. Services never call `new Redis(url)`
 * themselves, so a deployment moves from one server to Sentinel or Cluster by changing the URL.
 *
 * - `redis://[user:password@]host:port[/db]` or `rediss://…` — one server.
 * - `redis-sentinel://[user:password@]host:port,host:port,…/<master name>[/db]` — the primary that
 *   the Sentinels name; clients follow a failover (ioredis asks the Sentinels again).
 * - `redis-cluster://[user:password@]host:port,host:port,…` — a Redis Cluster; any reachable
 *   nodes will do, the rest are discovered.
 *
 * Query options (any topology): `tls=1` for TLS on the sentinel/cluster schemes, `sentinelPassword=`
 * when the Sentinels use another password than the data nodes, and `replicas=N` (with
 * `replicaTimeoutMs=`, default 500) to make acknowledged writes wait until N replicas hold them
 * (see {@link waitForReplicas}).
 */
import calculateSlot from 'cluster-key-slot'
import { Cluster, Redis, type RedisOptions } from 'ioredis'

export type RedisNode = { host: string; port: number }

/** What an OFFSIDE_REDIS_URL says, once parsed. */
export type RedisTopology =
  | { kind: 'standalone'; url: string; durability: Durability }
  | {
      kind: 'sentinel'
      sentinels: RedisNode[]
      name: string
      db: number
      username?: string
      password?: string
      sentinelPassword?: string
      tls: boolean
      durability: Durability
    }
  | {
      kind: 'cluster'
      nodes: RedisNode[]
      username?: string
      password?: string
      tls: boolean
      durability: Durability
    }

/** How many replicas must hold a write before it is acknowledged (0: the primary is enough). */
export interface Durability {
  replicas: number
  timeoutMs: number
}

/** A bad OFFSIDE_REDIS_URL; `reason` says what is wrong with it. */
export class RedisUrlError extends Error {
  override name = 'RedisUrlError'
  readonly code = 'OFFSIDE_REDIS_URL_INVALID'
}

const fail = (reason: string): never => {
  throw new RedisUrlError(`OFFSIDE_REDIS_URL: ${reason}`)
}

function parseNodes(list: string): RedisNode[] {
  const nodes = list.split(',').map((item) => {
    const match = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(item.trim())
    if (!match?.[1] || !match[2]) return fail(`"${item}" is not host:port`)
    const port = Number(match[2])
    if (port < 1 || port > 65535) return fail(`port ${port} is out of range`)
    return { host: match[1].replace(/^\[|\]$/g, ''), port }
  })
  if (nodes.length === 0) fail('no host:port given')
  return nodes
}

function parseCount(value: string | null, name: string, fallback: number): number {
  if (value === null) return fallback
  if (!/^\d+$/.test(value)) fail(`${name} must be a whole number, got "${value}"`)
  return Number(value)
}

/** Parses an OFFSIDE_REDIS_URL; throws {@link RedisUrlError} naming what is wrong. */
export function parseRedisUrl(text: string): RedisTopology {
  const match = /^([a-z-]+):\/\/(?:([^@/]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(text.trim())
  if (!match?.[1] || !match[3]) return fail(`"${text}" is not a URL`)
  const scheme = match[1].toLowerCase()
  const query = new URLSearchParams(match[5] ?? '')
  const durability = {
    replicas: parseCount(query.get('replicas'), 'replicas', 0),
    timeoutMs: parseCount(query.get('replicaTimeoutMs'), 'replicaTimeoutMs', 500),
  }
  const [user, ...rest] = (match[2] ?? '').split(':')
  const username = user ? decodeURIComponent(user) : undefined
  const password = rest.length > 0 ? decodeURIComponent(rest.join(':')) : undefined
  const credentials = { ...(username ? { username } : {}), ...(password ? { password } : {}) }
  const tls = query.get('tls') === '1' || query.get('tls') === 'true'
  if (scheme === 'redis' || scheme === 'rediss') {
    if (match[3].includes(','))
      fail('redis: and rediss: name one server; several are redis-sentinel: or redis-cluster:')
    // ioredis does not know our query options; hand it the URL without them.
    return { kind: 'standalone', url: text.trim().replace(/\?.*$/, ''), durability }
  }
  const path = (match[4] ?? '').split('/').filter(Boolean)
  if (scheme === 'redis-sentinel') {
    const name = path[0]
      ? decodeURIComponent(path[0])
      : fail('name the Sentinel master: redis-sentinel://h:p,h:p/<name>')
    const db = parseCount(path[1] ?? null, 'the database number', 0)
    const sentinelPassword = query.get('sentinelPassword') ?? password
    return {
      kind: 'sentinel',
      sentinels: parseNodes(match[3]),
      name,
      db,
      ...credentials,
      ...(sentinelPassword ? { sentinelPassword } : {}),
      tls,
      durability,
    }
  }
  if (scheme === 'redis-cluster') {
    if (path.length > 0) fail('a Redis Cluster has no database number or name in its URL')
    return { kind: 'cluster', nodes: parseNodes(match[3]), ...credentials, tls, durability }
  }
  return fail(`unknown scheme "${scheme}:" (redis:, rediss:, redis-sentinel: or redis-cluster:)`)
}

const durabilityOf = new WeakMap<object, Durability>()

/**
 * Opens a client for the topology in `url`, with `options` (retries, offline queue, …) applied to
 * every connection it makes. A Cluster is returned typed as `Redis`: it takes the same commands
 * (keys of one command or transaction must share a slot — see `createDb`), and the aggregate
 * modules need not know which topology they run on.
 */
export function connectRedis(url: string | RedisTopology, options: RedisOptions = {}): Redis {
  const topology = typeof url === 'string' ? parseRedisUrl(url) : url
  let client: Redis
  if (topology.kind === 'standalone') client = new Redis(topology.url, options)
  else if (topology.kind === 'sentinel') {
    client = new Redis({
      ...options,
      sentinels: topology.sentinels,
      name: topology.name,
      db: topology.db,
      ...(topology.username ? { username: topology.username } : {}),
      ...(topology.password ? { password: topology.password } : {}),
      ...(topology.sentinelPassword ? { sentinelPassword: topology.sentinelPassword } : {}),
      ...(topology.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      // Not failoverDetector: with it ioredis 5.11 sometimes ended the client for good after a
      // failover in our tests. A crashed primary closes its sockets, which makes ioredis ask the
      // Sentinels again; a manual failover turns the old primary read-only and it drops clients.
    })
  } else {
    const redisOptions: RedisOptions = {
      ...options,
      ...(topology.username ? { username: topology.username } : {}),
      ...(topology.password ? { password: topology.password } : {}),
      ...(topology.tls ? { tls: {} } : {}),
    }
    const cluster = new Cluster(topology.nodes, {
      redisOptions,
      enableOfflineQueue: options.enableOfflineQueue ?? true,
      // BullMQ and our Lua scripts want the primary; replicas are for failover, not reads.
      scaleReads: 'master',
      // While a replica is being promoted the slot answers CLUSTERDOWN/TRYAGAIN for a moment.
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      retryDelayOnFailover: 200,
      // No ready check: when it finds the cluster failing over (cluster_state:fail) ioredis 5.11
      // reconnects but never settles the promise of that connect(), and BullMQ's worker awaits
      // exactly that promise when it resets its blocking connection, so the worker never took a
      // job again after a primary crashed. Commands sent meanwhile get CLUSTERDOWN and are
      // retried (retryDelayOnClusterDown), which is what the ready check would have waited for.
      enableReadyCheck: false,
    })
    client = cluster as unknown as Redis
  }
  durabilityOf.set(client, topology.durability)
  return client
}

/** True when `client` is a Redis Cluster client. */
export function isCluster(client: Redis): boolean {
  return (client as unknown as { isCluster?: boolean }).isCluster === true
}

/** The hash tag of a key (`{offside}:x` → `offside`), or undefined when it has none. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{')
  if (open < 0) return undefined
  const close = key.indexOf('}', open + 1)
  return close > open + 1 ? key.slice(open + 1, close) : undefined
}

/**
 * Waits until every write acknowledged so far is held by the replicas the URL asked for
 * (`replicas=N`). Resolves to true when they do (or none were asked for), false when the timeout
 * passed first: the writes are on the primary only and would be lost if it failed now.
 *
 * Redis's `WAIT` covers the writes of the connection it is sent on, and a change may have been
 * written on another one (a WATCH connection, another process). So this writes `markKey` first:
 * the primary's replication offset is global, and once the mark is replicated, so is everything
 * written before it. On a Cluster both go to the primary owning `markKey`'s slot.
 */
export async function waitForReplicas(client: Redis, markKey: string): Promise<boolean> {
  const durability = durabilityOf.get(client)
  if (!durability || durability.replicas === 0) return true
  const mark = String(Date.now())
  let acked: unknown
  if (isCluster(client)) {
    // The SET goes through the cluster client, which follows a MOVED after a failover and
    // learns the slot's new primary; WAIT then goes on that primary's own connection.
    await client.set(markKey, mark)
    acked = await primaryOf(client as unknown as Cluster, markKey).call(
      'WAIT',
      durability.replicas,
      durability.timeoutMs,
    )
  } else {
    const replies = await client
      .pipeline()
      .set(markKey, mark)
      .call('WAIT', durability.replicas, durability.timeoutMs)
      .exec()
    const [error, reply] = replies?.[1] ?? [new Error('WAIT had no reply'), 0]
    if (error) throw error
    acked = reply
  }
  return Number(acked) >= durability.replicas
}

/**
 * The cluster slot of a key (CRC16 of its hash tag, or of the whole key, mod 16384), computed by
 * the package ioredis itself routes with, so our slot map look-ups agree with its routing.
 */
export const slotOf: (key: string) => number = calculateSlot

/** The connection to the primary serving `key`'s slot, from the cluster client's slot map. */
function primaryOf(cluster: Cluster, key: string): Redis {
  const owner = cluster.slots[slotOf(key)]?.[0]
  const node = owner && cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner)
  if (!node) throw new Error(`no primary known for the slot of ${key}`)
  return node
}

/** The durability the client was opened with (replicas to wait for), for logs and /readyz. */
export function durabilityOfClient(client: Redis): Durability {
  return durabilityOf.get(client) ?? { replicas: 0, timeoutMs: 0 }
}

/**
 * A copy of `client` on the same topology (a blocked XREAD or a WATCH needs a connection of its
 * own), remembering its durability.
 */
export function duplicateRedis(client: Redis, options: RedisOptions = {}): Redis {
  const copy = isCluster(client)
    ? ((client as unknown as Cluster).duplicate(undefined, {
        redisOptions: { ...(client as unknown as Cluster).options.redisOptions, ...options },
      }) as unknown as Redis)
    : client.duplicate(options)
  const durability = durabilityOf.get(client)
  if (durability) durabilityOf.set(copy, durability)
  return copy
}
