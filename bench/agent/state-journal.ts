/**
 * The agent's own cost per revision with a 100k-entry group: applying a 1-entry patch with core
 * (applyGroupOps) and persisting it before the ack — one journal line and an fdatasync
 * (state-journal.ts) — against rewriting the whole state file as the agent did before. Target
 * ≤ 20 ms (issue 13, point 2). Runs anywhere (no root): a temp folder on the local disk.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { applyGroupOps, type EnforcementGroup, type GroupOp } from '@offside/core'
import { StateStore } from '@offside/edge-agent/state-journal'
import { describeMachine, v4Text } from '../core/lib/harness.js'

const RUNS = 40
const from = Date.now()
const until = from + 3_600_000
const prefixes = Array.from({ length: 100_000 }, (_, i) => `${v4Text(0xc6120000 + i * 2)}/32`).sort()
let groups: EnforcementGroup[] = [{ id: 'w:m1', event: 'm1', from, until, prefixes }]

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

const dir = await mkdtemp(join(tmpdir(), 'offside-bench-journal-'))
try {
  const { store } = await StateStore.open(dir)
  await store.compact({ revision: 1, groups })
  const journal: number[] = []
  const apply: number[] = []
  for (let i = 0; i < RUNS + 3; i++) {
    const ops: GroupOp[] = [
      { op: 'patch', id: 'w:m1', from, until, add: [`203.0.113.${i % 250}/32`], remove: [] },
    ]
    const start = performance.now()
    groups = applyGroupOps(groups, ops)
    const applied = performance.now()
    await store.record(i + 2, ops)
    const done = performance.now()
    if (i >= 3) {
      apply.push(applied - start)
      journal.push(done - start)
    }
  }
  const rewrite: number[] = []
  for (let i = 0; i < 8; i++) {
    const start = performance.now()
    await store.compact({ revision: 100 + i, groups })
    rewrite.push(performance.now() - start)
  }
  console.log(`# agent state per revision — ${describeMachine()}`)
  const line = (name: string, values: number[], target?: number) =>
    console.log(
      `${name.padEnd(58)} p50 ${quantile(values, 0.5).toFixed(2).padStart(7)} ms  p95 ${quantile(values, 0.95).toFixed(2).padStart(7)} ms${
        target === undefined
          ? ''
          : `  target ≤ ${target} ms ${quantile(values, 0.95) <= target ? 'met' : 'MISSED'}`
      }`,
    )
  line('applyGroupOps, 1-entry patch into a 100k group', apply)
  line('apply + journal append + fdatasync (what the ack waits for)', journal, 20)
  line('full state rewrite (compaction, after the ack)', rewrite)
} finally {
  await rm(dir, { recursive: true, force: true })
}
