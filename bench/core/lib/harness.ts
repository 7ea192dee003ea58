/**
 * Shared bits of the core benchmarks: a seeded random source (so runs are comparable), timing
 * with median/p95, and a description of the machine the figures come from. Everything stays in
 * memory; nothing here touches the network.
 */
import os from 'node:os'
import { performance } from 'node:perf_hooks'

/** mulberry32: a tiny seeded PRNG, uniform 32-bit integers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return (x ^ (x >>> 14)) >>> 0
  }
}

/** CPU model, cores, memory, node version, and the load average, which explains noisy figures. */
export function describeMachine(): string {
  const cpus = os.cpus()
  const memory = (os.totalmem() / 2 ** 30).toFixed(1)
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  return `${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${memory} GiB, node ${process.version}, load average ${load}`
}

export interface Timing {
  median: number
  p95: number
  runs: number[]
  /** Median CPU time (user + system) of this process per run: less sensitive to a busy machine. */
  cpuMedian: number
}

/** Runs `work` once to warm up, then `runs` times, and returns wall-clock ms per run. */
export function measure(runs: number, work: () => unknown): Timing {
  work()
  const times: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage()
    const start = performance.now()
    work()
    times.push(performance.now() - start)
    const used = process.cpuUsage(cpuStart)
    cpu.push((used.user + used.system) / 1000)
  }
  return {
    median: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    runs: times,
    cpuMedian: quantile(cpu, 0.5),
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
}

export function report(name: string, timing: Timing, targetMs: number): void {
  const verdict = timing.median <= targetMs ? 'within' : 'OVER'
  console.log(
    `${name}: median ${timing.median.toFixed(1)} ms, p95 ${timing.p95.toFixed(1)} ms over ${timing.runs.length} runs ` +
      `(target ≤ ${targetMs} ms: ${verdict}); CPU time median ${timing.cpuMedian.toFixed(1)} ms`,
  )
}

export function v4Text(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`
}
