/**
 * Offside's store on the Redis topologies a deployment runs in production: real Sentinel and
 * Cluster processes on loopback, the primary killed mid-stream.
 */
import { redisCli, startRedisCluster, startRedisSentinel } from '@offside/testkit'
import t, { type Test } from 'tap'
import { connectRedis, slotOf, waitForReplicas } from '../../src/connection.js'
import { createDb, type Db } from '../../src/keys.js'
import { createQueue, createWorker, type RecomputeJob, requestRecompute } from '../../src/queues.js'
import { publishRevision, type RevisionDraft, readRevisionsSince } from '../../src/revisions.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function draft(previous: number): RevisionDraft {
  const group = {
    id: 'w:m1',
    event: 'm1',
    from: 1_800_000_000_000,
    until: 1_800_000_600_000,
    prefixes: [`203.0.113.${previous + 1}/32`],
  }
  return {
    previous,
    issuedAt: 1_800_000_000_000 + previous,
    cause: { kind: 'hot-addition', requestedAt: 1_800_000_000_000 },
    ops: [{ op: 'put', group }],
    groups: [group],
    live: [],
    enforcedCount: 1,
  }
}

/**
 * Publishes revision `previous + 1` as the scheduler does, retrying while the topology fails over
 * (bounded); resolves once it is published AND held by a replica — what "acknowledged" means here.
 */
async function publishAcknowledged(db: Db, previous: number): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const result = await publishRevision(db, draft(previous))
      if (result.status === 'conflict') {
        // An earlier try went through before the connection broke: it is there, not lost.
        const since = await readRevisionsSince(db, previous)
        if (since?.[0]?.revision !== previous + 1) throw new Error(`revision ${previous + 1} conflicts`)
      }
      if (await waitForReplicas(db.redis, db.keys.replicationMark)) return
    } catch (err) {
      if (Date.now() > deadline) throw err
    }
    if (Date.now() > deadline) throw new Error(`revision ${previous + 1} never reached a replica`)
    await sleep(100)
  }
}

/** A queue and a worker on `url`, and a way to wait for the next job the worker takes. */
function queues(t: Test, url: string, keyPrefix: string) {
  const connection = { redisUrl: url, keyPrefix }
  const queue = createQueue('recompute', connection)
  const received: RecomputeJob[] = []
  const log = {
    error: (details: object, message: string) =>
      t.comment(message, String((details as { err?: unknown }).err)),
  }
  const worker = createWorker('recompute', async (job) => void received.push(job.data), connection, { log })
  const close = async () => {
    await worker.close()
    await queue.close()
  }
  t.teardown(close)
  return {
    close,
    async request(complaint: string) {
      const deadline = Date.now() + 30_000
      for (;;) {
        try {
          await requestRecompute(queue, { kind: 'complaint-upheld', complaint })
          break
        } catch (err) {
          if (Date.now() > deadline) throw err
          await sleep(200)
        }
      }
      while (!received.some((job) => job.cause.complaint === complaint)) {
        if (Date.now() > deadline) throw new Error(`job ${complaint} never reached the worker`)
        await sleep(50)
      }
    },
  }
}

t.test(
  'on Sentinel, revisions acknowledged by a replica survive the primary crashing, and publishing and queues go on on the promoted replica',
  async (t) => {
    const sentinel = await startRedisSentinel(t)
    const redis = connectRedis(`${sentinel.url}?replicas=1&replicaTimeoutMs=1000`, {
      maxRetriesPerRequest: 3,
    })
    redis.on('error', () => undefined) // reconnecting through the failover is the point
    t.teardown(() => redis.disconnect())
    const db = createDb(redis, 'test:')
    const jobs = queues(t, sentinel.url, 'test:')

    for (let previous = 0; previous < 5; previous++) await publishAcknowledged(db, previous)
    await jobs.request('before')
    const { killed, promoted } = await sentinel.failover()
    t.not(promoted, killed, `the Sentinels promoted ${promoted} after ${killed} crashed`)
    // The crashed primary comes back (as its supervisor would restart it) and becomes a replica,
    // so writes can be acknowledged by a replica again.
    const restarted = sentinel.restart(killed)
    for (let previous = 5; previous < 10; previous++) await publishAcknowledged(db, previous)
    await restarted
    await jobs.request('after')

    const history = await readRevisionsSince(db, 0)
    t.same(
      history?.map((record) => record.revision),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      'every acknowledged revision is there, once, in order',
    )
    t.ok(await waitForReplicas(redis, db.keys.replicationMark), 'a replica holds the writes again')
  },
)

t.test(
  'on a Redis Cluster, the hash-tagged keys, Lua scripts and BullMQ queues work, revisions acknowledged by a replica survive the primary of their slot crashing, and the worker takes jobs again from the promoted replica',
  async (t) => {
    const cluster = await startRedisCluster(t)
    const prefix = '{test}:'
    const redis = connectRedis(`${cluster.url}?replicas=1&replicaTimeoutMs=1000`, { maxRetriesPerRequest: 3 })
    redis.on('error', () => undefined)
    t.teardown(() => redis.disconnect())
    const db = createDb(redis, prefix)
    for (const key of [db.keys.orgs, 'offside:orgs', 'a-key-without-tag', '{}x']) {
      const slot = Number((await redisCli(cluster.nodes[0]?.port ?? 0, 'cluster', 'keyslot', key)).trim())
      t.equal(slotOf(key), slot, `slotOf(${key}) is the slot Redis computes`)
    }
    const jobs = queues(t, cluster.url, prefix)

    for (let previous = 0; previous < 5; previous++) await publishAcknowledged(db, previous)
    await jobs.request('before')
    const { killed, promoted } = await cluster.failover(db.keys.revisions.stream)
    t.not(promoted, killed, `the replica ${promoted} took the slot over from ${killed}`)
    // With its replica promoted the slot has no replica left until the old primary returns;
    // three primaries with one replica each is the smallest cluster that survives one crash.
    const replicaLess = await waitForReplicas(redis, db.keys.replicationMark)
    t.notOk(replicaLess, 'a write is not acknowledged as replicated while the slot has no replica')
    // Publishing goes on on the promoted replica (acknowledged by the primary alone meanwhile).
    const sixth = await publishRevision(db, draft(5))
    t.equal(sixth.status, 'published', 'the next revision is published on the promoted replica')
    const history = await readRevisionsSince(db, 0)
    t.same(
      history?.map((record) => record.revision),
      [1, 2, 3, 4, 5, 6],
      'every acknowledged revision is on the promoted replica, and the new one after them',
    )
    // The worker that was blocked on the crashed primary takes jobs from the promoted one
    // (connection.ts: no ready check on a cluster, or it never did).
    await jobs.request('after')
    t.pass('a job queued after the failover reached the worker that was waiting on the crashed primary')
  },
)
