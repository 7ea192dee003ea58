/**
 * What the match-day bench waits for, read from Redis (the gateway records each ack with its own
 * receive time): the next revision, and every agent's first ack of a revision. Every wait is
 * bounded and says how far it got instead of throwing, so a slow trial is a row of the table, not
 * the end of the run.
 */
import type { Db } from '@offside/store'
import type { Redis } from 'ioredis'

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

export interface Acked {
  /** Gateway time of the last agent's first ack of the revision; undefined if some never acked. */
  at: number | undefined
  /** Gateway time of the first agent's first ack of it (undefined if none did). */
  first: number | undefined
  /** How many agents had acked it when the wait ended. */
  acked: number
}

export function ackWatch(redis: Redis, db: Db, isp: string, agentIds: string[], schedulerUrl: () => string) {
  const lastRevision = async () => Number((await redis.get(db.keys.revisions.counter)) ?? 0)

  /** When the last agent first acked ≥ revision, polling all agents in one pipeline. */
  const allAcked = async (revision: number, timeoutMs: number): Promise<Acked> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const pipeline = redis.pipeline()
      for (const id of agentIds)
        pipeline.zrangebyscore(db.keys.agents.acks(`${isp}/${id}`), revision, '+inf', 'LIMIT', 0, 1)
      const replies = (await pipeline.exec()) ?? []
      const firsts = replies.map(([, raw]) => {
        const [text] = raw as string[]
        return text ? (JSON.parse(text) as { receivedAt: number }).receivedAt : undefined
      })
      const times = firsts.filter((at) => at !== undefined)
      const first = times.length > 0 ? Math.min(...times) : undefined
      const acked = times.length
      if (acked === agentIds.length) return { at: Math.max(...times), first, acked }
      if (Date.now() > deadline) return { at: undefined, first, acked }
      // Polling 1 000 agents' acks costs Redis too: poll less often the more there are.
      await sleep(Math.max(20, agentIds.length / 20))
    }
  }

  /** The first revision after `after`, or undefined after `timeoutMs`. */
  const nextRevision = async (after: number, timeoutMs: number): Promise<number | undefined> => {
    const deadline = Date.now() + timeoutMs
    // Looked at once even when the deadline has passed: the revision may be out already.
    for (;;) {
      const revision = await lastRevision()
      if (revision > after) return revision
      if (Date.now() > deadline) return undefined
      await sleep(5)
    }
  }

  /** When the scheduler issued `revision` (its clock just before publishing it), or undefined. */
  const issuedAt = async (revision: number): Promise<number | undefined> => {
    const entries = (await redis.xrange(db.keys.revisions.stream, `${revision}-0`, `${revision}-0`)) as [
      string,
      string[],
    ][]
    const fields = entries[0]?.[1] ?? []
    const record = fields[fields.indexOf('record') + 1]
    return record ? (JSON.parse(record) as { issuedAt?: number }).issuedAt : undefined
  }

  /** What the scheduler's queues hold, to say why a revision never came. */
  const queueState = async () => {
    const parts: string[] = []
    for (const queue of ['recompute', 'timeline']) {
      const base = `${db.keys.prefix}bull:${queue}`
      const [waiting, active, delayed, failed] = await Promise.all([
        redis.llen(`${base}:wait`),
        redis.llen(`${base}:active`),
        redis.zcard(`${base}:delayed`),
        redis.zrange(`${base}:failed`, -3, -1),
      ])
      const reasons = await Promise.all(failed.map((id) => redis.hget(`${base}:${id}`, 'failedReason')))
      parts.push(
        `${queue}: wait ${waiting}, active ${active}, delayed ${delayed}, failed [${reasons.join('; ')}]`,
      )
    }
    const metrics = await fetch(`${schedulerUrl()}/metrics`, { signal: AbortSignal.timeout(10_000) })
      .then((res) => res.text())
      .catch((err: Error) => `metrics: ${err.message}`)
    parts.push(
      ...metrics.split('\n').filter((line) => /^offside_scheduler_(skipped|failures|revisions)/.test(line)),
    )
    return parts.join('; ')
  }

  return { lastRevision, allAcked, nextRevision, issuedAt, queueState }
}
