import { isoWeekKey } from '@offside/core'
import { addHotEntries, readSnapshot, setOrderSuspended } from '@offside/store'
import t from 'tap'
import { about, competition, createWorld, SOON_MS, sleep } from './helper.js'

const PREFIX = '203.0.113.7/32'
const HOT = '198.51.100.0/24'

t.test('a hot addition during a live window is published at once as a patch of the live group', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + SOON_MS
  await world.order('o1', 'sky-it', kickoff)
  const listed = [PREFIX, '203.0.113.9/32', '203.0.113.11/32', '203.0.113.13/32']
  await world.list('sky-it', kickoff, listed)
  await world.event('m1', kickoff, kickoff + 20_000)
  await world.scheduler()
  await world.waitFor((records) => about(records, 'window-open', 'm1').length > 0)

  const requestedAt = Date.now()
  await addHotEntries(world.db, {
    rightsholder: 'sky-it',
    week: isoWeekKey(kickoff, competition.timeZone),
    accepted: [{ target: HOT, source: 'hot-addition', at: requestedAt, by: 'sky-it' }],
    held: [],
    rejected: 0,
    now: requestedAt,
    by: 'sky-it',
  })
  await world.trigger('hot-addition', { rightsholder: 'sky-it' })
  const records = await world.waitFor((r) => about(r, 'hot-addition').length > 0, 3000)
  const hot = about(records, 'hot-addition')[0]!
  t.match(
    hot.ops,
    [{ op: 'patch', id: 'w:m1', add: [HOT], remove: [] }],
    'the new prefix is added to the live group',
  )
  t.ok(hot.cause.requestedAt >= requestedAt, 'the cause keeps when the change was requested')
  t.same(
    (await readSnapshot(world.db)).groups[0]?.prefixes.sort(),
    [HOT, ...listed].sort(),
    'the snapshot holds the list and the hot addition',
  )
})

t.test(
  'suspending one of two orders that list the same prefix keeps it enforced; suspending both removes it',
  async (t) => {
    const world = await createWorld(t)
    const kickoff = Date.now() + SOON_MS
    await world.order('o1', 'sky-it', kickoff)
    await world.order('o2', 'dazn-it', kickoff)
    await world.list('sky-it', kickoff, [PREFIX])
    await world.list('dazn-it', kickoff, [PREFIX])
    await world.event('m1', kickoff, kickoff + 20_000)
    await world.scheduler()
    await world.waitFor((records) => about(records, 'window-open', 'm1').length > 0)
    const before = (await world.revisions()).length

    await setOrderSuspended(world.db, 'o1', true, Date.now())
    await world.trigger('order-suspended', { order: 'o1' })
    await sleep(700)
    t.equal(
      (await world.revisions()).length,
      before,
      'nothing to publish: the other order still lists the prefix',
    )
    t.same((await readSnapshot(world.db)).groups[0]?.prefixes, [PREFIX], 'the prefix stays enforced')

    await setOrderSuspended(world.db, 'o2', true, Date.now())
    await world.trigger('order-suspended', { order: 'o2' })
    const records = await world.waitFor((r) => about(r, 'order-suspended').length > 0, 3000)
    const suspended = about(records, 'order-suspended')[0]!
    t.equal(suspended.cause.order, 'o2', 'the revision names the order')
    const snapshot = await readSnapshot(world.db)
    t.notOk(
      snapshot.groups.some((group) => group.prefixes.includes(PREFIX)),
      'with no order left the prefix is no longer enforced',
    )
  },
)

t.test('a list uploaded for a window opening later is staged at once, before the window opens', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + 60_000
  await world.order('o1', 'sky-it', kickoff)
  await world.event('m1', kickoff, kickoff + 5000)
  await world.scheduler()

  await world.list('sky-it', kickoff, [PREFIX])
  await world.trigger('list-upload', { rightsholder: 'sky-it' })
  const records = await world.waitFor((r) => about(r, 'list-upload').length > 0, 3000)
  t.match(
    about(records, 'list-upload')[0]!.ops,
    [{ group: { id: 'w:m1', from: kickoff, prefixes: [PREFIX] } }],
    'the group is sent with its activation instant',
  )
})

t.test('triggers queued while no scheduler runs are all published on start, in one revision', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + SOON_MS
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, [PREFIX])
  await world.event('m1', kickoff, kickoff + 20_000)
  const week = isoWeekKey(kickoff, competition.timeZone)
  const added: string[] = []
  // Queued while no scheduler runs, as during a restart.
  for (let i = 1; i <= 10; i++) {
    const target = `198.51.100.${i * 2}/32`
    added.push(target)
    const at = Date.now()
    await addHotEntries(world.db, {
      rightsholder: 'sky-it',
      week,
      accepted: [{ target, source: 'hot-addition', at, by: 'sky-it' }],
      held: [],
      rejected: 0,
      now: at,
      by: 'sky-it',
    })
    await world.trigger('hot-addition', { rightsholder: 'sky-it' })
  }
  await world.scheduler()
  await sleep(500)
  const records = await world.revisions()
  t.equal(about(records, 'hot-addition').length, 0, 'the queued triggers publish nothing of their own')
  t.equal(
    records.filter((r) => r.cause.kind !== 'window-open').length,
    1,
    'one revision carries every change',
  )
  t.same(
    (await readSnapshot(world.db)).groups[0]?.prefixes.sort(),
    [...added, PREFIX].sort(),
    'and every hot addition is enforced',
  )
})
