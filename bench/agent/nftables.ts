/**
 * nftables backend benchmark (issue 5): time to stage 100k and 1M entries, time from a group's
 * `from` to the kernel enforcing it, and a 1k-entry hot addition into a live 100k group.
 * Runs inside a network namespace it creates and deletes; needs root, nft and iproute2.
 *
 *   node --import tsx --conditions=@offside/source bench/agent/nftables.ts
 *
 * Entries are IPv6 from the documentation range 2001:db8::/32 (the IPv4 documentation ranges
 * hold only 768 addresses); IPv4 and IPv6 use the same set types, so the figures carry over.
 * They are scattered over the range (a bijective hash of the index), not consecutive, so no
 * structure gains from neighbours merging the way a real list would not let it.
 */
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { EnforcementGroup, GroupOp } from '@offside/core'
import { createNftablesBackend, type NftablesBackend } from '@offside/edge-agent/backends/nftables'
// The bench drives the backend and the namespace helper from source; neither ships with it.
import { deleteNetns } from '@offside/testkit'
import { describeMachine } from '../core/lib/harness.js'

const HOUR = 3_600_000
const ns = `offside-bench-${randomBytes(3).toString('hex')}`

type Kind = 'host' | 'net' | 'mixed'

/** The i-th entry: a host (/128) or /64 of 2001:db8::/32, or for `mixed` also /48s and /56s. */
function entry(i: number, kind: Kind): string {
  const n = Math.imul(i, 0x9e3779b1) >>> 0 // odd multiplier: a bijection on 32 bits
  const a = (n >>> 16).toString(16)
  const b = (n & 0xffff).toString(16)
  const shape =
    kind === 'mixed'
      ? ['host', 'host', 'host', 'host', 'host', 'host', 'net', 'net', 'n56', 'n48'][i % 10]
      : kind
  switch (shape) {
    case 'host':
      return `2001:db8:${a}:${b}::1/128`
    case 'n56':
      return `2001:db8:${a}:${(n & 0xff00).toString(16)}::/56`
    case 'n48':
      return `2001:db8:${a}::/48`
    default:
      return `2001:db8:${a}:${b}::/64`
  }
}

function entries(count: number, kind: Kind, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => entry(i + offset, kind))
}

function group(id: string, prefixes: string[], from: number, until: number): EnforcementGroup {
  return { id, event: id, from, until, prefixes }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await work()
  return performance.now() - start
}

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  return `p50 ${at(50).toFixed(1)} ms, p95 ${at(95).toFixed(1)} ms, max ${at(100).toFixed(1)} ms (n=${sorted.length})`
}

function line(label: string, value: string, target?: string): void {
  console.log(`${label.padEnd(52)} ${value}${target ? `   [target ${target}]` : ''}`)
}

function nft(script: string): void {
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: script, maxBuffer: 1 << 30 })
}

function fresh(): NftablesBackend {
  return createNftablesBackend({
    netns: ns,
    table: `bench_${randomBytes(2).toString('hex')}`,
    hooks: ['output'],
  })
}

/** Stages `count` entries into a fresh table `runs` times (a new table each time). */
async function stage(count: number, kind: Kind, runs: number): Promise<number[]> {
  const samples: number[] = []
  const prefixes = entries(count, kind)
  for (let run = 0; run < runs; run++) {
    const backend = fresh()
    const now = Date.now()
    samples.push(
      await timed(() => backend.reconcile([group('w:stage', prefixes, now + HOUR, now + 2 * HOUR)], now)),
    )
    nft('flush ruleset\n')
  }
  return samples
}

/**
 * A process in the namespace sends UDP datagrams to a staged address in a tight loop and reports
 * the first instant the kernel refuses one (EPERM from the output hook's drop).
 */
async function activationLatency(backend: NftablesBackend): Promise<number> {
  const target = '2001:db8:ffff::7'
  // `from` a few seconds out, so staging on a busy machine cannot overrun it (that would
  // measure nothing); checked below.
  const from = Math.ceil(Date.now() / 1000) * 1000 + 4_000
  await backend.reconcile(
    [group('w:activate', [...entries(100_000, 'host'), `${target}/128`], from, from + HOUR)],
    Date.now(),
  )
  if (Date.now() > from - 500) throw new Error('staging overran the activation instant')
  const script = `
    const socket = require('node:dgram').createSocket('udp6')
    const from = Number(process.argv[1])
    const send = () => socket.send('x', 9, '${target}', (err) => {
      if (err && Date.now() >= from - 1000) { console.log(Date.now()); process.exit(0) }
      if (Date.now() > from + 5000) { console.log('never'); process.exit(1) }
      setImmediate(send)
    })
    setTimeout(send, Math.max(0, from - Date.now() - 200))`
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, String(from)])
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  await new Promise((resolve) => child.once('exit', resolve))
  return Number(output.trim()) - from
}

