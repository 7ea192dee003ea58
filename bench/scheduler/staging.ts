/**
 * Staging a new window over a match day's 300k-prefix cover (issue 13): the whole cover as a
 * `put`, or one `copy` of a window that already holds it (docs/protocol.md §2).
 *
 * 1. The real recompute: three rightsholders' 100k lists live in two windows on a real
 *    `redis-server`; a third window enters the staging horizon. Prints what it published and
 *    the time of each step.
 * 2. Publishing (`publishRevision`) and signing (what each gateway does once per revision) the
 *    same staging as a put and as a copy, alternately, each followed by an untimed drop: time,
 *    record bytes in the revisions stream, signed delta frame bytes.
 * 3. A real `Agent` (dry-run backend, state on the local disk) behind a stand-in gateway, holding
 *    three windows over the cover, receives the staging as a put and as a copy: received → ack
 *    written (the agent's own timing) and sent → ack received.
 *
 *   node --conditions=@offside/source --import tsx bench/scheduler/staging.ts [--runs 5]
 *
 * Entries are in 198.18.0.0/15 and 2001:db8::/32; Redis and the stand-in gateway listen on loopback only.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { type EnforcementGroup, type GroupOp, isoWeekKey, toSnapshotGroups } from '@offside/core'
import { DryRunBackend } from '@offside/edge-agent/backends/dry-run'
import { generateSigningKeyPair, PROTOCOL_VERSION, signingKeyFromPem, signPayload } from '@offside/protocol'
import { type RecomputeSettings, type RecomputeStep, recompute } from '@offside/scheduler/recompute'
import { createDb, publishRevision, readSnapshot, type Snapshot } from '@offside/store'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import { measuredAgent, startStandInGateway } from '../agent/lib/stand-in-gateway.js'
import { describeMachine } from '../core/lib/harness.js'
import { competition, putBenchMatches, putBenchOrder, uploadList } from './lib/fixtures.js'
import { listEntries } from './lib/lists.js'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' } } })
const RUNS = Number(args.runs)
const RIGHTSHOLDERS = ['sky-it', 'dazn-it', 'lega-it'] as const
const VARIANTS = ['put', 'copy'] as const
type Variant = (typeof VARIANTS)[number]

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
const ms = (values: number[]) =>
  `median ${median(values).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`
const bytes = (n: number) => (n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${n} B`)
const pair = generateSigningKeyPair()
const key = signingKeyFromPem(pair.privateKeyPem)

/** The ops that stage window `id` over `source`'s cover, as a put or as a copy. */
function staging(
  variant: Variant,
  source: EnforcementGroup,
  id: string,
): { ops: GroupOp[]; group: EnforcementGroup } {
  const group = { ...source, id: `w:${id}`, event: id, from: source.from + 3600_000 }
  const ops: GroupOp[] =
    variant === 'put'
      ? [{ op: 'put', group }]
      : [{ op: 'copy', id: group.id, event: id, from: group.from, until: group.until, source: source.id }]
  return { ops, group }
}

function deltaFrame(revision: number, ops: GroupOp[]): string {
  const payload = {
    kind: 'delta' as const,
    revision,
    issuedAt: Date.now(),
    cause: { kind: 'event-change' as const, requestedAt: Date.now() },
    ops,
  }
  return JSON.stringify({ v: PROTOCOL_VERSION, type: 'delta', ...signPayload(payload, key) })
}

