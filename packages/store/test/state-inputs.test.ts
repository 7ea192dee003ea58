import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { putCompetition, putEvent } from '../src/calendar.js'
import { decideHeld, putProtectedRanges } from '../src/guard.js'
import { createDb } from '../src/keys.js'
import { addHotEntries, type ListVersion, swapWeeklyList } from '../src/lists.js'
import { putOrder } from '../src/orders.js'
import { loadStateInputs } from '../src/state-inputs.js'

const now = Date.parse('2026-11-29T20:00:00Z')

async function setUp(t: { teardown(fn: () => unknown): void }) {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  t.teardown(() => redis.disconnect())
  const db = createDb(redis, 'st:')
  await putCompetition(db, {
    id: 'serie-a',
    name: 'Serie A',
    timeZone: 'Europe/Rome',
    preMinutes: 15,
    postMinutes: 30,
  })
  await putEvent(db, {
    id: 'm1',
    competition: 'serie-a',
    kickoff: now - 600_000,
    end: now + 3600_000,
    status: 'scheduled',
  })
  await putOrder(db, {
    id: 'o1',
    rightsholder: 'sky-it',
    competitions: ['serie-a'],
    season: '2026-27',
    reference: 'R',
    suspended: false,
    issuedAt: 0,
    updatedAt: 0,
  })
  return Object.assign(db, { url: server.url })
}

function version(week: string, id: string, targets: string[]): ListVersion {
  return {
    summary: {
      rightsholder: 'sky-it',
      week,
      version: id,
      uploadedAt: now,
      uploadedBy: 'tok',
      entries: targets.length,
      accepted: targets.length,
      held: 0,
      rejected: 0,
      hotAdditions: 0,
    },
    accepted: targets.map((target) => ({ target })),
    verdicts: {},
  }
}

t.test('state inputs carry the week list and the week before, with hot additions', async (t) => {
  const db = await setUp(t)
  await swapWeeklyList(db, { version: version('2026-W48', 'v1', ['203.0.113.7/32']), held: [] })
  await swapWeeklyList(db, { version: version('2026-W47', 'v0', ['203.0.113.1/32']), held: [] })
  await swapWeeklyList(db, { version: version('2026-W30', 'old', ['203.0.113.2/32']), held: [] })
  await addHotEntries(db, {
    rightsholder: 'sky-it',
    week: '2026-W48',
    accepted: [{ target: '198.51.100.9/32', source: 'hot-addition', at: now, by: 'tok' }],
    held: [],
    rejected: 0,
    now,
    by: 'tok',
  })
  const inputs = await loadStateInputs(db, now, { graceMs: 1000 })
  const byWeek = Object.fromEntries(inputs.lists.map((list) => [list.week, list.prefixes.sort()]))
  t.same(byWeek['2026-W48'], ['198.51.100.9/32', '203.0.113.7/32'], 'the live week: upload plus hot addition')
  t.same(byWeek['2026-W47'], ['203.0.113.1/32'], 'the week before, for surveillance')
  t.notOk('2026-W30' in byWeek, 'lists of weeks no event uses are not loaded')
  t.match(
    inputs,
    { now, graceMs: 1000, orders: [{ id: 'o1', suspended: false }], events: [{ id: 'm1' }] },
    'calendar and orders',
  )
})

t.test('a protected range drops covered entries at read time, except those ops approved', async (t) => {
  const db = await setUp(t)
  await swapWeeklyList(db, {
    version: version('2026-W48', 'v1', ['203.0.113.7/32', '198.51.100.7/32']),
    held: [
      {
        id: 'h1',
        rightsholder: 'sky-it',
        week: '2026-W48',
        target: '198.51.100.8/32',
        reasons: [],
        source: 'upload',
        heldAt: now,
        status: 'pending',
      },
    ],
  })
  await decideHeld(db, 'h1', { approve: true, by: 'ops', now })
  await putProtectedRanges(db, [{ prefix: '198.51.100.0/24', name: 'shared host', source: 'test' }])
  const inputs = await loadStateInputs(db, now)
  t.same(
    inputs.lists[0]?.prefixes.sort(),
    ['198.51.100.8/32', '203.0.113.7/32'],
    'the covered entry left; the approved one stays',
  )
})

t.test('a reader never sees part of a list while it is being replaced', async (t) => {
  const db = await setUp(t)
  const big = (tag: number) =>
    Array.from({ length: 5000 }, (_, i) => `2001:db8:${tag}:${i.toString(16)}::/64`)
  await swapWeeklyList(db, { version: version('2026-W48', 'a', big(1)), held: [] })
  const reader = createDb(new Redis(db.url), 'st:')
  t.teardown(() => reader.redis.disconnect())
  let swapping = true
  const swaps = (async () => {
    for (let i = 2; i < 12; i++)
      await swapWeeklyList(db, { version: version('2026-W48', `v${i}`, big(i)), held: [] })
    swapping = false
  })()
  const seen = new Set<number>()
  while (swapping) {
    const inputs = await loadStateInputs(reader, now)
    const prefixes = inputs.lists.find((list) => list.week === '2026-W48')?.prefixes ?? []
    const tags = new Set(prefixes.map((prefix) => prefix.split(':')[2]))
    t.equal(prefixes.length, 5000, 'a whole list')
    t.equal(tags.size, 1, 'from one version only')
    for (const tag of tags) seen.add(Number(tag))
  }
  await swaps
  t.ok(seen.size >= 1, 'read while swapping')
})
