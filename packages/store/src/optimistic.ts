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
 * an upload has just replaced, an audit head forked). So each change gets a connection of its own
 * (a loopback handshake, well under a millisecond next to the write itself).
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
  const redis = db.redis.duplicate()
  redis.on('error', () => undefined) // failures reach the caller through the commands
  try {
    for (let n = 0; n < attempts; n++) {
      if (n > 0) await sleep(Math.random() * Math.min(50, 2 * n))
      await redis.watch(...keys)
      const decided = await attempt(redis)
      if (!('tx' in decided)) {
        await redis.unwatch()
        return decided.result
      }
      if (await decided.tx.exec()) return decided.result
    }
  } finally {
    redis.disconnect()
  }
  throw new KeptChangingError(`${what} kept changing; gave up after ${attempts} attempts`)
}
