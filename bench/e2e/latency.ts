/**
 * End-to-end latency ("seconds, not 30 minutes"): real redis-server, API, scheduler, gateway and
 * N dry-run edge agents (N = 1 and 10) as processes on loopback, a live match with a 100 000-entry
 * weekly list, and the time until every agent has acknowledged the revision that carries a change:
 *  - from the API call returning, for a hot addition of 1 and of 1 000 entries, an upheld complaint
 *    (revocation of one listed host) and an order suspended;
 *  - from the scheduled instant, for a window opening and a window closing (end + grace).
 * Acknowledgement times are the gateway's receive times recorded in Redis (one clock, this
 * machine), so polling adds nothing to the figures. Prints p50/p95/max per action, the ratio to
 * Italy's 30-minute budget, and writes docs/img/latency.svg.
 *
 *   node --conditions=@offside/source --import tsx bench/e2e/latency.ts [--agents 1,10] [--trials 10]
 *
 * Entries: 60 000 IPv4 hosts of the benchmarking range 198.18.0.0/15 (one per /31, so no two merge
 * into a shorter prefix and the group really holds 100 000 prefixes) and 40 000 IPv6 hosts of the
 * documentation range 2001:db8::/32. Nothing is ever sent to them: they are only stored.
 */
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
// The bench drives the store's sources directly; it is not a dependency of anything shipped.
import { isoWeekKey, seasonOf } from '@offside/core'
import { createDb, type Db, readAcks, readRevisionsSince } from '@offside/store'
import { orgWithToken, type Stack, sleep, startStack } from '@offside/testkit'
import { Redis } from 'ioredis'
import { describeMachine, seededRandom } from '../core/lib/harness.js'
import { type ActionFigures, latencySvg } from './lib/svg.js'

const { values: flags } = parseArgs({
  options: {
    agents: { type: 'string', default: '1,10' },
    trials: { type: 'string', default: '10' },
    svg: { type: 'string', default: join(resolve(import.meta.dirname, '../..'), 'docs/img/latency.svg') },
  },
})
const AGENT_COUNTS = flags.agents.split(',').map(Number)
const TRIALS = Number(flags.trials)
const WINDOW_TRIALS = Math.max(3, Math.ceil(TRIALS / 2))
const ENTRIES = 100_000
const BUDGET_MS = 30 * 60_000 // Italy: blocks within 30 minutes of the report
const GRACE_SECONDS = 1
const ISP = 'isp-a'

/** 60k IPv4 hosts (one per /31 of 198.18.0.0/15) and 40k IPv6 hosts, from a fixed seed. */
function weeklyList(): string[] {
  const random = seededRandom(48)
  const v4 = Array.from({ length: 60_000 }, (_, i) => {
    const n = i * 2 + (random() & 1)
    return `198.${18 + ((n >>> 16) & 1)}.${(n >>> 8) & 255}.${n & 255}`
  })
  const v6 = Array.from(
    { length: ENTRIES - v4.length },
    (_, i) =>
      `2001:db8:${(random() & 0xfff).toString(16)}:${i.toString(16)}::${((random() & 0xfff) + 1).toString(16)}`,
  )
  return [...v4, ...v6]
}

/** The bench's one competition (the values PUT to the API below), for core's season and week keys. */
const competition = { id: 'serie-a', name: 'Serie A', timeZone: 'UTC', preMinutes: 0, postMinutes: 0 }

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN
}

function check(res: { status: number; body: unknown }, what: string): void {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`)
}

interface Run {
  stack: Stack
  db: Db
  agents: string[]
  rightsholder: string
}

/** When the last of the agents first acknowledged a revision ≥ `revision` (gateway clock). */
async function allAcked(run: Run, revision: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const firsts = await Promise.all(
      run.agents.map(async (agentId) => {
        const acks = await readAcks(run.db, { isp: ISP, agentId }, revision)
        return acks.length > 0 ? Math.min(...acks.map((ack) => ack.receivedAt)) : undefined
      }),
    )
    if (firsts.every((at) => at !== undefined)) return Math.max(...(firsts as number[]))
    if (Date.now() > deadline) throw new Error(`revision ${revision} not acknowledged by every agent`)
    await sleep(10)
  }
}

/** The first revision after `after` that `matches`, waiting for it to be published. */
async function revisionAfter(
  run: Run,
  after: number,
  matches: (record: { cause: { kind: string; event?: string } }) => boolean,
  timeoutMs = 60_000,
): Promise<{ revision: number; issuedAt: number }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const records = (await readRevisionsSince(run.db, after)) ?? []
    const found = records.find(matches)
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no matching revision after ${after}`)
    await sleep(5)
  }
}

