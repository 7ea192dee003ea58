import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import {
  type BreakerTrip,
  createDb,
  decideBreakerHold,
  listBreakerHolds,
  loadBreakerDecisions,
  readPendingHold,
  recordBreakerTrip,
  supersedeBreakerHold,
} from '../src/index.js'

const redis = await startRedis(t)
const client = new Redis(redis.url)
t.teardown(() => client.quit())

let n = 0
function freshDb() {
  n += 1
  return createDb(client, `breaker${n}:`)
}

function trip(
  now: number,
  kind: 'list-upload' | 'hot-addition',
  until: number,
  added: string[],
): BreakerTrip {
  return {
    now,
    cause: { kind, requestedAt: now },
    previous: { v4Addresses: 2, v6Prefixes48: 0 },
    next: { v4Addresses: 256, v6Prefixes48: 0 },
    factor: 128,
    reason: { code: 'circuit-breaker', message: 'grows 2 → 256' },
    proposal: {
      groups: [{ id: 'w:m1', event: 'm1', from: now, until, prefixes: ['203.0.113.0/24'] }],
      added,
    },
  }
}

t.test(
  'a later trip folds into the pending hold: one hold, first cause kept, latest proposal stored',
  async (t) => {
    const db = freshDb()
    const first = await recordBreakerTrip(db, trip(1000, 'list-upload', 5000, ['203.0.113.0/25']))
    const second = await recordBreakerTrip(db, trip(2000, 'hot-addition', 9000, ['203.0.113.0/24']))
    t.equal(second.id, first.id, 'the same hold')
    t.match(
      second,
      {
        cause: { kind: 'list-upload' },
        latestCause: { kind: 'hot-addition' },
        recomputes: 2,
        createdAt: 1000,
      },
      'it keeps what tripped first and names the latest change',
    )
    t.equal(second.lapsesAt, 9000, 'it lapses with the latest proposal')
    t.equal((await listBreakerHolds(db)).length, 1, 'one pending hold')
    t.equal((await readPendingHold(db))?.updatedAt, 2000, 'the pending pointer names it')
  },
)

t.test(
  'a decision is taken once, remembered until the held windows end, and frees the way for a new hold',
  async (t) => {
    const db = freshDb()
    const hold = await recordBreakerTrip(db, trip(1000, 'list-upload', 5000, ['203.0.113.0/25']))
    const rejected = await decideBreakerHold(db, hold.id, { approve: false, by: 'ops', now: 1500 })
    t.match(rejected, { status: 'decided', hold: { status: 'rejected', decidedBy: 'ops' } }, 'rejected')
    t.match(
      await decideBreakerHold(db, hold.id, { approve: true, by: 'ops', now: 1600 }),
      { status: 'already-decided', hold: { status: 'rejected' } },
      'a second decision is refused',
    )
    t.same(
      await decideBreakerHold(db, 'b_nothing', { approve: true, by: 'ops', now: 1600 }),
      { status: 'not-found' },
      'an unknown hold is not found',
    )
    t.same(
      (await loadBreakerDecisions(db, 4999)).map((d) => d.added),
      [['203.0.113.0/25']],
      'the rejection and what it kept out are honoured while the window lasts',
    )
    t.same(await loadBreakerDecisions(db, 5000), [], 'and forgotten once it has ended')
    t.equal(await readPendingHold(db), null, 'nothing pending after the decision')
    const next = await recordBreakerTrip(db, trip(2000, 'hot-addition', 9000, ['198.51.100.0/24']))
    t.not(next.id, hold.id, 'a later trip opens a new hold')
  },
)

t.test('a superseded hold is closed without being remembered as a decision', async (t) => {
  const db = freshDb()
  const hold = await recordBreakerTrip(db, trip(1000, 'list-upload', 5000, ['203.0.113.0/25']))
  t.match(await supersedeBreakerHold(db, hold.id, 1200), { hold: { status: 'superseded' } }, 'superseded')
  t.same(await loadBreakerDecisions(db, 1300), [], 'the scheduler honours no decision for it')
  t.same(await listBreakerHolds(db), [], 'it no longer waits for ops')
  t.equal((await listBreakerHolds(db, { status: 'all' })).length, 1, 'but stays on record')
})
