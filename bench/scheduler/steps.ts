/**
 * Where a change's time goes in the scheduler (issue 13, target 1): three rightsholders' 100k-entry
 * weekly lists live at once (IPv4 clustered, IPv4 scattered, IPv6 scattered) in the windows of a
 * match day, then per change — a 1-entry hot addition, an upheld complaint (one revocation), a new
 * 100k-entry list — the time of each recompute step (load, compute, breaker, diff, publish) and
 * the size of what was published, median and max over the runs after a warm-up.
 *
 *   node --import tsx --conditions=@offside/source bench/scheduler/steps.ts [--events 3] [--runs 9]
 *
 * Entries are in 198.18.0.0/15 and 2001:db8::/32; Redis listens on loopback only.
 */
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { isoWeekKey } from '@offside/core'
import { type RecomputeSettings, type RecomputeStep, recompute } from '@offside/scheduler/recompute'
import { createDb, decideComplaint, fileComplaint } from '@offside/store'
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
import { listEntries } from './lib/lists.js'

const { values: args } = parseArgs({
  options: { events: { type: 'string', default: '3' }, runs: { type: 'string', default: '9' } },
})
const EVENTS = Number(args.events)
const RUNS = Number(args.runs)
const RIGHTSHOLDERS = ['sky-it', 'dazn-it', 'lega-it'] as const

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0
}

async function measure(
  name: string,
  before: (run: number) => Promise<void>,
  settings: RecomputeSettings,
  at: number,
) {
  const steps = new Map<RecomputeStep | 'total', number[]>()
  for (let run = -1; run < RUNS; run++) {
    await before(run)
    const times = new Map<RecomputeStep, number>()
    const start = performance.now()
    const outcome = await recompute(
      db,
      { cause: { kind: 'hot-addition', requestedAt: Date.now() }, at },
      { ...settings, onStep: (step, ms) => times.set(step, (times.get(step) ?? 0) + ms) },
    )
    const total = performance.now() - start
    if (run < 0) continue
    if (outcome.status !== 'published') throw new Error(`${name}: ${outcome.status}`)
    for (const [step, ms] of [...times, ['total', total] as const]) {
      steps.set(step, [...(steps.get(step) ?? []), ms])
    }
  }
  const cells = [...steps].map(
    ([step, ms]) => `${step} ${quantile(ms, 0.5).toFixed(1)}/${Math.max(...ms).toFixed(1)}`,
  )
  console.log(`${name} (median/max ms over ${RUNS}): ${cells.join(', ')}`)
}

console.log(describeMachine())
const server = await startRedis()
const redis = new Redis(server.url)
const db = createDb(redis, 'bench:')
try {
  const now = Date.now()
  const kickoff = now + 5 * 60_000 // windows open 15 min before: live now
  const week = isoWeekKey(kickoff, competition.timeZone)
  const settings: RecomputeSettings = { horizonMs: 36 * 3600_000, graceMs: 60_000, revisionHistory: 10_000 }
  await putBenchMatches(
    db,
    Array.from({ length: EVENTS }, (_, e) => `m${e}`),
    kickoff,
  )
  for (const rightsholder of RIGHTSHOLDERS) {
    await putBenchOrder(db, `o-${rightsholder}`, rightsholder, kickoff, now)
  }
  const shapes = ['v4-clustered', 'v4-scattered', 'v6-scattered'] as const
  for (const [i, rightsholder] of RIGHTSHOLDERS.entries()) {
    await uploadList(db, rightsholder, week, listEntries(shapes[i]!, 100_000, 0), 'v1')
  }
  let start = performance.now()
  await recompute(db, { cause: { kind: 'list-upload', requestedAt: Date.now() } }, settings)
  console.log(
    `${EVENTS} windows × 3 × 100k lists staged and live in ${(performance.now() - start).toFixed(0)} ms`,
  )

  let n = 0
  await measure(
    '1-entry hot addition',
    async () => {
      n++
      await addBenchHotEntries(db, week, [`2001:db8:ffff:${n.toString(16)}::1/128`])
    },
    settings,
    now,
  )
  const scattered = listEntries('v4-scattered', 100_000, 0)
  let c = 0
  await measure(
    'complaint upheld (1 revocation)',
    async () => {
      const target = scattered[c++ * 997]!
      const complaint = await fileComplaint(db, {
        target,
        contact: 'a@x.example',
        reason: 'bench',
        now: Date.now(),
      })
      await decideComplaint(
        db,
        complaint,
        { outcome: 'revoke', reason: 'bench', prefixes: [target], decidedAt: Date.now(), decidedBy: 'bench' },
        {
          revocations: [{ prefix: target, complaint: complaint.id, at: Date.now() }],
          revokedBy: new Map([['dazn-it', 1]]),
        },
      )
    },
    settings,
    now,
  )
  start = performance.now()
  await uploadList(db, 'lega-it', week, listEntries('v6-scattered', 100_000, 1), 'v2')
  await recompute(db, { cause: { kind: 'list-upload', requestedAt: Date.now() } }, settings)
  console.log(
    `a new 100k list replacing one live: ${(performance.now() - start).toFixed(0)} ms (upload swap + recompute)`,
  )
  const info = await redis.info('memory')
  console.log(`redis used_memory ${info.match(/used_memory_human:(\S+)/)?.[1]}`)
} finally {
  await redis.quit()
  await server.stop()
}
