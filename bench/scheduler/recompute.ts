/**
 * Scheduler benchmark (issue 4): with a 100 000-entry weekly list on a real redis-server, the time
 * to recompute and publish
 *  - the revision that stages the whole list (a list upload ahead of the window),
 *  - the window-open revision at the instant (the group is already staged: nothing to send, and
 *    only the calendar is read), and a full recompute that finds nothing changed (the tick),
 *  - a 1 000-entry hot addition into the live group.
 * Each figure is load inputs + compute groups + diff against the snapshot + the Lua publish.
 *
 *   node --import tsx --conditions=@offside/source bench/scheduler/recompute.ts
 *
 * Entries are IPv6 hosts of the documentation range 2001:db8::/32; Redis listens on loopback only.
 */
import { performance } from 'node:perf_hooks'
import { isoWeekKey } from '@offside/core'
import { publishInstant, type RecomputeSettings, recompute } from '@offside/scheduler/recompute'
// The bench drives the sources directly; it is not a dependency of anything shipped.
import { createDb } from '@offside/store'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import { describeMachine } from '../core/lib/harness.js'
import {
  addBenchHotEntries,
  competition,
  putBenchMatches,
  putBenchOrder,
  uploadList,
} from './lib/fixtures.js'

const ENTRIES = 100_000
const RUNS = 7

function host(i: number, offset: number): string {
  const n = i + offset
  return `2001:db8:${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}::1/128`
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function time(
  name: string,
  targetMs: number,
  before: (run: number) => Promise<void>,
  work: () => Promise<unknown>,
) {
  const times: number[] = []
  for (let run = -1; run < RUNS; run++) {
    await before(run)
    const start = performance.now()
    await work()
    if (run >= 0) times.push(performance.now() - start)
  }
  const m = median(times)
  console.log(
    `${name}: median ${m.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms over ${RUNS} runs ` +
      `(target ≤ ${targetMs} ms: ${m <= targetMs ? 'within' : 'OVER'})`,
  )
}

console.log(describeMachine())
const server = await startRedis()
const redis = new Redis(server.url)
try {
  const db = createDb(redis, 'bench:')
  const now = Date.now()
  const kickoff = now + 20 * 60_000
  const week = isoWeekKey(kickoff, competition.timeZone)
  const settings: RecomputeSettings = { horizonMs: 36 * 3600_000, graceMs: 60_000, revisionHistory: 10_000 }
  await putBenchMatches(db, ['m1'], kickoff)
  await putBenchOrder(db, 'o1', 'sky-it', kickoff, now)
  const lists = [0, 1].map((v) => Array.from({ length: ENTRIES }, (_, i) => host(i, v * ENTRIES)))

  await time(
    `stage a ${ENTRIES}-entry list (full put)`,
    2000,
    (run) => uploadList(db, 'sky-it', week, lists[(run + 2) % 2]!, `v${run + 2}`),
    () => recompute(db, { cause: { kind: 'list-upload', requestedAt: Date.now() } }, settings),
  )

  const opensAt = kickoff - 15 * 60_000
  await time(
    `window-open revision with ${ENTRIES} entries staged (what the scheduler runs at the instant)`,
    100,
    async () => undefined,
    () =>
      publishInstant(
        db,
        {
          cause: { kind: 'window-open', requestedAt: Date.now(), scheduledAt: opensAt },
          at: opensAt,
          publishEmpty: true,
        },
        settings,
      ),
  )
  await time(
    `full recompute with ${ENTRIES} entries staged, nothing changed (the tick's safety net)`,
    1000,
    async () => undefined,
    () => recompute(db, { cause: { kind: 'catch-up', requestedAt: Date.now() }, at: opensAt }, settings),
  )

  let batch = 0
  await time(
    `1000-entry hot addition into a live ${ENTRIES}-entry group`,
    1000,
    async () => {
      batch++
      await addBenchHotEntries(
        db,
        week,
        Array.from({ length: 1000 }, (_, i) => host(i, 2 * ENTRIES + batch * 1000)),
      )
    },
    () =>
      recompute(
        db,
        { cause: { kind: 'hot-addition', requestedAt: Date.now() }, at: opensAt + 60_000 },
        settings,
      ),
  )
} finally {
  await redis.quit()
  await server.stop()
}
