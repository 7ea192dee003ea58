import { type CoverPart, computeGroups, isoWeekKey, minimalCover, PrefixSet } from '@offside/core'
import { addHotEntries, createDb, loadStateInputs, readSnapshot, setOrderSuspended } from '@offside/store'
import { Redis } from 'ioredis'
import t from 'tap'
import { CoverCache, regionOf } from '../src/cover-cache.js'
import { recompute } from '../src/recompute.js'
import { competition, createWorld, GRACE_MS } from './helper.js'

const settings = { horizonMs: 3600_000, graceMs: GRACE_MS, revisionHistory: 1000 }
const cause = (kind: 'hot-addition' | 'list-upload' | 'order-suspended') => ({
  kind,
  requestedAt: Date.now(),
})

t.test(
  'a change written by another process is in the next recompute of a scheduler that cached the lists',
  async (t) => {
    const world = await createWorld(t)
    // The scheduler's own connection and store handle: its caches live with this handle.
    const redis = new Redis(world.redisUrl)
    t.teardown(() => redis.quit())
    const scheduler = createDb(redis, world.keyPrefix)
    const kickoff = Date.now() - 1000
    const week = isoWeekKey(kickoff, competition.timeZone)
    await world.order('o1', 'sky-it', kickoff)
    await world.event('m1', kickoff, kickoff + 60_000)
    await world.list('sky-it', kickoff, ['203.0.113.7/32', '203.0.113.9/32', '2001:db8::1/128'])
    await recompute(scheduler, { cause: cause('list-upload') }, settings)
    const enforced = async () => (await readSnapshot(scheduler)).groups[0]?.prefixes ?? []
    t.same(
      await enforced(),
      ['203.0.113.7/32', '203.0.113.9/32', '2001:db8::1/128'],
      'the first list is staged',
    )

    // Each change goes through the API's connection, as another process would write it.
    const others = Array.from({ length: 8 }, (_, i) => `2001:db8::${(i + 1) * 16}/128`)
    await world.list('sky-it', kickoff, ['203.0.113.7/32', '198.51.100.0/24', ...others])
    await recompute(scheduler, { cause: cause('list-upload') }, settings)
    t.same(
      await enforced(),
      ['198.51.100.0/24', '203.0.113.7/32', ...others],
      'a new upload replaces the cached list',
    )

    const at = Date.now()
    await addHotEntries(world.db, {
      rightsholder: 'sky-it',
      week,
      accepted: [{ target: '203.0.113.6/32', source: 'hot-addition', at, by: 'sky-it' }],
      held: [],
      rejected: 0,
      now: at,
      by: 'sky-it',
    })
    const outcome = await recompute(scheduler, { cause: cause('hot-addition') }, settings)
    t.same(
      await enforced(),
      ['198.51.100.0/24', '203.0.113.6/31', ...others],
      'a hot addition next to a listed host merges into its minimal cover',
    )
    t.match(
      outcome.status === 'published' ? outcome.record.ops : [],
      [{ op: 'patch', add: ['203.0.113.6/31'], remove: ['203.0.113.7/32'] }],
      'agents get a patch that turns the old cover into the new one',
    )

    const fresh = computeGroups(
      await loadStateInputs(world.db, Date.now(), { graceMs: GRACE_MS }),
      settings.horizonMs,
    )
    t.same(
      (await readSnapshot(scheduler)).groups,
      fresh,
      'the published groups equal a computation from scratch',
    )

    await setOrderSuspended(world.db, 'o1', true, Date.now())
    await recompute(scheduler, { cause: cause('order-suspended') }, settings)
    t.same(await enforced(), [], 'suspending the order empties the group')
  },
)

t.test(
  'the cover kept across changes is always the minimal cover, and its patch turns the old cover into the new',
  async (t) => {
    // Small address spaces so that changes merge with and split their neighbours.
    let seed = 17
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 8) % n
    }
    const pick = (): string => {
      const kind = random(4)
      if (kind === 0) return `198.51.100.${random(64) * 4}/30`
      if (kind === 1) return `198.51.100.${random(256)}/32`
      if (kind === 2) return `2001:db8::${random(256).toString(16)}/128`
      return `2001:db8:0:${random(4)}::/64`
    }
    const cache = new CoverCache()
    let uploaded = Array.from({ length: 60 }, pick)
    let revoked: string[] = []
    const second = Array.from({ length: 20 }, pick)
    let previous: string[] = []
    let patched = 0
    for (let step = 0; step < 300; step++) {
      const change = random(4)
      if (change === 0) uploaded = [...uploaded, pick()]
      else if (change === 1) uploaded = uploaded.filter((_, i) => i !== random(uploaded.length))
      else if (change === 2) revoked = [...revoked, pick()]
      else revoked = revoked.slice(1)
      // A second order comes and goes (suspended, resumed): its week's key changes with it.
      const both = random(3) === 0
      const parts: CoverPart[] = [{ lists: [uploaded], revoked: PrefixSet.from(revoked) }]
      if (both) parts.push({ lists: [second], revoked: PrefixSet.empty() })
      const key = both ? 'week\u0000o1\u0000o2' : 'week\u0000o1'
      cache.startRound()
      const cover = cache.cover(key, parts)
      cache.endRound()
      const expected = minimalCover(key, parts)
      if (JSON.stringify(cover) !== JSON.stringify(expected)) {
        t.same(cover, expected, `step ${step}: the kept cover is the minimal cover, in its order`)
        return
      }
      const patch = cache.patch([...previous], [...cover])
      if (patch) {
        patched++
        const removed = new Set(patch.remove)
        const applied = [...previous.filter((prefix) => !removed.has(prefix)), ...patch.add].sort()
        if (JSON.stringify(applied) !== JSON.stringify([...cover].sort())) {
          t.same(applied, [...cover].sort(), `step ${step}: the patch turns the previous cover into this one`)
          return
        }
      }
      previous = cover
    }
    t.ok(patched > 50, `${patched} of 300 changes were patched incrementally, the rest covered from scratch`)
    t.pass('300 changes kept the minimal cover and consistent patches')
  },
)

t.test('a change is re-covered within its /24 or /64', async (t) => {
  t.equal(regionOf('198.51.100.7/32'), '198.51.100.0/24', 'an IPv4 host')
  t.equal(regionOf('198.51.0.0/16'), '198.51.0.0/16', 'a prefix wider than a region is its own region')
  t.equal(regionOf('2001:db8:0:0:1::5/128'), '2001:db8::/64', 'zero hextets are compressed')
  t.equal(regionOf('2001:0:0:1::5/128'), '2001:0:0:1::/64', 'the longest zero run is compressed')
  t.equal(regionOf('2001:db8:a:b::/64'), '2001:db8:a:b::/64', 'a /64 is its own region')
  for (const prefix of ['2001:db8:0:0:1::5/128', '2001:0:0:1::5/128', '2001:db8:a:b:c::/80']) {
    const region = regionOf(prefix)
    t.same(PrefixSet.from([region]).toPrefixes(), [region], `${region} is canonical`)
  }
})
