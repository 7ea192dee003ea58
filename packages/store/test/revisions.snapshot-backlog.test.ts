import { applyGroupOps, type EnforcementGroup, type GroupOp } from '@offside/core'
import t from 'tap'
import type { Db } from '../src/keys.js'
import { compactSnapshot, publishRevision, readSnapshot, type Snapshot } from '../src/revisions.js'
import { connect } from './helper.js'

const FROM = 1_800_000_000_000
const UNTIL = FROM + 600_000

function window(id: string, prefixes: string[]): EnforcementGroup {
  return { id, event: id.slice(2), from: FROM, until: UNTIL, prefixes }
}

/** Publishes `ops` on top of `snapshot` as the scheduler does, passing the groupsAt it holds. */
async function publish(db: Db, snapshot: Snapshot, ops: GroupOp[], maxBacklog?: number): Promise<Snapshot> {
  const groups = applyGroupOps(snapshot.groups, ops)
  const result = await publishRevision(
    db,
    {
      previous: snapshot.revision,
      issuedAt: FROM + snapshot.revision,
      cause: { kind: 'hot-addition', requestedAt: FROM },
      ops,
      groups,
      live: [],
      enforcedCount: 0,
      ...(snapshot.groupsAt !== undefined ? { groupsAt: snapshot.groupsAt } : {}),
    },
    maxBacklog === undefined ? {} : { maxBacklog },
  )
  if (result.status !== 'published') throw new Error(result.status)
  return result.snapshot
}

const host = (i: number) => `203.0.113.${i}/32`
const addOne = (id: string, i: number): GroupOp => ({
  op: 'patch',
  id,
  from: FROM,
  until: UNTIL,
  add: [host(i)],
  remove: [],
})

t.test(
  'a small revision leaves the stored groups as they are, and the snapshot read still has it',
  async (t) => {
    const db = await connect(t)
    let held = await publish(db, { ...(await readSnapshot(db)) }, [
      { op: 'put', group: window('w:m1', [host(1)]) },
      { op: 'put', group: window('w:m2', [host(1)]) },
    ])
    const stored = await db.redis.hget(db.keys.revisions.snapshot, 'groups')
    for (let i = 2; i <= 6; i++) held = await publish(db, held, [addOne('w:m2', i)])
    t.equal(
      await db.redis.hget(db.keys.revisions.snapshot, 'groups'),
      stored,
      'the megabytes of groups were not rewritten',
    )
    const snapshot = await readSnapshot(db)
    t.equal(snapshot.revision, 6, 'the snapshot is at the last revision')
    t.same(
      snapshot.groups,
      held.groups,
      'it holds what the publisher holds: stored groups plus the revisions since',
    )
    t.same(
      snapshot.groups.map((group) => group.id),
      ['w:m1', 'w:m2'],
      'in the order the publisher gave',
    )
    t.same(
      snapshot.groups[1]?.prefixes,
      ['203.0.113.1/32', '203.0.113.2/31', '203.0.113.4/31', '203.0.113.6/32'],
      'as a minimal cover',
    )
  },
)

t.test('compacting stores the groups of the last revision, and never moves them back', async (t) => {
  const db = await connect(t)
  let held = await publish(db, await readSnapshot(db), [{ op: 'put', group: window('w:m1', [host(1)]) }])
  held = await publish(db, held, [addOne('w:m1', 3)])
  const older = { ...held }
  held = await publish(db, held, [addOne('w:m1', 5)])
  t.ok(await compactSnapshot(db, held), 'the last revision is stored in full')
  t.equal(held.groupsAt, held.revision, 'the publisher knows the groups are stored')
  t.notOk(await compactSnapshot(db, older), 'an older revision does not replace newer groups')
  t.same((await readSnapshot(db)).groups, held.groups, 'the snapshot is unchanged by compacting')
  held = await publish(db, held, [addOne('w:m1', 7)])
  t.same(
    (await readSnapshot(db)).groups[0]?.prefixes,
    [host(1), host(3), host(5), host(7)],
    'and later revisions apply on top',
  )
})

t.test('a revision further than the backlog allows from the stored groups writes them in full', async (t) => {
  const db = await connect(t)
  let held = await publish(db, await readSnapshot(db), [{ op: 'put', group: window('w:m1', [host(1)]) }], 2)
  held = await publish(db, held, [addOne('w:m1', 3)], 2)
  held = await publish(db, held, [addOne('w:m1', 5)], 2)
  t.equal(held.groupsAt, 1, 'two revisions may lag')
  held = await publish(db, held, [addOne('w:m1', 7)], 2)
  t.equal(held.groupsAt, 4, 'the third is written in full')
  // A publisher that does not know where the stored groups are is told to send them.
  const blind = { ...held, groupsAt: undefined }
  held = await publish(db, blind, [addOne('w:m1', 9)], 2)
  t.equal(held.groupsAt, 5, 'an unknown backlog writes in full')
  t.same((await readSnapshot(db)).groups, held.groups, 'the snapshot read matches either way')
})

t.test(
  'a copy is stored as one op and the snapshot read after it holds the copied group, patched or not',
  async (t) => {
    const db = await connect(t)
    const cover = Array.from({ length: 2_000 }, (_, i) => `2001:db8::${i.toString(16)}/128`)
    let held = await publish(db, { ...(await readSnapshot(db)) }, [
      { op: 'put', group: window('w:m1', cover) },
    ])
    const stored = await db.redis.hget(db.keys.revisions.snapshot, 'groups')
    held = await publish(db, held, [
      { op: 'copy', id: 'w:m2', event: 'm2', from: FROM + 1, until: UNTIL, source: 'w:m1' },
    ])
    t.equal(
      await db.redis.hget(db.keys.revisions.snapshot, 'groups'),
      stored,
      'the stored groups were not rewritten for the copy',
    )
    held = await publish(db, held, [addOne('w:m1', 9)])
    const snapshot = await readSnapshot(db)
    t.same(snapshot.groups, held.groups, 'the reader replays the copy and the patch after it')
    t.equal(snapshot.groups[1]?.prefixes.length, 2_000, 'the copy holds the cover as it was copied')
    t.equal(snapshot.groups[0]?.prefixes.length, 2_001, 'the source holds its later patch')
  },
)
