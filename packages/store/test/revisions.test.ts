import t from 'tap'
import { blockingDb } from '../src/keys.js'
import {
  currentRevision,
  publishRevision,
  readRevisionsSince,
  readSnapshot,
  waitForRevisions,
} from '../src/revisions.js'
import { connect, draft, group } from './helper.js'

t.test('revisions are numbered from 1 and the snapshot follows the last one', async (t) => {
  const db = await connect(t)
  t.equal(await currentRevision(db), 0, 'no revision before the first publish')
  t.equal((await readSnapshot(db)).revision, 0, 'the empty snapshot is revision 0')
  const first = await publishRevision(db, draft(0))
  t.equal(first.status, 'published', 'the first revision is published')
  const second = await publishRevision(db, draft(1, { ops: [], groups: [group] }))
  t.equal(second.status, 'published', 'the second revision is published')
  t.equal(await currentRevision(db), 2, 'the counter is at 2')
  const snapshot = await readSnapshot(db)
  t.equal(snapshot.revision, 2, 'the snapshot is at revision 2')
  t.same(snapshot.groups, [group], 'the snapshot holds the groups after the revision')
})

t.test('a revision computed from a stale snapshot is refused, so no number is published twice', async (t) => {
  const db = await connect(t)
  await publishRevision(db, draft(0))
  const stale = await publishRevision(db, draft(0, { cause: { kind: 'hot-addition', requestedAt: 1 } }))
  t.equal(stale.status, 'conflict', 'a second publish after revision 0 is a conflict')
  const records = await readRevisionsSince(db, 0)
  t.equal(records?.length, 1, 'only one revision exists')
  t.equal(records?.[0]?.cause.kind, 'list-upload', 'the first publisher won')
})

t.test('concurrent publishers after the same revision produce exactly one next revision', async (t) => {
  const db = await connect(t)
  const results = await Promise.all(Array.from({ length: 10 }, () => publishRevision(db, draft(0))))
  t.equal(results.filter((r) => r.status === 'published').length, 1, 'exactly one publisher succeeds')
  t.equal(await currentRevision(db), 1, 'the counter moved by one')
})

t.test('a calendar instant is published at most once', async (t) => {
  const db = await connect(t)
  const instant = { key: 'window-open|m1|1800000000000', at: 1_800_000_000_000 }
  const cause = { kind: 'window-open' as const, requestedAt: 1, scheduledAt: instant.at, event: 'm1' }
  const first = await publishRevision(db, draft(0, { cause, instant, ops: [] }))
  t.equal(first.status, 'published', 'the window-open revision is published')
  const again = await publishRevision(db, draft(1, { cause, instant, ops: [] }))
  t.equal(again.status, 'duplicate-instant', 'the same window-open is not published a second time')
  t.equal(await currentRevision(db), 1, 'no extra revision')
})

t.test(
  'a reader gets the missing revisions in order, or null when history no longer reaches back',
  async (t) => {
    const db = await connect(t)
    // Redis trims whole stream nodes (`MAXLEN ~`), so publish well past the bound.
    for (let previous = 0; previous < 60; previous++) {
      const result = await publishRevision(db, draft(previous), { maxLength: 5 })
      t.equal(result.status, 'published', `revision ${previous + 1} published`)
    }
    t.same(await readRevisionsSince(db, 60), [], 'an agent at the last revision needs nothing')
    const recent = await readRevisionsSince(db, 57)
    t.same(
      recent?.map((r) => r.revision),
      [58, 59, 60],
      'an agent 3 behind gets the 3 missing revisions in order',
    )
    t.equal(await readRevisionsSince(db, 1), null, 'an agent behind the trimmed history needs a snapshot')
    t.equal(await readRevisionsSince(db, 61), null, 'an agent ahead of the server needs a snapshot')
    const limited = await readRevisionsSince(db, 57, 2)
    t.same(
      limited?.map((r) => r.revision),
      [58, 59],
      'the limit caps the batch',
    )
  },
)

t.test(
  'a reader blocked on its own connection wakes up with the next revision while the store goes on',
  async (t) => {
    const db = await connect(t)
    const reader = blockingDb(db)
    t.teardown(() => reader.redis.disconnect())
    const waiting = waitForRevisions(reader, 0, 5000)
    await new Promise((resolve) => setTimeout(resolve, 100))
    await publishRevision(db, draft(0))
    const records = await waiting
    t.same(
      records.map((r) => r.revision),
      [1],
      'the reader receives revision 1',
    )
    t.same(await waitForRevisions(reader, 1, 50), [], 'nothing new: empty after the timeout')
  },
)

t.test('a revision with no ops keeps the groups of the snapshot and moves its revision on', async (t) => {
  const db = await connect(t)
  await publishRevision(db, draft(0))
  await publishRevision(db, draft(1, { ops: [], groups: [], enforcedCount: 1 }))
  const snapshot = await readSnapshot(db)
  t.equal(snapshot.revision, 2, 'the snapshot is at the new revision')
  t.equal(snapshot.enforcedCount, 1, 'with the new count')
  t.same(snapshot.groups, [group], 'and the groups of the revision before')
})