/** `rounds` hot additions of 1k entries each into a live group of 100k, one `apply` each. */
async function hotAdditions(kind: Kind, rounds: number): Promise<number[]> {
  const backend = fresh()
  const now = Date.now()
  let live = group('w:hot', entries(100_000, kind), now - 60_000, now + HOUR)
  await backend.reconcile([live], now)
  const samples: number[] = []
  for (let round = 1; round <= rounds; round++) {
    const add = entries(1_000, kind, 1_000_000 * round)
    const op: GroupOp = { op: 'patch', id: live.id, from: live.from, until: live.until, add, remove: [] }
    live = { ...live, prefixes: live.prefixes.concat(add) }
    const next = live
    samples.push(await timed(() => backend.apply([op], [next], Date.now())))
  }
  nft('flush ruleset\n')
  return samples
}

/** Contrast: the set types the backend does not use, with the `nft` tool alone. */
function contrast(): void {
  const table = `contrast_${randomBytes(2).toString('hex')}`
  const big = entries(100_000, 'net').map((p) => `${p} timeout 3600s`)
  const small = entries(1_000, 'net', 5_000_000).map((p) => `${p} timeout 3600s`)
  nft(
    `add table inet ${table}\nadd set inet ${table} plain { type ipv6_addr; flags interval, timeout; }\nadd set inet ${table} concat { type ipv6_addr . nf_proto; flags interval, timeout; }\n`,
  )
  nft(`add element inet ${table} plain { ${big.join(', ')} }\n`)
  let start = performance.now()
  nft(`add element inet ${table} plain { ${small.join(', ')} }\n`)
  line(
    '(contrast) 1k prefixes into a plain 100k interval set',
    `${(performance.now() - start).toFixed(0)} ms`,
  )
  start = performance.now()
  nft(
    `add element inet ${table} concat { ${big.map((p) => p.replace(' timeout', ' . ipv6 timeout')).join(', ')} }\n`,
  )
  line('(contrast) stage 100k prefixes, concatenated ranges', `${(performance.now() - start).toFixed(0)} ms`)
  nft('flush ruleset\n')
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces, nft)')
  const nftVersion = execFileSync('nft', ['--version']).toString().trim()
  const kernel = execFileSync('uname', ['-r']).toString().trim()
  console.log(`# nftables backend — ${describeMachine()}, ${nftVersion}, kernel ${kernel}`)
  execFileSync('ip', ['netns', 'add', ns])
  try {
    const inNs = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'ip', ...args])
    inNs('link', 'set', 'lo', 'up')
    // A veth pair inside the namespace gives the target address a route (no dummy module here).
    inNs('link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1')
    inNs('link', 'set', 'd1', 'up')
    inNs('addr', 'add', '2001:db8:ffff::1/64', 'dev', 'd0', 'nodad')
    inNs('link', 'set', 'd0', 'up')
    // A static neighbour so datagrams leave at once instead of queueing behind neighbour discovery.
    inNs('neigh', 'add', '2001:db8:ffff::7', 'lladdr', '02:00:00:00:00:07', 'dev', 'd0', 'nud', 'permanent')

    line('stage 100k hosts', percentiles(await stage(100_000, 'host', 5)), '≤ 2000 ms')
    line('stage 100k /64 prefixes', percentiles(await stage(100_000, 'net', 5)), '≤ 2000 ms')
    line('stage 100k mixed (/128 /64 /56 /48)', percentiles(await stage(100_000, 'mixed', 5)), '≤ 2000 ms')
    line('stage 1M hosts', percentiles(await stage(1_000_000, 'host', 1)))
    line('stage 1M /64 prefixes', percentiles(await stage(1_000_000, 'net', 1)))

    const activations: number[] = []
    for (let i = 0; i < 5; i++) {
      activations.push(await activationLatency(fresh()))
      nft('flush ruleset\n')
    }
    line('activation: from → first packet dropped', percentiles(activations), '≤ 50 ms')

    line('hot addition 1k hosts into live 100k', percentiles(await hotAdditions('host', 20)), '≤ 50 ms')
    line('hot addition 1k prefixes into live 100k', percentiles(await hotAdditions('net', 20)), '≤ 50 ms')
    line(
      'hot addition 1k mixed into live 100k mixed',
      percentiles(await hotAdditions('mixed', 20)),
      '≤ 50 ms',
    )
    contrast()
  } finally {
    // Retries while processes that ran inside are still exiting (EBUSY on the namespace file).
    await deleteNetns(ns)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
