/**
 * The job queues between the API and the scheduler: one map from queue name to payload type, and
 * one factory for queues and workers that applies BullMQ's production settings, so no caller can
 * forget them (workers need `maxRetriesPerRequest: null`, completed jobs are removed, errors are
 * logged instead of crashing the process).
 *
 * BullMQ keeps its own keys under `<keyPrefix>bull:<queue>:…` (its `prefix` option). Never give a
 * BullMQ connection an ioredis `keyPrefix`: BullMQ does not support it. On a Redis Cluster the
 * deployment's prefix carries a hash tag (`{offside}:`), so BullMQ's keys share it and its
 * multi-key scripts run in one slot.
 *
 * Each queue and worker opens its client with `connectRedis` (any topology of OFFSIDE_REDIS_URL)
 * and hands BullMQ the instance; BullMQ does not close a client it was given, so ours do.
 */
import type { CauseKind, TimedKind, TriggerKind } from '@offside/protocol'
import { type Job, type Processor, Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { connectRedis } from './connection.js'

// The cause kinds are the protocol's words (agents see them in every revision).
export type { CauseKind, TimedKind, TriggerKind } from '@offside/protocol'

/**
 * Why a revision was published. `requestedAt` is when the change was made (triggers) or when the
 * scheduler noticed it; `scheduledAt` is the calendar instant of a window open/close or rotation,
 * from which compliance measures each agent's delay.
 */
export type RevisionCause = {
  kind: CauseKind
  requestedAt: number
  scheduledAt?: number
  event?: string
  competition?: string
  week?: string
  rightsholder?: string
  order?: string
  complaint?: string
  prefixes?: string[]
  /** Names the change is about (a hot addition, a revocation), as `prefixes` is for addresses. */
  names?: string[]
  /** Free words for a human, e.g. `staging-horizon` on a catch-up revision. */
  reason?: string
}

/** A change made through the API: recompute and publish now. */
export interface RecomputeJob {
  cause: RevisionCause & { kind: TriggerKind }
}

/**
 * A calendar instant: a window opens or closes, or a competition's week rotates; or the periodic
 * `tick` that stages windows entering the horizon and re-syncs the calendar jobs.
 */
export interface TimelineJob {
  kind: TimedKind | 'tick'
  scheduledAt: number
  /** window-open / window-close */
  event?: string
  /** rotation */
  competition?: string
  week?: string
}

/** One notice of the outbox to deliver (API → notifier); the notice record says what and to whom. */
export interface NotifyJob {
  notice: string
}

/** Queue name → job payload. The only place queue names are spelled. */
export interface QueuePayloads {
  recompute: RecomputeJob
  timeline: TimelineJob
  notify: NotifyJob
}
export type QueueName = keyof QueuePayloads

export const queueNames: readonly QueueName[] = ['recompute', 'timeline', 'notify']

/** Where the queues live: the Redis URL (any topology) and the deployment's key prefix (e.g. `offside:`). */
export interface QueueConnection {
  redisUrl: string
  keyPrefix: string
}

/** Anything with a pino-like `error` method; queues report connection errors there. */
export interface ErrorLog {
  error(details: object, message: string): void
}

/** BullMQ's key prefix for a deployment: `offside:` → `offside:bull`. */
export function bullPrefix(keyPrefix: string): string {
  return `${keyPrefix}bull`
}

/**
 * Creates a producer for one queue. Its connection fails fast (no offline queue) so an API request
 * gets an error instead of hanging when Redis is down. Close it with `queue.close()`.
 */
export function createQueue<N extends QueueName>(
  name: N,
  connection: QueueConnection,
  log?: ErrorLog,
): Queue<QueuePayloads[N]> {
  const client = connectRedis(connection.redisUrl, { enableOfflineQueue: false })
  client.on('error', (err) => log?.error({ err, queue: name }, 'queue connection error'))
  const queue = new OwningQueue<QueuePayloads[N]>(client, name, {
    connection: client,
    prefix: bullPrefix(connection.keyPrefix),
    defaultJobOptions: {
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
      attempts: 5,
      backoff: { type: 'exponential', delay: 200 },
    },
  })
  queue.on('error', (err) => log?.error({ err, queue: name }, 'queue connection error'))
  return queue
}

/** A queue that closes the client it was given (BullMQ leaves a given client open). */
class OwningQueue<T> extends Queue<T> {
  readonly #client: Redis
  constructor(client: Redis, ...args: ConstructorParameters<typeof Queue<T>>) {
    super(...args)
    this.#client = client
  }
  override async close(): Promise<void> {
    await super.close()
    await this.#client.quit().catch(() => this.#client.disconnect())
  }
}

/** A worker that closes the client it was given (its blocking duplicate BullMQ closes itself). */
class OwningWorker<T> extends Worker<T> {
  readonly #client: Redis
  constructor(client: Redis, ...args: ConstructorParameters<typeof Worker<T>>) {
    super(...args)
    this.#client = client
  }
  override async close(force?: boolean): Promise<void> {
    await super.close(force)
    await this.#client.quit().catch(() => this.#client.disconnect())
  }
}

/** How long a job stays locked to a worker that stops renewing the lock (crashed, or stuck). */
export const CRASH_LOCK_MS = 5_000
/** How often each worker looks for jobs whose lock expired. */
export const STALLED_CHECK_MS = 1_000
/** The longest a job taken by a crashed worker waits before another worker gets it. */
export const CRASH_RECOVERY_MS = CRASH_LOCK_MS + 2 * STALLED_CHECK_MS

/** Options for {@link createWorker}. */
export interface WorkerOptions {
  concurrency?: number
  /** Start processing at once (default true); tests may start later with `worker.run()`. */
  autorun?: boolean
  log?: ErrorLog
}

/**
 * Creates a worker for one queue with a blocking connection that retries forever
 * (`maxRetriesPerRequest: null`), as BullMQ requires. Failed jobs are logged. Close it with
 * `worker.close()` on SIGTERM: it waits for the jobs in progress.
 */
export function createWorker<N extends QueueName>(
  name: N,
  processor: Processor<QueuePayloads[N]>,
  connection: QueueConnection,
  options: WorkerOptions = {},
): Worker<QueuePayloads[N]> {
  const client = connectRedis(connection.redisUrl, { maxRetriesPerRequest: null })

  client.on('error', (err) => options.log?.error({ err, queue: name }, 'worker connection error'))
  const worker = new OwningWorker<QueuePayloads[N]>(client, name, processor, {
    connection: client,
    prefix: bullPrefix(connection.keyPrefix),
    concurrency: options.concurrency ?? 1,
    // Long-poll for 1 s instead of 5: if a worker dies holding the wake-up marker of a new job,
    // the others notice the job within a second.
    drainDelay: 1,
    // A job taken by a worker that then crashes goes back to the queue once its lock expires and
    // a stalled check has seen it twice: within lockDuration + 2 × stalledInterval ≈ 7 s (BullMQ's
    // defaults take up to 90 s; a hot addition must not wait that long while a window is live).
    // The lock is renewed every 2.5 s by a timer, so only a process whose event loop stalls for
    // 5 s loses it; its job is then run again elsewhere, which is harmless (revisions are
    // compare-and-set, calendar instants published once), and may be recovered a few times.
    lockDuration: CRASH_LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    maxStalledCount: 3,
    autorun: options.autorun ?? true,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 1000 },
  })
  const log = options.log
  worker.on('error', (err) => log?.error({ err, queue: name }, 'worker error'))
  worker.on('failed', (job: Job<QueuePayloads[N]> | undefined, err: Error) =>
    log?.error({ err, queue: name, jobId: job?.id, data: job?.data }, 'job failed'),
  )
  return worker
}

/**
 * Asks the scheduler to recompute the effective state and publish a revision now. The API calls
 * it after every change that affects enforcement (list upload, hot addition, complaint upheld,
 * order suspended/resumed, protected range changed, event moved/extended/cancelled).
 */
export async function requestRecompute(
  queue: Queue<RecomputeJob>,
  cause: Omit<RecomputeJob['cause'], 'requestedAt'> & { requestedAt?: number },
): Promise<void> {
  const requestedAt = cause.requestedAt ?? Date.now()
  await queue.add(cause.kind, { cause: { ...cause, requestedAt } })
}
