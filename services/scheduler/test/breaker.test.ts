import { defaultGuardConfig, type EnforcementGroup, PrefixSet } from '@offside/core'
import {
  decideBreakerHold,
  decideComplaint,
  fileComplaint,
  listBreakerHolds,
  type RevisionRecord,
  readSnapshot,
} from '@offside/store'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import type { BreakerConfig } from '../src/breaker.js'
import { createMetrics } from '../src/metrics.js'
import { startScheduler } from '../src/scheduler.js'
import { about, createWorld, GRACE_MS, SOON_MS, sleep, type World } from './helper.js'

/**
 * Documentation ranges hold only 768 IPv4 addresses, so the breaker runs with a small floor: growth
 * up to 4 × max(previous, 4 addresses) passes; a /24 on top of two hosts trips it.
 */
const breaker: BreakerConfig = {
  ...defaultGuardConfig.breaker,
  maxGrowthFactor: 4,
  minBaselineV4Addresses: 4n,
  minBaselineV6Prefixes48: 4n,
}

const HOSTS = ['203.0.113.7/32', '203.0.113.9/32']
const WIDE = '203.0.113.0/24'

async function startWithBreaker(t: Test, world: World) {
  const scheduler = await startScheduler({
    redis: world.db.redis,
    connection: { redisUrl: world.redisUrl, keyPrefix: world.keyPrefix },
    horizonMs: 3600_000,
    graceMs: GRACE_MS,
    tickMs: 0,
    revisionHistory: 1000,
    breaker,
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
  })
  t.teardown(() => scheduler.close())
  return scheduler
}

/** Every address the revisions so far ever added to any group. */
function everAdded(records: RevisionRecord[]): PrefixSet {
  const added = records.flatMap((record) =>
    record.ops.flatMap((op) => (op.op === 'put' ? op.group.prefixes : op.op === 'patch' ? op.add : [])),
  )
  return PrefixSet.from(added)
}

function spaceOf(groups: EnforcementGroup[]): PrefixSet {
  return PrefixSet.from(groups.flatMap((group) => group.prefixes))
}

async function waitForHold(world: World, predicate: (recomputes: number) => boolean = () => true) {
  for (let i = 0; i < 400; i++) {
    const [hold] = await listBreakerHolds(world.db)
    if (hold && predicate(hold.recomputes)) return hold
    await sleep(25)
  }
  throw new Error('no circuit-breaker hold was filed')
}

/** Two hosts enforced in a live window, then the rightsholder's list turns into the whole /24. */
async function liveWindowThenWideList(t: Test) {
  const world = await createWorld(t)
  const kickoff = Date.now() + SOON_MS
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, HOSTS)
  await world.event('m1', kickoff, kickoff + 60_000)
  await startWithBreaker(t, world)
  await world.waitFor((records) => about(records, 'window-open', 'm1').length > 0)
  await world.list('sky-it', kickoff, [WIDE])
  await world.trigger('list-upload', { rightsholder: 'sky-it' })
  const hold = await waitForHold(world)
  return { world, hold }
}

t.test(
  'a normal first list does not trip the breaker; growth from nothing past the floor does',
  async (t) => {
    const world = await createWorld(t)
    const kickoff = Date.now() + SOON_MS
    await world.order('o1', 'sky-it', kickoff)
    // 16 addresses: 4 × the floor of 4, from an empty state.
    const first = Array.from({ length: 16 }, (_, i) => `198.51.100.${i * 2}/32`)
    await world.list('sky-it', kickoff, first)
    await world.event('m1', kickoff, kickoff + 60_000)
    await startWithBreaker(t, world)
    const records = await world.waitFor((r) => about(r, 'window-open', 'm1').length > 0)
    t.same(everAdded(records).toPrefixes(), PrefixSet.from(first).toPrefixes(), 'the first list is published')
    t.same(await listBreakerHolds(world.db), [], 'no hold is filed')

    const other = await createWorld(t)
    await other.order('o1', 'sky-it', kickoff)
    await other.list('sky-it', kickoff, ['198.51.100.0/27'])
    await other.event('m1', kickoff, kickoff + 60_000)
    await startWithBreaker(t, other)
    const hold = await waitForHold(other)
    t.equal(hold.next.v4Addresses, 32, 'the hold names the size it would enforce')
    t.equal(hold.factor, null, 'growth from nothing has no factor')
    t.ok(everAdded(await other.revisions()).isEmpty(), 'a first list past 4 × the floor is held')
  },
)