const lastRevision = async (run: Run) =>
  Number((await run.db.redis.get(`${run.db.keys.prefix}revision`)) ?? 0)
const anyRevision = () => true

/** Each trial's total (reference → last ack) and its first part (reference → revision published). */
interface Timings {
  times: number[]
  published: number[]
}

/** Times `act` from its return to every agent's acknowledgement of the next revision. */
async function fromCall(run: Run, act: (trial: number) => Promise<void>, trials: number): Promise<Timings> {
  const timings: Timings = { times: [], published: [] }
  for (let trial = 0; trial < trials; trial++) {
    const before = await lastRevision(run)
    await act(trial)
    const returned = Date.now()
    const { revision, issuedAt } = await revisionAfter(run, before, anyRevision)
    timings.times.push((await allAcked(run, revision)) - returned)
    timings.published.push(issuedAt - returned)
  }
  return timings
}

async function benchmark(agentCount: number): Promise<ActionFigures[]> {
  const stack = await startStack(undefined, {
    services: ['api'],
    env: {
      // Generated entries live in special-purpose ranges that are never routed anywhere.
      OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation,benchmarking',
      OFFSIDE_GRACE_SECONDS: String(GRACE_SECONDS),
    },
    logLevel: 'warn',
  })
  const redis = new Redis(stack.redisUrl)
  try {
    const db = createDb(redis)
    const sky = await orgWithToken(stack.api, 'sky-it', 'rightsholder')
    const dazn = await orgWithToken(stack.api, 'dazn', 'rightsholder')
    const isp = await orgWithToken(stack.api, ISP, 'isp')
    const now = Date.now()
    check(
      await stack.api.request('PUT', '/v1/competitions/serie-a', {
        name: 'Serie A',
        timeZone: 'UTC',
        preMinutes: 0,
        postMinutes: 0,
      }),
      'competition',
    )
    for (const [id, rightsholder] of [
      ['o1', 'sky-it'],
      ['o2', 'dazn'],
    ] as const) {
      check(
        await stack.api.request('PUT', `/v1/orders/${id}`, {
          rightsholder,
          competitions: ['serie-a'],
          season: seasonOf(now, competition),
          reference: `bench-${id}`,
        }),
        `order ${id}`,
      )
    }
    const putEvent = async (id: string, kickoff: number, end: number) =>
      check(
        await stack.api.request('PUT', `/v1/events/${id}`, {
          competition: 'serie-a',
          kickoff: new Date(kickoff).toISOString(),
          end: new Date(end).toISOString(),
        }),
        `event ${id}`,
      )
    await putEvent('live', now - 60_000, now + 3 * 3600_000)
    const week = isoWeekKey(now - 60_000, competition.timeZone)
    const listed = weeklyList()
    const evidence = `sha256:${'ab'.repeat(32)}`
    const upload = async (tokenOf: string, rightsholder: string, targets: string[]) =>
      check(
        await stack.api.as(tokenOf).request('PUT', `/v1/lists/${rightsholder}/${week}`, {
          entries: targets.map((target) => ({ target, evidence })),
        }),
        `list ${rightsholder}`,
      )
    await upload(sky, 'sky-it', listed)
    await upload(
      dazn,
      'dazn',
      Array.from({ length: 1000 }, (_, i) => `2001:db8:dac:${i.toString(16)}::1`),
    )

    await stack.start('scheduler')
    const gateway = (await stack.start('gateway')).url
    const agents = Array.from({ length: agentCount }, (_, i) => `edge-${i + 1}`)
    // The agent's own heartbeat and back-off (the stack's are a test's fast ones).
    const args = ['--heartbeat-ms', '10000', '--reconnect-max-ms', '30000']
    for (const id of agents) await stack.startAgent({ id, token: isp, gateways: [gateway], args })
    const run: Run = { stack, db, agents, rightsholder: 'sky-it' }
    await allAcked(run, await lastRevision(run))

    const figures: ActionFigures[] = []
    const record = (action: string, reference: string, { times, published }: Timings) => {
      figures.push({ action, reference, times, published })
      process.stdout.write('.')
    }

    const hot = (size: number) => async (trial: number) =>
      check(
        await stack.api.as(sky).request('POST', `/v1/lists/sky-it/${week}/entries`, {
          entries: Array.from({ length: size }, (_, i) => ({
            target: `2001:db8:ffff:${((size === 1 ? 0x100 : 0x200) + trial).toString(16)}::${(i + 1).toString(16)}`,
            evidence,
          })),
        }),
        'hot addition',
      )
    record('hot addition, 1 entry', 'API call returned', await fromCall(run, hot(1), TRIALS))
    record('hot addition, 1 000 entries', 'API call returned', await fromCall(run, hot(1000), TRIALS))
    record(
      'complaint upheld (revocation)',
      'API call returned',
      await fromCall(
        run,
        async (trial) => {
          const filed = await stack.api.as(null).request('POST', '/v1/complaints', {
            target: listed[trial * 997]!,
            contact: 'noc@example.net',
            reason: 'a lawful service shares this address',
          })
          check(filed, 'complaint')
          check(
            await stack.api.request('POST', `/v1/complaints/${filed.body.id}/decision`, {
              outcome: 'revoke',
              reason: 'lawful service confirmed',
            }),
            'decision',
          )
        },
        TRIALS,
      ),
    )
    const suspended: Timings = { times: [], published: [] }
    for (let trial = 0; trial < TRIALS; trial++) {
      const once = await fromCall(
        run,
        async () => check(await stack.api.request('POST', '/v1/orders/o2/suspend', {}), 'suspend'),
        1,
      )
      suspended.times.push(...once.times)
      suspended.published.push(...once.published)
      await fromCall(
        run,
        async () => check(await stack.api.request('POST', '/v1/orders/o2/resume', {}), 'resume'),
        1,
      )
    }
    record('order suspended', 'API call returned', suspended)

    // Windows: each event is staged (its group sent ahead) well before it opens.
    let overruns = 0
    const opened: Timings = { times: [], published: [] }
    const closed: Timings = { times: [], published: [] }
    for (let trial = 0; trial < WINDOW_TRIALS; trial++) {
      const id = `w${trial}`
      // Staging a 100k-entry group costs each agent CPU; on two cores ten agents take seconds, so
      // the lead grows with them and a staging that still overruns the opening is reported.
      const kickoff = Date.now() + 6000 + 1500 * agentCount
      const end = kickoff + 2000
      const before = await lastRevision(run)
      await putEvent(id, kickoff, end)
      const staging = await revisionAfter(run, before, (r) => r.cause.kind !== 'window-open')
      if ((await allAcked(run, staging.revision)) > kickoff) overruns++
      const isOpen = (r: { cause: { kind: string; event?: string } }) =>
        r.cause.kind === 'window-open' && r.cause.event === id
      const isClose = (r: { cause: { kind: string; event?: string } }) =>
        r.cause.kind === 'window-close' && r.cause.event === id
      const open = await revisionAfter(run, before, isOpen)
      opened.times.push((await allAcked(run, open.revision)) - kickoff)
      opened.published.push(open.issuedAt - kickoff)
      const close = await revisionAfter(run, before, isClose)
      const closesAt = end + GRACE_SECONDS * 1000
      closed.times.push((await allAcked(run, close.revision)) - closesAt)
      closed.published.push(close.issuedAt - closesAt)
    }
    if (overruns > 0) console.log(`\n  ${overruns} window(s) opened before every agent had its group staged`)
    record('window opens', 'scheduled instant', opened)
    record('window closes', 'scheduled instant', closed)
    process.stdout.write('\n')
    return figures
  } finally {
    await redis.quit()
    await stack.stop()
  }
}

