import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { bullPrefix, createQueue, createWorker, type RecomputeJob, requestRecompute } from '../src/queues.js'

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
