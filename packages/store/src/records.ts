import type { Db } from './keys.js'

/**
 * Records the effective state is computed from (competitions, events, orders), kept as JSON in one
 * hash each by id. Every write bumps the state generation in the same transaction, so a reader
 * holding loaded inputs (`stateGeneration`) never misses it.
 */

/** Writes `records` into `hash` in one transaction; returns how many ids were new. */
export async function putStateRecords(db: Db, hash: string, records: { id: string }[]): Promise<number> {
  const fields: string[] = []
  for (const record of records) fields.push(record.id, JSON.stringify(record))
  const [[, added] = []] =
    (await db.redis
      .multi()
      .hset(hash, ...fields)
      .incr(db.keys.stateGeneration)
      .exec()) ?? []
  return Number(added)
}

export async function getRecord<T>(db: Db, hash: string, id: string): Promise<T | null> {
  const raw = await db.redis.hget(hash, id)
  return raw ? (JSON.parse(raw) as T) : null
}

export async function listRecords<T>(db: Db, hash: string): Promise<T[]> {
  return (await db.redis.hvals(hash)).map((raw) => JSON.parse(raw) as T)
}
