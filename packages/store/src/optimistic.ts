import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import type { Db } from './keys.js'

type Tx = ReturnType<Redis['multi']>

/** What one attempt decided: commit `tx` (and answer `result` if it commits), or answer at once. */
export type Attempt<T> = { tx: Tx; result: T } | { result: T }

/** A watched key kept changing under every attempt. */
export class KeptChangingError extends Error {
  override name = 'KeptChangingError'
}

const DEFAULT_ATTEMPTS = 100

/**
 * Optimistic concurrency for a read-then-write change: WATCH `keys`, let `attempt` read through
 * the same connection and queue its writes on a MULTI, EXEC; when a watched key moved in between,
 * EXEC aborts and the whole attempt runs again with fresh reads.
 *
 * WATCH belongs to a connection, not to a caller: on the shared client another request's EXEC
 * would clear our watch and let a stale read through (a hot addition writing back a list version
 * an upload has just replaced, an audit head forked). So each change runs on a connection of its
 * own, taken from a few kept per client: opening one per change (connect, handshake, ready check)
 * cost a hot addition or a complaint decision more than its writes on a busy machine. A connection
 * goes back only when it holds no watch (after EXEC or UNWATCH); one whose attempt threw is closed.
 *
 * Every audit append moves the audit head, so under a burst of writes the retries back off a
 * little (random, growing) instead of retrying in lockstep with each other.
 */
export async function watchedChange<T>(
  db: Db,
  keys: string[],
  what: string,
  attempt: (redis: Redis) => Promise<Attempt<T>>,
  attempts = DEFAULT_ATTEMPTS,
): Promise<T> {
  const pool = poolOf(db.redis)
  const redis = pool.take(db.redis)
  let clean = false
  try {
    for (let n = 0; n < attempts; n++) {
      if (n > 0) await sleep(Math.random() * Math.min(50, 2 * n))
      await redis.watch(...keys)
      const decided = await attempt(redis)
      if (!('tx' in decided)) {
        await redis.unwatch()
        clean = true
        return decided.result
      }
      if (await decided.tx.exec()) {
        clean = true
        return decided.result
      }
    }
    clean = true // the last EXEC aborted, which cleared the watch
  } finally {
    pool.give(redis, clean)
  }
  throw new KeptChangingError(`${what} kept changing; gave up after ${attempts} attempts`)
}

/** At most this many idle connections are kept per client for watched changes. */
const IDLE_MAX = 8

/** The connections kept for the watched changes of one client; closed when the client ends. */
class WatchPool {
  #idle: Redis[] = []
  #closed = false

  constructor(client: Redis) {
    client.once('end', () => {
      this.#closed = true
      for (const redis of this.#idle.splice(0)) redis.disconnect()
    })
  }

  take(client: Redis): Redis {
    for (let redis = this.#idle.pop(); redis; redis = this.#idle.pop()) {
      if (redis.status === 'ready') return redis
      redis.disconnect()
    }
    const redis = client.duplicate()
    redis.on('error', () => undefined) // failures reach the caller through the commands
    return redis
  }

  give(redis: Redis, clean: boolean): void {
    if (clean && !this.#closed && redis.status === 'ready' && this.#idle.length < IDLE_MAX) {
      this.#idle.push(redis)
    } else redis.disconnect()
  }
}

const pools = new WeakMap<Redis, WatchPool>()

function poolOf(client: Redis): WatchPool {
  let pool = pools.get(client)
  if (!pool) {
    pool = new WatchPool(client)
    pools.set(client, pool)
  }
  return pool
}
