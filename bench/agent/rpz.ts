/**
 * DNS backend benchmark (issue 10): stage 100 000 names into a real Unbound through the agent's
 * RPZ (AXFR), a 1-name hot addition into that live zone until Unbound answers NXDOMAIN (IXFR
 * after NOTIFY), and Unbound's memory (RSS) with the 100k-name policy. Needs root, unbound and
 * iproute2: it re-runs itself inside a network namespace it creates and deletes, with Unbound's
 * config and state in a temporary folder, listening on that namespace's loopback only.
 *
 *   node --import tsx --conditions=@offside/source bench/agent/rpz.ts
 *
 * The hot-addition clock starts where the agent receives a delta: applyGroupOps on the 100k
 * group (as agent.ts does), the backend's apply, the NOTIFY, Unbound's SOA probe and IXFR, until
 * a query answers NXDOMAIN. The agent persists and acks after the backend; that is not counted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { applyGroupOps, type EnforcementGroup, type GroupOp } from '@offside/core'
import { RpzBackend } from '@offside/edge-agent/backends/rpz'
import { deleteNetns } from '@offside/testkit'
import dnsPacket from 'dns-packet'
import { describeMachine } from '../core/lib/harness.js'

const COUNT = 100_000
const HOT_ROUNDS = 20
const name = (i: number) => `p${i}.stream.test`

function line(label: string, value: string, target?: string): void {
  console.log(`${label.padEnd(52)} ${value}${target ? `   [target ${target}]` : ''}`)
}

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return `p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (n=${sorted.length})`
}

/** One UDP query to the resolver; its rcode, or 'TIMEOUT'. */
function query(qname: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4')
    const timer = setTimeout(() => {
      socket.close()
      resolve('TIMEOUT')
    }, 1000)
    socket.on('message', (message) => {
      clearTimeout(timer)
      socket.close()
      resolve((dnsPacket.decode(message) as { rcode?: string }).rcode ?? 'NOERROR')
    })
    socket.send(
      dnsPacket.encode({
        type: 'query',
        id: 1,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name: qname, type: 'A' }],
      }),
      53,
      '127.0.0.1',
    )
  })
}

/** Polls until `qname` answers `rcode`; returns the elapsed ms since `start`. */
async function until(qname: string, rcode: string, start: number, limitMs: number): Promise<number> {
  for (;;) {
    if ((await query(qname)) === rcode) return performance.now() - start
    if (performance.now() - start > limitMs) throw new Error(`${qname} never answered ${rcode}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

const rssKiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])

function startUnbound(dir: string): ChildProcess {
  writeFileSync(
    join(dir, 'test.zone'),
    '$ORIGIN test.\n@ 60 IN SOA localhost. h.test. 1 3600 600 86400 60\n@ 60 IN NS localhost.\n*.stream 60 IN A 198.51.100.1\n',
  )
  writeFileSync(
    join(dir, 'unbound.conf'),
    `server:
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  interface: 127.0.0.1
  do-daemonize: no
  use-syslog: no
  logfile: ""
  verbosity: 0
  num-threads: 1
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "respip iterator"
  local-zone: "test." nodefault
auth-zone:
  name: "test."
  zonefile: "${dir}/test.zone"
  for-downstream: yes
  for-upstream: yes
rpz:
  name: rpz.offside.
  primary: 127.0.0.1@5353
  allow-notify: 127.0.0.1
  rpz-log: no
remote-control:
  control-enable: no
`,
  )
  return spawn('unbound', ['-d', '-c', join(dir, 'unbound.conf')], { stdio: 'inherit' })
}

async function inside(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'offside-bench-rpz-'))
  const unbound = startUnbound(dir)
  try {
    await until('p0.stream.test', 'NOERROR', performance.now(), 10_000)
    const idle = rssKiB(unbound.pid!)
    const backend = new RpzBackend({ listen: { host: '127.0.0.1', port: 5353 } })
    await backend.reconcile([], Date.now())
    const names = Array.from({ length: COUNT }, (_, i) => name(i)).sort()
    const now = Date.now()
    let groups: EnforcementGroup[] = [
      { id: 'w:m1', event: 'm1', from: now, until: now + 3_600_000, prefixes: [], names },
    ]
    const start = performance.now()
    await backend.apply([{ op: 'put', group: groups[0]! }], groups, Date.now())
    const applied = performance.now() - start
    const first = await until(name(0), 'NXDOMAIN', start, 60_000)
    const last = await until(name(COUNT - 1), 'NXDOMAIN', start, 60_000)
    line('stage 100k names: backend apply (zone built)', `${applied.toFixed(0)} ms`)
    line(
      'stage 100k names: until Unbound blocks them',
      `first ${first.toFixed(0)} ms, last ${last.toFixed(0)} ms`,
      '≤ 5000 ms',
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    const loaded = rssKiB(unbound.pid!)
    line(
      'Unbound RSS, idle → with 100k names',
      `${(idle / 1024).toFixed(1)} → ${(loaded / 1024).toFixed(1)} MiB`,
    )

    const hot: number[] = []
    const agentSide: number[] = []
    for (let round = 0; round < HOT_ROUNDS; round++) {
      const added = `hot${round}.stream.test`
      const { from, until: end } = groups[0]!
      const ops: GroupOp[] = [
        { op: 'patch', id: 'w:m1', from, until: end, add: [], remove: [], addNames: [added] },
      ]
      const received = performance.now()
      groups = applyGroupOps(groups, ops)
      await backend.apply(ops, groups, Date.now())
      agentSide.push(performance.now() - received)
      hot.push(await until(added, 'NXDOMAIN', received, 10_000))
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    line('hot addition: agent side (applyGroupOps + apply)', percentiles(agentSide))
    line('hot addition of 1 name into the 100k zone → NXDOMAIN', percentiles(hot), 'p50 ≤ 100 ms')
    await backend.close()
  } finally {
    unbound.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  if (process.env.OFFSIDE_BENCH_RPZ_INSIDE) return inside()
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespace) and unbound')
  const version = execFileSync('unbound', ['-V']).toString().split('\n')[0]
  console.log(`# DNS backend (RPZ) — ${describeMachine()}, unbound ${version}`)
  const ns = `offside-bench-rpz-${randomBytes(3).toString('hex')}`
  execFileSync('ip', ['netns', 'add', ns])
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'])
    const self = fileURLToPath(import.meta.url)
    execFileSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--conditions=@offside/source', '--import', 'tsx', self],
      { stdio: 'inherit', env: { ...process.env, OFFSIDE_BENCH_RPZ_INSIDE: '1' } },
    )
  } finally {
    await deleteNetns(ns)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