console.log(`# staging a new window over a 300k cover: put vs copy — ${describeMachine()}`)
const server = await startRedis()
const redis = new Redis(server.url)
const db = createDb(redis, 'bench:')
const dir = await mkdtemp(join(tmpdir(), 'offside-bench-staging-'))
try {
  // 1. The real recompute.
  const now = Date.now()
  const kickoff = now + 5 * 60_000
  const week = isoWeekKey(kickoff, competition.timeZone)
  const settings: RecomputeSettings = { horizonMs: 36 * 3600_000, graceMs: 60_000, revisionHistory: 10_000 }
  await putBenchMatches(db, ['m0', 'm1'], kickoff)
  for (const rightsholder of RIGHTSHOLDERS)
    await putBenchOrder(db, `o-${rightsholder}`, rightsholder, kickoff, now)
  const shapes = ['v4-clustered', 'v4-scattered', 'v6-scattered'] as const
  for (const [i, rightsholder] of RIGHTSHOLDERS.entries())
    await uploadList(db, rightsholder, week, listEntries(shapes[i]!, 100_000, 0), 'v1')
  await recompute(db, { cause: { kind: 'list-upload', requestedAt: Date.now() } }, settings)
  await putBenchMatches(db, ['m2'], kickoff + 3 * 3600_000)
  const steps = new Map<RecomputeStep, number>()
  const start = performance.now()
  const outcome = await recompute(
    db,
    { cause: { kind: 'event-change', requestedAt: Date.now() } },
    { ...settings, onStep: (step, took) => steps.set(step, (steps.get(step) ?? 0) + took) },
  )
  const total = performance.now() - start
  if (outcome.status !== 'published') throw new Error(`recompute: ${outcome.status}`)
  const { record } = outcome
  console.log(
    `1. recompute staging window m2 beside m0, m1: ${total.toFixed(0)} ms (${[...steps]
      .map(([step, took]) => `${step} ${took.toFixed(0)}`)
      .join(
        ', ',
      )}); ops ${record.ops.map((op) => op.op).join(', ')}; record ${bytes(JSON.stringify(record).length)}`,
  )

  // 2. Publish and sign, put vs copy.
  let snapshot: Snapshot = await readSnapshot(db)
  const source = snapshot.groups[0]!
  console.log(`   the cover: ${source.prefixes.length} prefixes in each of ${snapshot.groups.length} windows`)
  const figures = new Map(
    VARIANTS.map((v) => [v, { publish: [] as number[], sign: [] as number[], record: 0, frame: 0 }]),
  )
  const publish = async (ops: GroupOp[], groups: EnforcementGroup[]) => {
    const started = performance.now()
    const result = await publishRevision(db, {
      previous: snapshot.revision,
      issuedAt: Date.now(),
      cause: { kind: 'event-change', requestedAt: Date.now() },
      ops,
      groups,
      live: snapshot.live,
      enforcedCount: snapshot.enforcedCount,
      ...(snapshot.groupsAt !== undefined ? { groupsAt: snapshot.groupsAt } : {}),
    })
    const took = performance.now() - started
    if (result.status !== 'published') throw new Error(`publish: ${result.status}`)
    snapshot = result.snapshot
    return { took, record: result.record }
  }
  for (let run = 0; run < RUNS; run++) {
    for (const variant of VARIANTS) {
      const { ops, group } = staging(variant, source, `extra${run}`)
      const before = snapshot.groups
      const published = await publish(ops, [...before, group])
      const signStart = performance.now()
      const frame = deltaFrame(published.record.revision, ops)
      const figure = figures.get(variant)!
      figure.sign.push(performance.now() - signStart)
      figure.publish.push(published.took)
      figure.record = JSON.stringify(published.record).length
      figure.frame = Buffer.byteLength(frame)
      await publish([{ op: 'drop', id: group.id }], before)
    }
  }
  console.log(
    `2. publish and sign one staging, ${RUNS} runs each (load ${describeMachine().split('load average ')[1]}):`,
  )
  for (const [variant, figure] of figures)
    console.log(
      `   ${variant.padEnd(4)} publishRevision ${ms(figure.publish)}; sign ${ms(figure.sign)}; record ${bytes(figure.record)}, delta frame ${bytes(figure.frame)}`,
    )

  // 3. A real agent receives it.
  const cover = source.prefixes
  const windows: EnforcementGroup[] = ['m0', 'm1', 'm2'].map((event) => ({
    ...source,
    id: `w:${event}`,
    event,
  }))
  const gateway = await startStandInGateway()
  const { ackOf } = gateway
  const { agent, timings } = measuredAgent(gateway, {
    backend: new DryRunBackend(),
    publicKeyPem: pair.publicKeyPem,
    stateDir: dir,
  })
  try {
    await agent.start()
    const send = await gateway.hello()
    const exchange = async (revision: number, text: string) => {
      const acked = ackOf(revision)
      const started = performance.now()
      send(text)
      await acked
      return performance.now() - started
    }
    const payload = { kind: 'snapshot' as const, revision: 1, issuedAt: Date.now(), groups: windows }
    await exchange(1, JSON.stringify({ v: PROTOCOL_VERSION, type: 'snapshot', ...signPayload(payload, key) }))
    const agentSide = new Map(VARIANTS.map((v) => [v, { own: [] as number[], roundTrip: [] as number[] }]))
    let revision = 1
    for (let run = 0; run < RUNS; run++) {
      for (const variant of VARIANTS) {
        const { ops, group } = staging(variant, windows[0]!, `extra${run}`)
        const roundTrip = await exchange(++revision, deltaFrame(revision, ops))
        agentSide.get(variant)?.own.push(timings.get(revision)?.total ?? Number.NaN)
        agentSide.get(variant)?.roundTrip.push(roundTrip)
        await exchange(++revision, deltaFrame(revision, [{ op: 'drop', id: group.id }]))
      }
    }
    console.log(
      `3. a real agent (dry-run) holding 3 windows × ${cover.length} prefixes, ${RUNS} stagings each (load ${describeMachine().split('load average ')[1]}):`,
    )
    // The same three windows as a snapshot, each carrying the cover, and carrying it once.
    const snapshotFigures: string[] = []
    for (const [form, groups] of [
      ['whole', windows],
      ['shared', toSnapshotGroups(windows)],
    ] as const) {
      const own: number[] = []
      const signs: number[] = []
      let size = 0
      for (let run = 0; run < RUNS; run++) {
        const signStart = performance.now()
        const payload = { kind: 'snapshot' as const, revision, issuedAt: Date.now(), groups }
        const frame = JSON.stringify({ v: PROTOCOL_VERSION, type: 'snapshot', ...signPayload(payload, key) })
        signs.push(performance.now() - signStart)
        size = Buffer.byteLength(frame)
        await exchange(revision, frame)
        own.push(timings.get(revision)?.total ?? Number.NaN)
      }
      snapshotFigures.push(
        `   snapshot of the 3 windows, ${form.padEnd(6)}: frame ${bytes(size)}; sign ${ms(signs)}; agent received → ack written ${ms(own)}`,
      )
    }
    for (const [variant, figure] of agentSide)
      console.log(
        `   ${variant.padEnd(4)} received → ack written ${ms(figure.own)}; sent → ack received ${ms(figure.roundTrip)}`,
      )
    for (const line of snapshotFigures) console.log(line)
  } finally {
    await agent.stop()
    gateway.close()
  }
} finally {
  await redis.quit()
  await server.stop()
  await rm(dir, { recursive: true, force: true })
}
