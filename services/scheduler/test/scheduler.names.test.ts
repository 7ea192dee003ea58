import { isoWeekKey } from '@offside/core'
import {
  addHotEntries,
  decideComplaint,
  fileComplaint,
  type RevisionRecord,
  readSnapshot,
} from '@offside/store'
import t from 'tap'
import { about, competition, createWorld, SOON_MS } from './helper.js'

/** The group of m1 is published (staged ahead or live: on a loaded machine start-up may be late). */
const groupPublished = (records: RevisionRecord[]) =>
  records.some((record) => record.ops.some((op) => op.op === 'put' && op.group.id === 'w:m1'))

const PREFIX = '203.0.113.7/32'
const NAMES = ['live.pirate-streams.example', 'xn--bcher-kva.example', 'a.tv.example', 'b.tv.example']

t.test('names in a weekly list become the names of the published group, sorted', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + SOON_MS
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, [PREFIX, ...NAMES])
  await world.event('m1', kickoff, kickoff + 20_000)
  await world.scheduler()
  await world.waitFor(groupPublished)
  const group = (await readSnapshot(world.db)).groups.find((g) => g.id === 'w:m1')
  t.same(group?.prefixes, [PREFIX], 'the addresses stay in prefixes')
  t.same(group?.names, [...NAMES].sort(), 'the names are in names, sorted, and nowhere else')
})

t.test('a name hot-added during a live window is published at once as a patch with addNames', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + SOON_MS
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, [PREFIX, ...NAMES])
  await world.event('m1', kickoff, kickoff + 20_000)
  await world.scheduler()
  await world.waitFor(groupPublished)

  const week = isoWeekKey(kickoff, competition.timeZone)
  const now = Date.now()
  await addHotEntries(world.db, {
    rightsholder: 'sky-it',
    week,
    accepted: [{ target: 'mirror.pirate-streams.example', source: 'hot-addition', at: now, by: 'sky-it' }],
    held: [],
    rejected: 0,
    now,
    by: 'sky-it',
  })
  await world.trigger('hot-addition', { rightsholder: 'sky-it' })
  const records = await world.waitFor((r) => about(r, 'hot-addition').length > 0, 5000)
  t.same(
    about(records, 'hot-addition')[0]?.ops,
    [
      {
        op: 'patch',
        id: 'w:m1',
        from: kickoff,
        until: kickoff + 20_000 + 500,
        add: [],
        remove: [],
        addNames: ['mirror.pirate-streams.example'],
      },
    ],
    'one patch adds the name and touches nothing else',
  )
  t.ok(
    (await readSnapshot(world.db)).groups[0]?.names?.includes('mirror.pirate-streams.example'),
    'the snapshot holds it',
  )

  // An upheld complaint about a name takes it out with a patch too.
  const complaint = await fileComplaint(world.db, {
    target: 'a.tv.example',
    contact: 'noc@example.net',
    reason: 'a lawful service',
    now: Date.now(),
  })
  await decideComplaint(
    world.db,
    complaint,
    { outcome: 'revoke', reason: 'lawful', decidedAt: Date.now(), decidedBy: 'agcom', prefixes: [] },
    {
      revocations: [{ name: 'a.tv.example', complaint: complaint.id, at: Date.now() }],
      revokedBy: new Map(),
    },
  )
  await world.trigger('complaint-upheld', { complaint: complaint.id })
  const upheld = await world.waitFor((r) => about(r, 'complaint-upheld').length > 0, 5000)
  t.match(
    about(upheld, 'complaint-upheld')[0]?.ops,
    [{ op: 'patch', id: 'w:m1', removeNames: ['a.tv.example'] }],
    'the revoked name is removed from the live group',
  )
})

t.test('a wildcard reaches the group only through an order that allows wildcards', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + SOON_MS
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, ['*.pirate-streams.example', 'live.other.example'])
  await world.event('m1', kickoff, kickoff + 20_000)
  await world.scheduler()
  await world.waitFor(groupPublished)
  t.same(
    (await readSnapshot(world.db)).groups[0]?.names,
    ['live.other.example'],
    'the wildcard is left out: the order does not allow wildcards',
  )
})
