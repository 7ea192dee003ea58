import { computeGroups, isoWeekKey } from '@offside/core'
import { addHotEntries, createDb, loadStateInputs, readSnapshot, setOrderSuspended } from '@offside/store'
import { Redis } from 'ioredis'
import t from 'tap'
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
