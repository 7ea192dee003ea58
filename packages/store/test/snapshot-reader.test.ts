import { applyGroupOps, type EnforcementGroup, type GroupOp } from '@offside/core'
import t from 'tap'
import { forkHistory } from '../src/history.js'
import type { Db } from '../src/keys.js'
import { compactSnapshot, publishRevision, readSnapshot, type Snapshot } from '../src/revisions.js'
import { SnapshotReader } from '../src/snapshot-reader.js'
import { connect } from './helper.js'

const FROM = 1_800_000_000_000
const UNTIL = FROM + 600_000
const host = (i: number) => `203.0.113.${i}/32`

function window(id: string, prefixes: string[]): EnforcementGroup {
  return { id, event: id.slice(2), from: FROM, until: UNTIL, prefixes }
}

const addOne = (id: string, i: number): GroupOp => ({
  op: 'patch',
  id,
  from: FROM,
  until: UNTIL,
  add: [host(i)],
  remove: [],
})

/** Publishes `ops` on top of `snapshot` as the scheduler does (small ones leave the stored groups). */
async function publish(db: Db, snapshot: Snapshot, ops: GroupOp[], maxBacklog?: number): Promise<Snapshot> {
  const result = await publishRevision(
    db,
    {
      previous: snapshot.revision,
      issuedAt: FROM + snapshot.revision,
      cause: { kind: 'hot-addition', requestedAt: FROM },
      ops,
      groups: applyGroupOps(snapshot.groups, ops),
      live: [],
      enforcedCount: snapshot.revision,
      ...(snapshot.groupsAt !== undefined ? { groupsAt: snapshot.groupsAt } : {}),
    },
    maxBacklog === undefined ? {} : { maxBacklog },
  )
  if (result.status !== 'published') throw new Error(result.status)
  return result.snapshot
}

t.test('after every kind of revision the reader gives what a full read of the snapshot gives', async (t) => {
  const db = await connect(t)
  const reader = new SnapshotReader()
  t.same(await reader.read(db), await readSnapshot(db), 'the empty store')
  let held = await publish(db, await readSnapshot(db), [
    { op: 'put', group: window('w:m1', [host(1)]) },
    { op: 'put', group: window('w:m2', [host(1)]) },
  ])
  const steps: [string, (held: Snapshot) => Promise<Snapshot>][] = [
    ['a one-host patch', (held) => publish(db, held, [addOne('w:m2', 3)])],
    [
      'two revisions at once',
      async (held) => {
        const next = await publish(db, held, [addOne('w:m1', 5)])
        return publish(db, next, [addOne('w:m2', 7), { op: 'put', group: window('w:m3', [host(9)]) }])
      },
    ],
    [
      'a compaction between reads',
      async (held) => {
        const next = await publish(db, held, [addOne('w:m3', 11)])
        await compactSnapshot(db, next)
        return next
      },
    ],
    ['a drop', (held) => publish(db, held, [{ op: 'drop', id: 'w:m1' }])],
    [
      'a revision past the backlog (groups written in full)',
      async (held) => {
        let next = held
        for (let i = 13; i < 19; i += 2) next = await publish(db, next, [addOne('w:m2', i)], 1)
        return next
      },
    ],
    ['a new history', (held) => forkHistory(db, { above: held.revision + 5, now: FROM })],
  ]
  for (const [what, step] of steps) {
    held = await step(held)
    t.same(await reader.read(db), await readSnapshot(db), `after ${what}`)
  }
  t.equal((await reader.read(db)).revision, held.revision, 'at the last revision')
})

t.test('a snapshot of another history at the same revision is never carried forward', async (t) => {
  const db = await connect(t)
  const reader = new SnapshotReader()
  let held = await publish(db, await readSnapshot(db), [{ op: 'put', group: window('w:m1', [host(1)]) }])
  held = await publish(db, held, [addOne('w:m1', 3)])
  t.same((await reader.read(db)).groups[0]?.prefixes, [host(1), host(3)], 'the first history is read')
  // Redis emptied (or restored from an old backup) and republished up to the same revision and beyond.
  await db.redis.flushdb()
  let other = await publish(db, await readSnapshot(db), [{ op: 'put', group: window('w:m1', [host(20)]) }])
  other = await publish(db, other, [addOne('w:m1', 22)])
  t.same(
    (await reader.read(db)).groups[0]?.prefixes,
    [host(20), host(22)],
    'the same revision number, the other content',
  )
  other = await publish(db, other, [addOne('w:m1', 24)])
  await db.redis.flushdb()
  other = await publish(db, await readSnapshot(db), [{ op: 'put', group: window('w:m1', [host(30)]) }])
  for (let i = 32; i < 40; i += 2) other = await publish(db, other, [addOne('w:m1', i)])
  t.same(
    (await reader.read(db)).groups,
    (await readSnapshot(db)).groups,
    'a later revision of another history',
  )
})

t.test('a Redis restored from an older backup is read in full, not carried forward', async (t) => {
  const db = await connect(t)
  const reader = new SnapshotReader()
  let held = await publish(db, await readSnapshot(db), [{ op: 'put', group: window('w:m1', [host(1)]) }])
  const names = await db.redis.keys('*')
  const backup = await Promise.all(
    names.map(async (name) => [name, await db.redis.dumpBuffer(name)] as const),
  )
  held = await publish(db, held, [addOne('w:m1', 3)])
  const first = await reader.read(db)
  t.same(first.groups[0]?.prefixes, [host(1), host(3)], 'revision 2 as first published')
  await db.redis.flushdb()
  for (const [name, dump] of backup) if (dump) await db.redis.restore(name, 0, dump)
  // Republished past the revision the reader holds: revision 2 is another one, 3 follows it.
  let restored = await publish(db, await readSnapshot(db), [addOne('w:m1', 5)])
  restored = await publish(db, restored, [addOne('w:m1', 7)])
  const again = await reader.read(db)
  t.equal(again.epoch, first.epoch, 'the same history id: only the chain tells them apart')
  t.same(again.groups[0]?.prefixes, [host(1), host(5), host(7)], 'revision 3 of the restored history')
  t.same(again, await readSnapshot(db), 'as a full read gives it')
})

t.test('revisions trimmed from the stream are read from the stored groups instead', async (t) => {
  const db = await connect(t)
  const reader = new SnapshotReader()
  let held = await publish(db, await readSnapshot(db), [{ op: 'put', group: window('w:m1', [host(1)]) }])
  await reader.read(db)
  held = await publish(db, held, [addOne('w:m1', 3)])
  held = await publish(db, held, [addOne('w:m1', 5)])
  await compactSnapshot(db, held)
  await db.redis.xtrim(db.keys.revisions.stream, 'MAXLEN', 1)
  t.same(await reader.read(db), await readSnapshot(db), 'the compacted snapshot, not a partial replay')
  t.same((await reader.read(db)).groups[0]?.prefixes, [host(1), host(3), host(5)], 'holding every revision')
})
