import { defaultGuardConfig } from '@offside/core'
import { decideBreakerHold, listBreakerHolds, readSnapshot } from '@offside/store'
import { pino } from 'pino'
import t from 'tap'
import type { BreakerConfig } from '../src/breaker.js'
import { createMetrics } from '../src/metrics.js'
import { startScheduler } from '../src/scheduler.js'
import { createWorld, GRACE_MS, SOON_MS, sleep } from './helper.js'

/** Names on a small scale: growth up to 4 × max(previous, 2 names) passes. */
const breaker: BreakerConfig = { ...defaultGuardConfig.breaker, maxGrowthFactor: 4, minBaselineNames: 2 }

const names = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `s${i}.${tag}.example`)

t.test(
  'a revision that suddenly multiplies the blocked names is held; ops approving it lets it out',
  async (t) => {
    const world = await createWorld(t)
    const kickoff = Date.now() + SOON_MS
    await world.order('o1', 'sky-it', kickoff)
    await world.list('sky-it', kickoff, names(2, 'first'))
    await world.event('m1', kickoff, kickoff + 60_000)
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
    await world.waitFor((records) => records.some((r) => r.ops.some((op) => op.op === 'put')))
    t.same((await readSnapshot(world.db)).groups[0]?.names, names(2, 'first').sort(), 'two names pass')

    await world.list('sky-it', kickoff, [...names(2, 'first'), ...names(20, 'burst')])
    await world.trigger('list-upload', { rightsholder: 'sky-it' })
    let hold: Awaited<ReturnType<typeof listBreakerHolds>>[number] | undefined
    for (let i = 0; i < 400 && !hold; i++) {
      hold = (await listBreakerHolds(world.db)).find((h) => h.status === 'pending')
      if (!hold) await sleep(25)
    }
    t.ok(hold, 'twenty more names trip the breaker')
    t.match(hold, { addedNames: 20, reason: { code: 'circuit-breaker', message: /names/ } }, 'counting names')
    t.same(
      (await readSnapshot(world.db)).groups[0]?.names,
      names(2, 'first').sort(),
      'meanwhile agents keep blocking only the names they had',
    )

    const decided = await decideBreakerHold(world.db, hold!.id, { approve: true, by: 'ops', now: Date.now() })
    t.equal(decided.status, 'decided', 'ops approve the hold')
    await world.trigger('guard-change', { reason: 'breaker-approved' })
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && ((await readSnapshot(world.db)).groups[0]?.names?.length ?? 0) < 22)
      await sleep(25)
    t.equal((await readSnapshot(world.db)).groups[0]?.names?.length, 22, 'approved: all 22 names go out')
  },
)
