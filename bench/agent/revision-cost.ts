/**
 * A real agent's own cost per revision with 100k-entry groups (issue 13, point 2): a stand-in
 * gateway on loopback (a bare WebSocket server speaking the protocol) gives one real `Agent`
 * (services/edge-agent, state on the local disk) a snapshot of three windows that each hold the
 * cover of three 100k-entry lists, then 1-entry patches one at a time. Each figure is the agent's
 * own, from the frame received to the ack written (the agent's `onRevisionTiming`), broken down
 * into queued / verify (parse + Ed25519) / apply (core) / backend / persist (journal line +
 * fdatasync) / ack; the round trip seen by the stand-in gateway is printed beside it. The runs
 * cross the journal's compaction bound, so a compaction that blocks shows in the max. Target
 * ≤ 20 ms. With root the backend is the real nftables one in a network namespace the bench makes
 * and deletes (`--backend dry-run` to leave the kernel out; without root that is the default).
 *
 *   node --conditions=@offside/source --import tsx bench/agent/revision-cost.ts [--runs 300]
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import type { EnforcementGroup, GroupOp } from '@offside/core'
import { PrefixSet } from '@offside/core'
import { DryRunBackend } from '@offside/edge-agent/backends/dry-run'
import { createNftablesBackend } from '@offside/edge-agent/backends/nftables'
import type { RevisionTiming } from '@offside/edge-agent/revision-timing'
import { generateSigningKeyPair, PROTOCOL_VERSION, signingKeyFromPem, signPayload } from '@offside/protocol'
import { deleteNetns } from '@offside/testkit'
import { describeMachine } from '../core/lib/harness.js'
import { listEntries } from '../scheduler/lib/lists.js'
import { measuredAgent, startStandInGateway } from './lib/stand-in-gateway.js'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '300' },
    backend: { type: 'string', default: process.getuid?.() === 0 ? 'nftables' : 'dry-run' },
  },
})
const RUNS = Number(args.runs)
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0
}

const pair = generateSigningKeyPair()
const key = signingKeyFromPem(pair.privateKeyPem)
const from = Date.now() - 60_000
const until = from + 4 * 3600_000
const cover = PrefixSet.from([
  ...listEntries('v4-clustered', 100_000, 0),
  ...listEntries('v4-scattered', 100_000, 0),
  ...listEntries('v6-scattered', 100_000, 0),
]).toPrefixes()
const groups: EnforcementGroup[] = ['m1', 'm2', 'm3'].map((event) => ({
  id: `w:${event}`,
  event,
  from,
  until,
  prefixes: [...cover],
}))

const ns = args.backend === 'nftables' ? `offside-rc-${randomBytes(3).toString('hex')}` : undefined
if (ns) execFileSync('ip', ['netns', 'add', ns])
const backend = ns ? createNftablesBackend({ netns: ns, table: 'bench' }) : new DryRunBackend()

const gateway = await startStandInGateway()
const dir = await mkdtemp(join(tmpdir(), 'offside-bench-revision-'))
const { ackOf } = gateway
const { agent, timings } = measuredAgent(gateway, {
  backend,
  publicKeyPem: pair.publicKeyPem,
  stateDir: dir,
})
try {
  await agent.start()
  const send = await gateway.hello()
  const snapshotAcked = ackOf(1)
  const started = performance.now()
  send(
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'snapshot',
      ...signPayload({ kind: 'snapshot', revision: 1, issuedAt: Date.now(), groups }, key),
    }),
  )
  await snapshotAcked
  const snapshotMs = performance.now() - started
  const roundTrips: number[] = []
  const measured: RevisionTiming[] = []
  for (let run = 0; run < RUNS + 5; run++) {
    const revision = run + 2
    const add = [`2001:db8:ffff:${(run + 1).toString(16)}::1/128`]
    const ops: GroupOp[] = groups.map((group) => ({
      op: 'patch',
      id: group.id,
      from,
      until,
      add,
      remove: [],
    }))
    const acked = ackOf(revision)
    const start = performance.now()
    send(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: 'delta',
        ...signPayload(
          {
            kind: 'delta',
            revision,
            issuedAt: Date.now(),
            cause: { kind: 'hot-addition', requestedAt: Date.now() },
            ops,
          },
          key,
        ),
      }),
    )
    await acked
    if (run < 5) continue
    roundTrips.push(performance.now() - start)
    const timing = timings.get(revision)
    if (timing) measured.push(timing)
  }
  console.log(`# a real agent's cost per revision (${args.backend} backend) — ${describeMachine()}`)
  console.log(`snapshot of 3 windows × ${cover.length} prefixes: sent → ack ${snapshotMs.toFixed(0)} ms`)
  const figure = (values: number[]) =>
    `p50 ${quantile(values, 0.5).toFixed(1).padStart(6)}  p99 ${quantile(values, 0.99).toFixed(1).padStart(6)}  max ${Math.max(
      ...values,
    )
      .toFixed(1)
      .padStart(6)} ms`
  console.log(`1-entry patch of each window, ${measured.length} revisions:`)
  for (const phase of ['queued', 'verify', 'apply', 'backend', 'persist', 'ack'] as const)
    console.log(`  ${phase.padEnd(34)} ${figure(measured.map((timing) => timing[phase]))}`)
  const totals = measured.map((timing) => timing.total)
  const p99 = quantile(totals, 0.99)
  console.log(
    `  ${'received → ack written (the agent)'.padEnd(34)} ${figure(totals)}  (target p99 ≤ 20 ms: ${p99 <= 20 ? 'met' : 'MISSED'})`,
  )
  console.log(`  ${'sent → ack received (round trip)'.padEnd(34)} ${figure(roundTrips)}`)
} finally {
  await agent.stop()
  gateway.close()
  await rm(dir, { recursive: true, force: true })
  if (ns) await deleteNetns(ns)
}
