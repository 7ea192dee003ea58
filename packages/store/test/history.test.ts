import t from 'tap'
import { claimLostHistory, forkHistory, settleHistoryClaims } from '../src/history.js'
import type { Db } from '../src/keys.js'
import {
  currentEpoch,
  historyAt,
  publishRevision,
  readRevisionsSince,
  readSnapshot,
} from '../src/revisions.js'
import { connect, draft, group } from './helper.js'

t.test(
  'the first revision of an empty store starts a history: one epoch, a chain per revision',
  async (t) => {
    const db = await connect(t)
    t.equal(await currentEpoch(db), null, 'no epoch before the first revision')
    await publishRevision(db, draft(0))
    await publishRevision(db, draft(1, { prefixes: ['203.0.113.8/32'] }))
    const epoch = await currentEpoch(db)
    t.ok(epoch, 'the first revision created the epoch')
    const [one, two] = [await historyAt(db, 1), await historyAt(db, 2)]
    t.equal(one?.epoch, epoch, 'revision 1 belongs to it')
    t.equal(two?.epoch, epoch, 'revision 2 too')
    t.not(one?.chain, two?.chain, 'each revision has its own chain')
    const snapshot = await readSnapshot(db)
    t.same(
      { epoch: snapshot.epoch, chain: snapshot.chain },
      { epoch, chain: two?.chain },
      'the snapshot names both',
    )
    const records = await readRevisionsSince(db, 0)
    t.same(
      records?.map((record) => record.chain),
      [one?.chain, two?.chain],
      'the records read back carry their chain',
    )
  },
)

/** The revision keys as they are now, and a way to put them back (a backup and its restore). */
async function backup(db: Db): Promise<() => Promise<void>> {
  const { counter, stream, snapshot, epoch } = db.keys.revisions
  const keys = [counter, stream, snapshot, epoch]
  const dumps = await Promise.all(keys.map((key) => db.redis.dumpBuffer(key)))
  return async () => {
    for (const [i, key] of keys.entries()) {
      const dump = dumps[i]
      if (dump) await db.redis.restore(key, 0, dump, 'REPLACE')
    }
  }
}

t.test('the same revision number with other content has another chain, even in the same epoch', async (t) => {
  const db = await connect(t)
  await publishRevision(db, draft(0))
  const restore = await backup(db)
  await publishRevision(db, draft(1, { prefixes: ['203.0.113.8/32'] }))
  const before = await historyAt(db, 2)
  await restore()
  await publishRevision(db, draft(1, { prefixes: ['203.0.113.9/32'] }))
  const after = await historyAt(db, 2)
  t.equal(after?.epoch, before?.epoch, 'the epoch did not change')
  t.not(after?.chain, before?.chain, 'but the chain tells the two revisions 2 apart')
})

t.test(
  'a new history starts numbered above the revision an agent holds, with a new epoch and the groups unchanged',
  async (t) => {
    const db = await connect(t)
    await publishRevision(db, draft(0))
    const epoch = await currentEpoch(db)
    const fork = await forkHistory(db, { above: 40, now: 1_800_000_100_000 })
    t.equal(fork.revision, 41, 'numbered above the agent')
    t.ok(fork.epoch && fork.epoch !== epoch, 'in a new epoch')
    t.equal(await currentEpoch(db), fork.epoch, 'which is now the current one')
    t.same(fork.groups, [group], 'the enforcement is unchanged')
    t.equal(await readRevisionsSince(db, 0), null, 'no delta crosses the gap: older agents get the snapshot')
    t.same(await readRevisionsSince(db, 41), [], 'an agent of the new history is up to date')
    await publishRevision(db, draft(41, { prefixes: ['203.0.113.8/32'] }))
    t.same(
      (await readRevisionsSince(db, 41))?.map((record) => [record.revision, record.epoch]),
      [[42, fork.epoch]],
      'and the next revision follows in the new history',
    )
    const again = await forkHistory(db, { above: 10, now: 1_800_000_200_000 })
    t.equal(again.revision, 43, 'a fork below the current revision still moves forward')
  },
)

t.test('an emptied store that an agent proves ahead starts its history above the agent', async (t) => {
  const db = await connect(t)
  const fork = await forkHistory(db, { above: 15, now: 1_800_000_100_000 })
  t.equal(fork.revision, 16, 'numbered above the agent')
  t.same(fork.groups, [], 'holding what the store holds: nothing')
  t.ok(fork.epoch, 'with an epoch')
})

t.test(
  "a gateway's claim that an agent holds lost revisions is settled once, by a new history above it",
  async (t) => {
    const db = await connect(t)
    await publishRevision(db, draft(0))
    const epoch = (await currentEpoch(db)) ?? ''
    const claim = {
      isp: 'isp-a',
      agentId: 'edge-1',
      gateway: 'gw-1',
      at: 1,
      lastRevision: 9,
      epoch,
      chain: 'x',
    }
    await claimLostHistory(db, claim)
    await claimLostHistory(db, { ...claim, agentId: 'edge-2', lastRevision: 7 })
    const fork = await settleHistoryClaims(db, 1_800_000_100_000)
    t.equal(fork?.revision, 10, 'one new history settles both agents, numbered above the higher of the two')
    t.not(fork?.epoch, epoch, 'in a new epoch')
    t.same(await db.redis.hgetall(db.keys.revisions.claims), {}, 'both claims are settled')
    await claimLostHistory(db, claim)
    t.equal(
      await settleHistoryClaims(db, 1_800_000_200_000),
      null,
      'a claim of the old history again starts nothing',
    )
  },
)
