// Spans several scheduler processes on one Redis: each revision published once and in order, and a stopped one replaced.
import { applyGroupOps, type EnforcementGroup } from '@offside/core'
import { CRASH_RECOVERY_MS, type RevisionRecord, readSnapshot } from '@offside/store'
import { startStack } from '@offside/testkit'
import t, { type Test } from 'tap'
import { about, createWorld, sleep, type World } from '../helper.js'

const PREFIX = '203.0.113.7/32'

/** Every revision once, numbered 1..N with no gap, and replaying them gives the snapshot. */
async function assertConsistent(t: Test, world: World, records: RevisionRecord[]) {
  t.same(
    records.map((r) => r.revision),
    records.map((_, index) => index + 1),
    'revisions are numbered 1..N with no gap, duplicate or reordering',
  )
  let groups: EnforcementGroup[] = []
  for (const record of records) groups = applyGroupOps(groups, record.ops)
  const byId = (a: EnforcementGroup, b: EnforcementGroup) => a.id.localeCompare(b.id)
  t.same(
    groups.sort(byId),
    (await readSnapshot(world.db)).groups.sort(byId),
    'replaying every revision from nothing gives the snapshot: nothing lost',
  )
  const instants = records
    .filter((r) => r.cause.scheduledAt !== undefined)
    .map((r) => `${r.cause.kind}|${r.cause.event}|${r.cause.scheduledAt}`)
  t.equal(new Set(instants).size, instants.length, 'no calendar instant is published twice')
}

t.test('two schedulers on one Redis publish each revision exactly once and in order', async (t) => {
  const world = await createWorld(t)
  const start = Date.now() + 2000
  await world.order('o1', 'sky-it', start)
  await world.list('sky-it', start, [PREFIX])
  // m1 and m2 open at the same instant, so both schedulers race for it.
  await world.event('m1', start, start + 1500)
  await world.event('m2', start, start + 2000)
  await world.event('m3', start + 700, start + 1800)
  await Promise.all([world.scheduler(), world.scheduler()])
  for (let i = 0; i < 6; i++) {
    await world.list('sky-it', start, [PREFIX, `198.51.100.${i}/32`])
    await world.trigger('list-upload', { rightsholder: 'sky-it' })
  }

  const records = await world.waitFor(
    (r) => ['m1', 'm2', 'm3'].every((event) => about(r, 'window-close', event).length > 0),
    15_000,
  )
  for (const event of ['m1', 'm2', 'm3']) {
    t.equal(about(records, 'window-open', event).length, 1, `${event} opens once`)
    t.equal(about(records, 'window-close', event).length, 1, `${event} closes once`)
  }
  await assertConsistent(t, world, records)
})

/** A scheduler as its own process (from the sources) on the world's Redis and key prefix. */
async function startProcess(t: Test, world: World) {
  const stack = await startStack(t, {
    services: [],
    redis: { url: world.redisUrl },
    env: {
      OFFSIDE_KEY_PREFIX: world.keyPrefix,
      OFFSIDE_GRACE_SECONDS: '1',
      OFFSIDE_STAGING_HORIZON_HOURS: '1',
    },
    logLevel: 'warn',
  })
  return stack.start('scheduler')
}

/** Benchmarking-range hosts (198.18.0.0/15), enough that covering them keeps a job busy a while. */
const bulk = (n: number) => Array.from({ length: n }, (_, i) => `198.18.${i >> 8}.${i & 255}/32`)

t.test(
  'a scheduler killed while it holds a recompute job loses nothing: another process publishes that job once, while the window is live',
  async (t) => {
    const world = await createWorld(t)
    const first = await startProcess(t, world)
    const kickoff = Date.now() + 1500
    // The held job comes back once its lock expires (CRASH_RECOVERY_MS): the window stays live that
    // long and then some, with room for a loaded machine.
    const end = kickoff + CRASH_RECOVERY_MS + 15_000
    await world.order('o1', 'sky-it', kickoff)
    await world.list('sky-it', kickoff, [PREFIX])
    await world.event('m1', kickoff, end)
    await world.trigger('event-change', { event: 'm1' })
    await world.waitFor((r) => about(r, 'window-open', 'm1').length > 0, 8000)

    // A large upload keeps the recompute busy long enough to catch it in the act.
    const uploaded = bulk(40_000)
    await world.list('sky-it', kickoff, [PREFIX, ...uploaded])
    const active = `${world.keyPrefix}bull:recompute:active`
    const before = (await world.revisions()).length
    await world.trigger('list-upload', { rightsholder: 'sky-it' })
    let held = false
    for (let i = 0; i < 4000 && !held; i++) {
      held = (await world.db.redis.llen(active)) > 0
      if (!held) await sleep(2)
    }
    await first.kill()
    t.ok(held, 'the scheduler held the recompute job when it was killed')
    const carriesUpload = (r: RevisionRecord) =>
      // The published cover merges the hosts into a few prefixes of 198.18.0.0/15.
      r.ops.some((op) => op.op !== 'drop' && JSON.stringify(op).includes('"198.18.'))
    t.notOk(
      (await world.revisions()).slice(before).some(carriesUpload),
      'and had not published it: the kill came mid-job',
    )

    await startProcess(t, world)
    const afterUpload = await world.waitFor((r) => r.slice(before).some(carriesUpload), end - Date.now())
    t.equal(
      afterUpload.slice(before).filter(carriesUpload).length,
      1,
      'the successor published the upload once',
    )
    t.notOk(
      afterUpload.some((r) => r.cause.kind === 'window-close'),
      'while the window is still live',
    )
    const records = await world.waitFor(
      (r) => about(r, 'window-close', 'm1').length > 0,
      end - Date.now() + 10_000,
    )
    t.equal(about(records, 'window-open', 'm1').length, 1, 'the window opened once')
    t.equal(about(records, 'window-close', 'm1').length, 1, 'and closed once, by the successor')
    await assertConsistent(t, world, records)
  },
)

t.test('a scheduler process stops cleanly on SIGTERM and another takes over its calendar', async (t) => {
  const world = await createWorld(t)
  const first = await startProcess(t, world)
  // The lead covers a stop and a new process's start on a loaded machine: a window that ended
  // before the successor was up would rightly never open, and the test would prove nothing.
  const kickoff = Date.now() + 20_000
  await world.order('o1', 'sky-it', kickoff)
  await world.list('sky-it', kickoff, [PREFIX])
  await world.event('m1', kickoff, kickoff + 500)
  await world.trigger('event-change', { event: 'm1' })
  await world.waitFor((r) => r.some((record) => record.ops.some((op) => op.op === 'put')), 5000)

  const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)))
  await first.stop()
  t.equal(await exited, 0, 'the process exits with status 0 on SIGTERM')
  await startProcess(t, world)
  t.ok(Date.now() < kickoff, 'the successor is running before the window opens')
  const records = await world.waitFor(
    (r) => about(r, 'window-close', 'm1').length > 0,
    kickoff - Date.now() + 10_000,
  )
  t.equal(about(records, 'window-open', 'm1').length, 1, 'the window opened once, by the new process')
})
