import type { Log } from '@offside/service'
import {
  createDb,
  createQueue,
  createWorker,
  type Db,
  listCompetitions,
  listEvents,
  type QueueConnection,
  type RecomputeJob,
  type RevisionCause,
  settleHistoryClaims,
  type TimedKind,
  type TimelineJob,
} from '@offside/store'
import type { Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { BreakerConfig } from './breaker.js'
import type { Metrics } from './metrics.js'
import {
  closeExpired,
  compactPublished,
  publishInstant,
  type RecomputeOutcome,
  type RecomputeRequest,
  type RecomputeStep,
  recompute,
  snapshotLag,
} from './recompute.js'
import { instantId, syncTimeline, windowStillDue } from './timeline.js'

/** What {@link startScheduler} needs. */
export interface SchedulerOptions {
  /** A normal (non-blocking) connection for snapshots, inputs and publishing. */
  redis: Redis
  connection: QueueConnection
  horizonMs: number
  graceMs: number
  /** Period of the cluster-wide tick (staging horizon, calendar re-sync); 0 turns it off (tests). */
  tickMs: number
  revisionHistory: number
  /** Circuit-breaker limits; core's defaults when absent. */
  breaker?: BreakerConfig
  log: Log
  metrics: Metrics
}

/** A running scheduler process. */
export interface Scheduler {
  /** True once the catch-up is done and the workers are taking jobs. */
  isReady(): boolean
  /** Stops taking jobs, waits for the ones in progress, closes the queues (not `redis`). */
  close(): Promise<void>
}

const TICK_ID = 'tick'
/** Idle time after a revision before the snapshot groups are stored in full. */
const COMPACT_IDLE_MS = 300
/** Revisions the stored groups may lag before they are stored without waiting for a pause. */
const COMPACT_AT_LAG = 16

/**
 * Starts one scheduler process: catches up (closes what should be closed, then publishes the
 * current state), syncs the calendar jobs, then processes API triggers and calendar instants.
 * Any number may run on one Redis: BullMQ hands each job to one of them, and the revision
 * compare-and-set turns any remaining race into a retry from the newer snapshot.
 */
/** How often the scheduler looks for gateways' claims that the store lost revisions. */
const HISTORY_CLAIMS_POLL_MS = 1000

export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { log, metrics } = options
  const db: Db = createDb(options.redis, options.connection.keyPrefix)
  const settings = {
    horizonMs: options.horizonMs,
    graceMs: options.graceMs,
    revisionHistory: options.revisionHistory,
    onStep: (step: RecomputeStep, ms: number) => {
      metrics.recomputeStepSeconds.observe({ step }, ms / 1000)
      log.debug({ step, ms: Math.round(ms * 10) / 10 }, 'recompute step')
    },
    ...(options.breaker ? { breaker: options.breaker } : {}),
  }
  const timeline = createQueue('timeline', options.connection, log)
  let ready = false

  // One recompute at a time in this process: concurrent ones would only lose the compare-and-set.
  let queue: Promise<unknown> = Promise.resolve()
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work)
    queue = run.catch(() => undefined)
    return run
  }

  const sync = async () => {
    const [competitions, events] = await Promise.all([listCompetitions(db), listEvents(db)])
    const calendar = { now: Date.now(), graceMs: options.graceMs, competitions, events }
    const { added, removed } = await syncTimeline(timeline, calendar, options.horizonMs)
    if (added || removed) log.debug({ added, removed }, 'calendar jobs synced')
  }

  /**
   * Revisions go out without rewriting the stored groups (megabytes with 100k-entry lists); they
   * are written once the scheduler has been idle for a moment, or at once when far behind.
   */
  let compaction: NodeJS.Timeout | undefined
  const compactSoon = () => {
    clearTimeout(compaction)
    const compact = () =>
      void serially(() => compactPublished(db)).catch((err) =>
        log.warn({ err }, 'cannot store the snapshot groups; the next revision will'),
      )
    if (snapshotLag(db) >= COMPACT_AT_LAG) compact()
    else compaction = setTimeout(compact, COMPACT_IDLE_MS)
  }

  const run = async (work: () => Promise<RecomputeOutcome>): Promise<RecomputeOutcome> => {
    const stop = metrics.recomputeSeconds.startTimer()
    const outcome = await work()
    stop()
    if (outcome.status === 'published') {
      const { record } = outcome
      metrics.revisions.inc({ cause: record.cause.kind })
      if (record.cause.scheduledAt !== undefined) {
        metrics.publishDelaySeconds.observe(Math.max(0, record.issuedAt - record.cause.scheduledAt) / 1000)
      }
      log.info(
        { revision: record.revision, cause: record.cause, ops: record.ops.length },
        'revision published',
      )
      compactSoon()
    } else {
      metrics.skipped.inc({ reason: outcome.status })
    }
    return outcome
  }

  const triggers = createQueue('recompute', options.connection, log)
  /**
   * Runs a full recompute, then removes the triggers that were already waiting before it read the
   * inputs: their changes were committed before they were queued, so this revision carries them.
   * A burst of hot additions costs one or two recomputes, not one each. A trigger another
   * scheduler has just taken cannot be removed; it runs and finds nothing to publish.
   */
  const recomputeAll = async (cause: RecomputeJob['cause'] | RevisionCause, runningId?: string) => {
    const waiting = await triggers.getJobs(['waiting', 'prioritized'])
    await run(() => recompute(db, { cause }, settings))
    for (const job of waiting) {
      if (job.id === runningId) continue
      const removed = await job.remove().then(
        () => true,
        () => false,
      )
      if (removed) metrics.skipped.inc({ reason: 'coalesced' })
    }
  }

  const onTrigger = (job: Job<RecomputeJob>) =>
    serially(async () => {
      await recomputeAll(job.data.cause, job.id)
      await sync()
    })

  const onInstant = (job: Job<TimelineJob>) =>
    serially(async () => {
      const data = job.data
      if (data.kind === 'tick') {
        const cause = { kind: 'catch-up' as const, requestedAt: Date.now(), reason: 'staging-horizon' }
        await run(() => recompute(db, { cause }, settings))
      } else {
        // The calendar did not change: no sync needed, so the next instant waits for nothing.
        await run(() =>
          publishInstant(db, instantRequest(data as TimelineJob & { kind: TimedKind }), settings),
        )
        return
      }
      await sync()
    })

  await serially(async () => {
    // Close what should already be closed first, then publish whatever else changed while down.
    await run(() => closeExpired(db, settings))
    await recomputeAll({ kind: 'catch-up', requestedAt: Date.now(), reason: 'start' })
    await sync()
  })
  if (options.tickMs > 0) {
    await timeline.upsertJobScheduler(
      TICK_ID,
      { every: options.tickMs },
      { name: TICK_ID, data: { kind: 'tick', scheduledAt: 0 } },
    )
  }
  const workers: Worker[] = [
    createWorker('recompute', onTrigger, options.connection, { log }),
    createWorker('timeline', onInstant, options.connection, { log }),
  ]
  for (const worker of workers) worker.on('failed', () => metrics.failures.inc({ queue: worker.name }))
  await Promise.all(workers.map((worker) => worker.waitUntilReady()))
  ready = true

  // Gateways that find agents holding revisions the store lost (Redis restored or emptied) leave a
  // claim; the scheduler, which publishes every revision, starts the new history (history.ts).
  // Polled, not queued: gateways hold no queue rights, and an HLEN a second costs nothing.
  let settling = false
  const settleClaims = async () => {
    if (settling || !ready || (await options.redis.hlen(db.keys.revisions.claims)) === 0) return
    settling = true
    try {
      const fork = await serially(() => settleHistoryClaims(db, Date.now()))
      if (fork) {
        metrics.revisions.inc({ cause: 'catch-up' })
        log.warn(
          { revision: fork.revision, epoch: fork.epoch },
          'agents held revisions the store lost (Redis restored or emptied); started a new history above them',
        )
      }
    } finally {
      settling = false
    }
  }
  const claimsTimer = setInterval(() => {
    settleClaims().catch((err) => log.error({ err }, 'cannot settle history claims'))
  }, HISTORY_CLAIMS_POLL_MS)

  let closed: Promise<void> | undefined
  return {
    isReady: () => ready,
    close() {
      ready = false
      clearTimeout(compaction)
      clearInterval(claimsTimer)
      closed ??= Promise.all(workers.map((worker) => worker.close()))
        .then(() => Promise.all([timeline.close(), triggers.close()]))
        .then(() => undefined)
      return closed
    },
  }
}

/**
 * The recompute for a calendar instant: computed as at the instant (never before it), published
 * once even if the job runs twice, and skipped when the window has moved since the job was made.
 */
function instantRequest(job: TimelineJob & { kind: TimedKind }): RecomputeRequest {
  const requestedAt = Date.now()
  const base: RecomputeRequest = {
    cause: {
      kind: job.kind,
      requestedAt,
      scheduledAt: job.scheduledAt,
      ...(job.event ? { event: job.event } : {}),
      ...(job.competition ? { competition: job.competition, week: job.week } : {}),
    },
    at: job.scheduledAt,
    publishEmpty: true,
    instant: { key: instantId(job), at: job.scheduledAt },
  }
  if (job.kind === 'rotation') return base
  return { ...base, stillDue: (inputs) => windowStillDue(inputs, job) }
}