t.test(
  'a list that grows a live window past the factor is held: no revision adds it, and a complaint upheld meanwhile still removes its prefix at once',
  async (t) => {
    const { world, hold } = await liveWindowThenWideList(t)
    t.equal(hold.status, 'pending', 'the hold waits for ops')
    t.equal(hold.cause.kind, 'list-upload', 'it names the change that tripped it')
    t.same(hold.previous, { v4Addresses: 2, v6Prefixes48: 0 }, 'it names the space enforced now')
    t.same(hold.next, { v4Addresses: 256, v6Prefixes48: 0 }, 'and the space the revision would enforce')
    t.equal(hold.factor, 128, 'and the growth factor')
    t.equal(hold.reason.code, 'circuit-breaker', 'with the guard reason code')
    await sleep(300)
    t.notOk(everAdded(await world.revisions()).contains(WIDE), 'no revision ever adds the /24')
    t.same(
      spaceOf((await readSnapshot(world.db)).groups).toPrefixes(),
      HOSTS,
      'agents keep exactly the two hosts',
    )

    const complaint = await fileComplaint(world.db, {
      target: HOSTS[0]!,
      contact: 'noc@example.net',
      reason: 'shared host',
      now: Date.now(),
    })
    await decideComplaint(
      world.db,
      complaint,
      {
        outcome: 'revoke',
        reason: 'upheld',
        prefixes: [HOSTS[0]!],
        decidedAt: Date.now(),
        decidedBy: 'agcom',
      },
      { revocations: [{ prefix: HOSTS[0]!, complaint: complaint.id, at: Date.now() }], revokedBy: new Map() },
    )
    await world.trigger('complaint-upheld', { complaint: complaint.id })
    const records = await world.waitFor((r) => about(r, 'complaint-upheld').length > 0, 5000)
    t.notOk(
      everAdded(about(records, 'complaint-upheld')).contains(WIDE),
      'the revision that removes the revoked host adds nothing of the held growth',
    )
    t.same(
      spaceOf((await readSnapshot(world.db)).groups).toPrefixes(),
      [HOSTS[1]],
      'the revoked host left enforcement at once, the other stays',
    )
    const folded = await waitForHold(world, (recomputes) => recomputes >= 2)
    t.equal(folded.id, hold.id, 'the later recompute folds into the same hold')
    t.equal(folded.latestCause.kind, 'complaint-upheld', 'which names the latest change')
    t.equal((await listBreakerHolds(world.db)).length, 1, 'still one pending hold')
  },
)

t.test('approving a hold publishes the held growth at once', async (t) => {
  const { world, hold } = await liveWindowThenWideList(t)
  const decided = await decideBreakerHold(world.db, hold.id, { approve: true, by: 'ops', now: Date.now() })
  t.equal(decided.status, 'decided', 'the pending hold is approved')
  await world.trigger('guard-change', { reason: 'breaker-approved' })
  const records = await world.waitFor((r) => about(r, 'guard-change').length > 0, 5000)
  t.ok(everAdded(about(records, 'guard-change')).contains(WIDE), 'the approved revision adds the /24')
  t.same(spaceOf((await readSnapshot(world.db)).groups).toPrefixes(), [WIDE], 'agents now hold the /24')
  t.same(await listBreakerHolds(world.db), [], 'nothing waits for ops any more')
})

t.test(
  'rejecting a hold keeps the growth out, the next recompute does not trip again, and later changes still go out',
  async (t) => {
    const { world, hold } = await liveWindowThenWideList(t)
    await decideBreakerHold(world.db, hold.id, { approve: false, by: 'ops', now: Date.now() })
    await world.trigger('guard-change', { reason: 'breaker-rejected' })
    await world.trigger('event-change', { event: 'm1' })
    await sleep(800)
    t.same(await listBreakerHolds(world.db), [], 'no new hold for the growth ops rejected')
    t.notOk(everAdded(await world.revisions()).contains(WIDE), 'no revision adds the /24')

    // The rightsholder lists one more host elsewhere next to the rejected /24: small growth, published.
    await world.list('sky-it', Date.now(), [WIDE, '198.51.100.5/32'])
    await world.trigger('list-upload', { rightsholder: 'sky-it' })
    const records = await world.waitFor((r) => about(r, 'list-upload').length > 0, 5000)
    t.match(
      about(records, 'list-upload')[0]!.ops,
      [{ op: 'patch', id: 'w:m1', add: ['198.51.100.5/32'], remove: [] }],
      'the new host is published, the rejected /24 stays out',
    )
    t.same(await listBreakerHolds(world.db), [], 'and nothing trips again')
  },
)

t.test('growth of a window staged ahead is held too: the wide group is never sent to agents', async (t) => {
  const world = await createWorld(t)
  const kickoff = Date.now() + 10 * 60_000
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, HOSTS)
  await world.event('m1', kickoff, kickoff + 60_000)
  await startWithBreaker(t, world)
  await world.waitFor((records) => everAdded(records).contains(HOSTS[0]!))
  t.equal((await readSnapshot(world.db)).groups[0]?.from, kickoff, 'the window is staged, not live')

  await world.list('sky-it', kickoff, [WIDE])
  await world.trigger('list-upload', { rightsholder: 'sky-it' })
  const hold = await waitForHold(world)
  t.same(hold.next, { v4Addresses: 256, v6Prefixes48: 0 }, 'the hold names the staged growth')
  await sleep(300)
  t.notOk(everAdded(await world.revisions()).contains(WIDE), 'no revision stages the /24')
  t.same(
    spaceOf((await readSnapshot(world.db)).groups).toPrefixes(),
    HOSTS,
    'the staged group keeps the two hosts',
  )
})

t.test(
  'after a window closes and its group is dropped, growth past the factor still trips the breaker (its bounds follow the drop)',
  async (t) => {
    const world = await createWorld(t)
    const kickoff = Date.now() + SOON_MS
    await world.order('o1', 'sky-it', kickoff)
    await world.list('sky-it', kickoff, HOSTS)
    await world.event('short', kickoff, kickoff + 400)
    await world.event('m2', kickoff, kickoff + 60_000)
    await startWithBreaker(t, world)
    await world.waitFor((records) => about(records, 'window-close', 'short').length > 0, 15_000)
    t.same(
      (await readSnapshot(world.db)).groups.map((group) => group.id),
      ['w:m2'],
      'the closed window left the snapshot',
    )
    await world.list('sky-it', kickoff, [WIDE])
    await world.trigger('list-upload', { rightsholder: 'sky-it' })
    const hold = await waitForHold(world)
    t.equal(hold.next.v4Addresses, 256, 'the hold names the /24')
    t.notOk(everAdded(await world.revisions()).contains(WIDE), 'the /24 was never sent to agents')
  },
)
