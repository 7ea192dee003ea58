/**
 * Test fixtures: a real Redis, the calendar/orders/lists written through the API's store modules,
 * and schedulers started in-process with real BullMQ workers.
 */
import { randomBytes } from 'node:crypto'
import { type Competition, isoWeekKey, type MatchEvent, seasonOf } from '@offside/core'
import {
  createDb,
  createQueue,
  type Db,
  putCompetition,
  putEvent,
  putOrder,
  type RevisionRecord,
  readRevisionsSince,
  requestRecompute,
  swapWeeklyList,
  type TriggerKind,
} from '@offside/store'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import type { Test } from 'tap'
import { createMetrics } from '../src/metrics.js'
import { type Scheduler, startScheduler } from '../src/scheduler.js'

export const GRACE_MS = 500
/**
 * How far ahead a test puts a kickoff it wants to see open: the world and the scheduler must be up
 * before it, or the instant has passed and only a catch-up revision appears (300 ms was too short
 * for a loaded 2-core machine).
 */
export const SOON_MS = 2_000

export const competition: Competition = {
  id: 'serie-a',
  name: 'Serie A',
  timeZone: 'Europe/Rome',
  preMinutes: 0,
  postMinutes: 0,
}

export interface World {
  db: Db
  redisUrl: string
  keyPrefix: string
  /** Starts a scheduler process (in this process) on the world's Redis; closed at teardown. */
  scheduler(options?: { tickMs?: number; horizonMs?: number }): Promise<Scheduler>
  /** Writes an event (window = [kickoff, end) with this competition's zero pre/post minutes). */
  event(id: string, kickoff: number, end: number, status?: MatchEvent['status']): Promise<void>
  /** Uploads the whole list of a rightsholder for the ISO week of `at`. */
  list(rightsholder: string, at: number, prefixes: string[]): Promise<void>
  /** Issues an order of `rightsholder` for the season of `at`. */
  order(id: string, rightsholder: string, at: number, suspended?: boolean): Promise<void>
  /** What the API does after a change: ask for a revision now. */
  trigger(kind: TriggerKind, details?: Record<string, string>): Promise<void>
  revisions(): Promise<RevisionRecord[]>
  /** Polls the stream until `predicate` holds for the revisions so far; fails after `timeoutMs`. */
  waitFor(predicate: (records: RevisionRecord[]) => boolean, timeoutMs?: number): Promise<RevisionRecord[]>
}

const quiet = pino({ level: 'silent' })

export async function createWorld(t: Test): Promise<World> {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  const keyPrefix = `t${randomBytes(3).toString('hex')}:`
  const db = createDb(redis, keyPrefix)
  const connection = { redisUrl: server.url, keyPrefix }
  const recomputeQueue = createQueue('recompute', connection)
  // Teardowns run in reverse: schedulers close first, then these, then redis-server stops.
  t.teardown(async () => {
    await recomputeQueue.close()
    await redis.quit()
  })
  await putCompetition(db, competition)

  const revisions = async () => (await readRevisionsSince(db, 0, 10_000)) ?? []
  return {
    db,
    redisUrl: server.url,
    keyPrefix,
    async scheduler(options = {}) {
      const scheduler = await startScheduler({
        redis,
        connection,
        horizonMs: options.horizonMs ?? 3600_000,
        graceMs: GRACE_MS,
        // Off unless a test is about it: a tick may publish a change before the trigger that announces it.
        tickMs: options.tickMs ?? 0,
        revisionHistory: 1000,
        log: quiet,
        metrics: createMetrics(),
      })
      t.teardown(() => scheduler.close())
      return scheduler
    },
    async event(id, kickoff, end, status = 'scheduled') {
      await putEvent(db, { id, competition: competition.id, kickoff, end, status })
    },
    async list(rightsholder, at, prefixes) {
      const week = isoWeekKey(at, competition.timeZone)
      const version = randomBytes(6).toString('hex')
      await swapWeeklyList(db, {
        version: {
          summary: {
            rightsholder,
            week,
            version,
            uploadedAt: Date.now(),
            uploadedBy: rightsholder,
            entries: prefixes.length,
            accepted: prefixes.length,
            held: 0,
            rejected: 0,
            hotAdditions: 0,
          },
          accepted: prefixes.map((target) => ({ target })),
          verdicts: [],
        },
        held: [],
      })
    },
    async order(id, rightsholder, at, suspended = false) {
      const now = Date.now()
      await putOrder(db, {
        id,
        rightsholder,
        competitions: [competition.id],
        season: seasonOf(at, competition),
        reference: `${id}/DDA`,
        suspended,
        issuedAt: now,
        updatedAt: now,
      })
    },
    async trigger(kind, details = {}) {
      await requestRecompute(recomputeQueue, { kind, ...details })
    },
    revisions,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const records = await revisions()
        if (predicate(records)) return records
        if (Date.now() > deadline) {
          throw new Error(`revisions never matched: ${JSON.stringify(records.map(summary))}`)
        }
        await sleep(25)
      }
    },
  }
}

export function summary(record: RevisionRecord) {
  return { revision: record.revision, cause: record.cause.kind, event: record.cause.event, ops: record.ops }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Revisions of one kind for one event. */
export function about(records: RevisionRecord[], kind: string, event?: string): RevisionRecord[] {
  return records.filter((r) => r.cause.kind === kind && (event === undefined || r.cause.event === event))
}