console.log(describeMachine())
console.log(
  `${ENTRIES} entries listed for a live match; ${TRIALS} trials per action (${WINDOW_TRIALS} per window instant)`,
)
const results: { agents: number; figures: ActionFigures[] }[] = []
for (const agents of AGENT_COUNTS) {
  process.stdout.write(`${agents} agent(s) `)
  const figures = await benchmark(agents)
  results.push({ agents, figures })
  console.log(`\n${agents} dry-run agent(s): time until every agent acknowledged the revision`)
  for (const { action, reference, times, published } of figures) {
    const p50 = quantile(times, 0.5)
    const p95 = quantile(times, 0.95)
    const max = Math.max(...times)
    console.log(
      `  ${action.padEnd(32)} from ${reference.padEnd(18)} p50 ${p50.toFixed(0).padStart(5)} ms  ` +
        `p95 ${p95.toFixed(0).padStart(5)} ms  max ${max.toFixed(0).padStart(5)} ms  ` +
        `(published after p50 ${quantile(published ?? [], 0.5).toFixed(0)} ms; ` +
        `30-minute budget / p95 = ${Math.floor(BUDGET_MS / Math.max(p95, 1))}×)`,
    )
  }
}
await writeFile(flags.svg, latencySvg(results, describeMachine()))
console.log(`plot written to ${flags.svg}`)
