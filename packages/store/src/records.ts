import type { Db } from './keys.js'

/**
 * What the effective state is computed from and kept as plain JSON: records by id in one hash each
 * (competitions, events, orders) and whole tables as one value (the protected ranges and suffixes).
 * Every write bumps the state generation in the same transaction, so a reader holding loaded inputs
 * (`stateGeneration`) never misses it.
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

/** A whole table the state depends on kept as one JSON value (the protected ranges), or null. */
export async function getStateDocument<T>(db: Db, key: string): Promise<T | null> {
  const raw = await db.redis.get(key)
  return raw ? (JSON.parse(raw) as T) : null
}

/** Replaces such a table, bumping the state generation in the same transaction. */
export async function putStateDocument(db: Db, key: string, value: unknown): Promise<void> {
  await db.redis.multi().set(key, JSON.stringify(value)).incr(db.keys.stateGeneration).exec()
}
