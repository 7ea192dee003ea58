import t from 'tap'
import { about, createWorld, GRACE_MS, sleep } from './helper.js'

const PREFIX = '203.0.113.7/32'

t.test(
  'a window opening a few seconds ahead is staged at once, switched on at its opening and off at its end',
  async (t) => {
    const world = await createWorld(t)
    const kickoff = Date.now() + 2500
    const end = kickoff + 1500
    await world.order('o1', 'sky-it', kickoff)
    await world.list('sky-it', kickoff, [PREFIX])
    await world.event('m1', kickoff, end)
    await world.scheduler()

    const staged = await world.waitFor((records) => records.some((r) => r.ops.length > 0))
    const put = staged.flatMap((r) => r.ops).find((op) => op.op === 'put')
    t.ok(put, 'the group is sent ahead of the window')
    if (put?.op === 'put') {
      t.same(put.group.prefixes, [PREFIX], 'with the listed prefix')
      t.equal(put.group.from, kickoff, 'enforced from the window opening')
      t.equal(put.group.until, end + GRACE_MS, 'until the window end plus grace')
    }
    t.ok(staged.at(-1)!.issuedAt < kickoff, 'staging happens before the window opens')

    const opened = await world.waitFor((records) => about(records, 'window-open', 'm1').length > 0)
    const open = about(opened, 'window-open', 'm1')[0]!
    t.equal(open.cause.scheduledAt, kickoff, 'the window-open revision names its scheduled instant')
    t.ok(open.issuedAt >= kickoff, 'it is not published before the instant')
    t.ok(open.issuedAt - kickoff < 2000, `it is published promptly (${open.issuedAt - kickoff} ms after)`)
    t.same(open.ops, [], 'opening a staged window is a tiny message with no entries')

    const closed = await world.waitFor((records) => about(records, 'window-close', 'm1').length > 0)
    const close = about(closed, 'window-close', 'm1')[0]!
    t.equal(close.cause.scheduledAt, end + GRACE_MS, 'the close revision is scheduled at until')
    t.ok(close.issuedAt >= end + GRACE_MS, 'the group is not dropped before until')
    t.same(close.ops, [{ op: 'drop', id: 'w:m1' }], 'the close revision drops the group')
  },
)

t.test('a window moved later opens at its new instant and never at the old one', async (t) => {
  const world = await createWorld(t)
  const oldKickoff = Date.now() + 2000
  await world.order('o1', 'sky-it', oldKickoff)
  await world.list('sky-it', oldKickoff, [PREFIX])
  await world.event('m1', oldKickoff, oldKickoff + 1000)
  await world.scheduler()
  await world.waitFor((records) => records.some((r) => r.ops.some((op) => op.op === 'put')))

  const newKickoff = oldKickoff + 2000
  await world.event('m1', newKickoff, newKickoff + 1000)
  await world.trigger('event-change', { event: 'm1' })
  const moved = await world.waitFor((records) => about(records, 'event-change').length > 0)
  t.same(
    about(moved, 'event-change')[0]!.ops,
    [{ op: 'patch', id: 'w:m1', from: newKickoff, until: newKickoff + 1000 + GRACE_MS, add: [], remove: [] }],
    'the move is sent at once as a patch of the group instants',
  )

  const records = await world.waitFor((r) => about(r, 'window-close', 'm1').length > 0, 15_000)
  const opens = about(records, 'window-open', 'm1')
  t.equal(opens.length, 1, 'one window-open revision')
  t.equal(opens[0]!.cause.scheduledAt, newKickoff, 'at the new kickoff, not the old one')
  t.ok(opens[0]!.issuedAt >= newKickoff, 'published at or after the new instant')
})

t.test('a window extended while live keeps its entries enforced until the new end', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + 1000
  const oldEnd = kickoff + 1500
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, [PREFIX])
  await world.event('m1', kickoff, oldEnd)
  await world.scheduler()
  await world.waitFor((records) => about(records, 'window-open', 'm1').length > 0)

  const newEnd = oldEnd + 2500
  await world.event('m1', kickoff, newEnd)
  await world.trigger('event-change', { event: 'm1' })
  const extended = await world.waitFor((records) => about(records, 'event-change').length > 0)
  t.same(
    about(extended, 'event-change')[0]!.ops,
    [{ op: 'patch', id: 'w:m1', from: kickoff, until: newEnd + GRACE_MS, add: [], remove: [] }],
    'the new until reaches the agents at once',
  )
  const records = await world.waitFor((r) => about(r, 'window-close', 'm1').length > 0, 15_000)
  const closes = about(records, 'window-close', 'm1')
  t.equal(closes.length, 1, 'one window-close revision')
  t.equal(closes[0]!.cause.scheduledAt, newEnd + GRACE_MS, 'at the new end plus grace')
  t.ok(closes[0]!.issuedAt >= newEnd + GRACE_MS, 'the group is not dropped at the old end')
})

t.test('a window cancelled while live is dropped at once and publishes no close later', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + 800
  const end = kickoff + 2000
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, [PREFIX])
  await world.event('m1', kickoff, end)
  await world.scheduler()
  await world.waitFor((records) => about(records, 'window-open', 'm1').length > 0)

  await world.event('m1', kickoff, end, 'cancelled')
  await world.trigger('event-change', { event: 'm1' })
  const cancelled = await world.waitFor((records) => about(records, 'event-change').length > 0)
  t.same(
    about(cancelled, 'event-change')[0]!.ops,
    [{ op: 'drop', id: 'w:m1' }],
    'the group is dropped at once',
  )

  await sleep(end + GRACE_MS + 800 - Date.now())
  const records = await world.revisions()
  t.equal(about(records, 'window-close', 'm1').length, 0, 'the stale close job publishes nothing')
})

t.test('a window that had not opened yet when cancelled never opens', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + 1500
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, [PREFIX])
  await world.event('m1', kickoff, kickoff + 500)
  await world.scheduler()
  await world.waitFor((records) => records.some((r) => r.ops.some((op) => op.op === 'put')))

  await world.event('m1', kickoff, kickoff + 500, 'cancelled')
  await world.trigger('event-change', { event: 'm1' })
  await world.waitFor((records) => about(records, 'event-change').length > 0)
  await sleep(kickoff + 500 + GRACE_MS + 800 - Date.now())
  const records = await world.revisions()
  t.equal(about(records, 'window-open', 'm1').length, 0, 'no window-open revision')
  t.equal(about(records, 'window-close', 'm1').length, 0, 'no window-close revision')
})
