import { readSnapshot } from '@offside/store'
import t from 'tap'
import { about, createWorld, GRACE_MS, sleep } from './helper.js'

const PREFIX = '203.0.113.7/32'

t.test(
  'a scheduler down across a window closes it on start, before opening what is live, and never reopens it',
  async (t) => {
    const world = await createWorld(t)
    const kickoff = Date.now() + 1500
    const end = kickoff + 500
    await world.order('o1', 'sky-it', kickoff)
    await world.list('sky-it', kickoff, [PREFIX])
    await world.event('m1', kickoff, end)
    // m2 is live when the scheduler comes back; its group is already staged.
    await world.event('m2', kickoff + 800, kickoff + 20_000)
    const first = await world.scheduler()
    await world.waitFor((records) => records.some((r) => r.ops.some((op) => op.op === 'put')))
    await first.close()
    const down = (await world.revisions()).length

    // While it is down, m1 opens and ends, m2 opens, and a third window m3 appears that is live now.
    await world.event('m3', Date.now(), kickoff + 20_000)
    await sleep(end + GRACE_MS + 300 - Date.now())
    await world.scheduler()

    const records = await world.waitFor(
      (r) => about(r, 'window-open', 'm2').length > 0 && about(r, 'window-close', 'm1').length > 0,
    )
    const after = records.slice(down)
    const dropAt = after.findIndex((r) => r.ops.some((op) => op.op === 'drop' && op.id === 'w:m1'))
    // m3 shares m2's list: its group is staged as a copy of m2's (or put, were it alone).
    const putAt = after.findIndex((r) =>
      r.ops.some(
        (op) => (op.op === 'put' && op.group.id === 'w:m3') || (op.op === 'copy' && op.id === 'w:m3'),
      ),
    )
    t.ok(dropAt >= 0, 'the ended window is dropped on start')
    t.equal(after[dropAt]?.cause.kind, 'catch-up', 'by a catch-up revision')
    t.ok(putAt > dropAt, 'before the live window is opened')
    t.equal(
      about(after, 'window-open', 'm1').length,
      0,
      'the missed opening of an ended window is not published',
    )
    t.equal(
      about(after, 'window-close', 'm1').length,
      1,
      'its close instant is published once, for compliance',
    )
    t.same(about(after, 'window-close', 'm1')[0]?.ops, [], 'with nothing left to drop')
    const snapshot = await readSnapshot(world.db)
    t.notOk(
      snapshot.groups.some((group) => group.id === 'w:m1'),
      'the ended window is not in the state any more',
    )
    t.ok(
      snapshot.groups.every((group) => group.until > snapshot.issuedAt),
      'no group in the snapshot outlives its until',
    )
  },
)
