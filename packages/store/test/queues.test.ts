import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import {
  bullPrefix,
  CRASH_RECOVERY_MS,
  createQueue,
  createWorker,
  type RecomputeJob,
  requestRecompute,
} from '../src/queues.js'

t.test(
  'a change requested through requestRecompute reaches a worker with its cause and request time',
  async (t) => {
    const server = await startRedis(t)
    const connection = { redisUrl: server.url, keyPrefix: 'test:' }
    const queue = createQueue('recompute', connection)
    const received: RecomputeJob[] = []
    const done = new Promise<void>((resolve) => {
      const worker = createWorker(
        'recompute',
        async (job) => {
          received.push(job.data)
          resolve()
        },
        connection,
      )
      t.teardown(() => worker.close())
    })
    t.teardown(() => queue.close())

    const before = Date.now()
    await requestRecompute(queue, { kind: 'complaint-upheld', complaint: 'c1', prefixes: ['203.0.113.7/32'] })
    await done
    t.equal(received.length, 1, 'the worker received one job')
    t.match(
      received[0]?.cause,
      { kind: 'complaint-upheld', complaint: 'c1', prefixes: ['203.0.113.7/32'] },
      'with the cause the API gave',
    )
    t.ok((received[0]?.cause.requestedAt ?? 0) >= before, 'stamped with the time of the request')
  },
)

t.test('queues keep their keys under the deployment prefix and remove completed jobs', async (t) => {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.quit())
  const connection = { redisUrl: server.url, keyPrefix: 'tenant-a:' }
  const queue = createQueue('recompute', connection)
  t.teardown(() => queue.close())
  const finished = new Promise<void>((resolve) => {
    const worker = createWorker('recompute', async () => undefined, connection)
    worker.on('completed', () => resolve())
    t.teardown(() => worker.close())
  })
  await requestRecompute(queue, { kind: 'guard-change' })
  await finished
  const keys = await redis.keys('*')
  t.ok(
    keys.every((key) => key.startsWith(`${bullPrefix('tenant-a:')}:`)),
    'every BullMQ key is under the prefix',
  )
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(await queue.getCompletedCount(), 0, 'completed jobs are not kept')
})

t.test('a trigger taken by a worker that crashes is run by another worker soon after', async (t) => {
  const server = await startRedis(t)
  const connection = { redisUrl: server.url, keyPrefix: 'test:' }
  const queue = createQueue('recompute', connection)
  t.teardown(() => queue.close())
  let taken!: () => void
  const takenByFirst = new Promise<void>((resolve) => {
    taken = resolve
  })
  // The first worker takes the job and never finishes it, like a process killed mid-job.
  const crashing = createWorker(
    'recompute',
    () => {
      taken()
      return new Promise<void>(() => undefined)
    },
    connection,
  )
  await requestRecompute(queue, { kind: 'hot-addition', rightsholder: 'sky-it' })
  await takenByFirst
  // A forced close stops renewing the lock without finishing the job, as a crash does.
  await crashing.close(true)
  const crashedAt = Date.now()

  const recovered = new Promise<RecomputeJob>((resolve) => {
    const survivor = createWorker('recompute', async (job) => resolve(job.data), connection)
    t.teardown(() => survivor.close())
  })
  const bound = CRASH_RECOVERY_MS + 5000
  const outcome = await Promise.race([
    recovered,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), bound)),
  ])
  t.match(outcome, { cause: { kind: 'hot-addition' } }, "the survivor runs the crashed worker's trigger")
  t.ok(
    Date.now() - crashedAt < bound,
    `within the crash-recovery bound plus slack (${bound} ms), not BullMQ's default of up to 90 s`,
  )
})
