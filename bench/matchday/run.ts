/**
 * Match day at national scale: N simulated agents (the real edge-agent client — signatures
 * verified, ops applied with core, state persisted through the real journal, acks sent — many per
 * worker process, dry-run backend) against the real api, scheduler and gateway processes and
 * redis-server, all on loopback, with 0, 1 or 3 live 100k-entry lists. For each action the time
 * from its reference (API call returned, scheduled instant, upload started, gateway restarted)
 * until EVERY agent acknowledged the revision that carries it (gateway receive times recorded in
 * Redis): p50 / p99 / max over the trials of the slowest agent. Also gateway memory per agent,
 * CPU seconds per service and Redis memory. A trial that times out is a row saying how many
 * agents had acked; the run goes on.
 *
 *   node --conditions=@offside/source --import tsx bench/matchday/run.ts \
 *     [--agents 100,330,1000] [--lists 0,1,3] [--workers 4] [--trials 3] [--no-new-list] \
 *     [--agent-state tmpfs|disk] [--threadpool 16] [--ack-timeout 120] [--connect-timeout 600]
 *
 * Simulating N machines on a few cores: by default the agents' state folders are on tmpfs
 * (/dev/shm), where the journal's fdatasync returns at once — a real agent's own disk persists a
 * 1-entry patch in ≈ 4 ms (bench/agent/state-journal.ts), while 1 000 agents' fdatasyncs on the
 * bench machine's one disk measured that disk, not the control plane. `--agent-state disk` puts
 * them under the system's temp folder instead. Each worker process gets `--threadpool` libuv
 * threads (its file system calls run there). The header line says which.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { describeMachine } from '../core/lib/harness.js'
import { ackWatch } from './lib/acks.js'
import { type Fleet, startFleet } from './lib/fleet.js'
import { list } from './lib/lists.js'
import { startProbe } from './lib/probe.js'
import { evidence, HEARTBEAT_MS, ISP, type Stack, startStack } from './lib/stack.js'

const { values: flags } = parseArgs({
  options: {
    agents: { type: 'string', default: '100,330,1000' },
    lists: { type: 'string', default: '0,1,3' },
    workers: { type: 'string', default: '4' },
    trials: { type: 'string', default: '3' },
    // Window openings timed (each first stages a group at every agent); default max(1, trials / 2).
    'window-trials': { type: 'string' },
    // The new 100k list makes every simulated agent apply and persist 100k entries.
    'no-new-list': { type: 'boolean', default: false },
    // tmpfs, disk, or auto: tmpfs when the agents' state is sure to fit in memory, else disk.
    'agent-state': { type: 'string', default: 'auto' },
    threadpool: { type: 'string', default: '16' },
    // Seconds one change may take to reach every agent before its trial counts as timed out.
    'ack-timeout': { type: 'string', default: '120' },
    // Seconds for every agent to hold the first snapshot, and for the new 100k list to reach them.
    'connect-timeout': { type: 'string', default: '600' },
    // A folder: every service process and agent worker writes a V8 CPU profile there on exit.
    'cpu-prof': { type: 'string' },
    // A folder kept after the run for the services' logs (by default they go with the run's temp folder).
    logs: { type: 'string' },
  },
})
const profiling = flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(flags['cpu-prof'])}`] : []
const ackTimeout = Number(flags['ack-timeout']) * 1000
const connectTimeout = Number(flags['connect-timeout']) * 1000
const threadpool = Number(flags.threadpool)
const workerCount = Number(flags.workers)
const trials = Number(flags.trials)
const stateMode = flags['agent-state']
if (!['tmpfs', 'disk', 'auto'].includes(stateMode)) throw new Error('--agent-state: tmpfs, disk or auto')
const hasTmpfs = /^\S+ \/dev\/shm tmpfs /m.test(readFileSync('/proc/mounts', 'utf8'))
if (stateMode === 'tmpfs' && !hasTmpfs) throw new Error('no tmpfs at /dev/shm: run with --agent-state disk')
/** MemAvailable, in bytes. */
const available = () =>
  Number(/^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) * 1024
/**
 * The agents' state at its largest, per agent: a live 100k list takes ≤ 2.2 MB of `state.json`
 * (measured: 2.2 MB for list 0, 5.3 MB for lists 0–2). Small changes only append journal lines; the
 * new list's delta appends one patch of 100k per live window (two), and its compaction writes the
 * new state beside the old one: old + journal + new = 2 × lists + 3 lists' worth.
 */
const PER_LIST = 2.2e6
const peakStateBytes = (lists: number) => (flags['no-new-list'] ? lists : 2 * lists + 3) * PER_LIST + 64e3
/** tmpfs is memory: there only when N agents' peak state takes at most half of what is free. */
const stateOnTmpfs = (agents: number, lists: number) =>
  stateMode === 'tmpfs' ||
  (stateMode === 'auto' && hasTmpfs && agents * peakStateBytes(lists) <= available() / 2)
/** Below this much free memory a run stops starting new actions (its tmpfs and heaps would swap or be killed). */
const MIN_AVAILABLE = 2 * 2 ** 30

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}
const load = () => loadavg()[0] ?? Number.NaN
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}
function rssMiB(pid: number | undefined): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1] ?? Number.NaN) / 1024
}
/** Bytes under `dir` (the agents' state: on tmpfs it is memory). */
const bytesUnder = (dir: string) =>
  Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0])

interface Row {
  action: string
  reference: string
  /** Per completed trial: reference → the last agent's ack. */
  times: number[]
  /** What went wrong in the other trials (timed out with k/N acked, an error). */
  notes: string[]
  load: number
}

/** Ends the running scenario's processes and folders (also on SIGINT / SIGTERM: nothing is left behind). */
let cleanUp: (() => Promise<void>) | undefined
/** Prints the running scenario's rows not printed yet, marked as cut short. */
let printCutShort: (() => void) | undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    printCutShort?.()
    console.log(`(stopped by ${signal})`)
    void (cleanUp?.() ?? Promise.resolve()).finally(() => {
      // A service still starting when the signal came is not in the stack's list yet: end this
      // process's own children by their pid.
      const children = spawnSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).stdout
      for (const pid of children.split('\n').filter(Boolean).map(Number)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone already
        }
      }
      process.exit(130)
    })
  })

async function scenario(agentCount: number, listCount: number) {
  const dir = await mkdtemp(join(tmpdir(), 'offside-matchday-'))
  const onTmpfs = stateOnTmpfs(agentCount, listCount)
  const stateRoot = onTmpfs ? await mkdtemp('/dev/shm/offside-matchday-agents-') : join(dir, 'agents')
  const logDir = flags.logs ? resolve(flags.logs, `${agentCount}-agents-${listCount}-lists`) : dir
  await mkdir(logDir, { recursive: true })
  const rows: Row[] = []
  const row = (action: string, reference: string): Row => {
    const made = { action, reference, times: [], notes: [], load: Number.NaN }
    rows.push(made)
    return made
  }
  /** Prints the rows made so far (each action's as soon as it is done: a cut-short run keeps them). */
  let printed = 0
  const flush = () => {
    for (const done of rows.slice(printed)) print(agentCount, listCount, done)
    printed = rows.length
  }
  printCutShort = () => {
    for (const open of rows.slice(printed)) open.notes.push('cut short: the run was stopped')
    flush()
  }
  /** False (and says why in `result`) when the machine is short of memory for another action. */
  const roomFor = (result: Row) => {
    if (available() >= MIN_AVAILABLE) return true
    result.notes.push(`skipped: ${(available() / 2 ** 30).toFixed(1)} GiB of memory available`)
    return false
  }
  let stopStack: (() => Promise<void>) | undefined
  let fleet: Fleet | undefined
  const probes = new Set<Probe>()
  cleanUp = async () => {
    for (const probe of probes) probe.close()
    await fleet?.stop()
    await stopStack?.()
    await rm(dir, { recursive: true, force: true })
    await rm(stateRoot, { recursive: true, force: true })
  }
  const extras: string[] = []
  try {
    const s = await startStack({
      dir,
      logDir,
      agentCount,
      listCount,
      complaints: trials,
      execArgv: profiling,
      onStop: (stop) => {
        stopStack = stop
      },
    })
    const agentIds = Array.from({ length: agentCount }, (_, i) => `edge-${i}`)
    const watch = ackWatch(s.redis, s.db, ISP, agentIds, () => `http://127.0.0.1:${s.scheduler.port}`)
    const timedOut = (acked: number, ms: number) => `${acked}/${agentCount} acked after ${ms / 1000} s`
    /** After a timed-out trial: lets the agents catch up (bounded) so the next one starts clean. */
    const settle = async () => watch.allAcked(await watch.lastRevision(), ackTimeout)

    const rssBefore = rssMiB(s.gateway().child.pid)
    const connectStart = Date.now()
    const connect = row('all connect, snapshot held', 'agents started')
    connect.notes.push(`state on ${onTmpfs ? 'tmpfs' : 'disk'}`)
    fleet = await startFleet({
      gateway: s.gatewayUrl,
      token: s.isp,
      publicKeyFile: s.publicKeyFile,
      stateRoot,
      count: agentCount,
      workers: workerCount,
      threadpool,
      heartbeatMs: HEARTBEAT_MS,
      execArgv: profiling,
    })
    const first = await watch.allAcked(await watch.lastRevision(), connectTimeout)
    connect.load = load()
    if (first.at === undefined) {
      connect.notes.push(`timed out: ${timedOut(first.acked, connectTimeout)}; the rest skipped`)
      return { extras }
    }
    const connected = first.at - connectStart
    connect.times.push(connected)
    flush()
    const rssAfter = rssMiB(s.gateway().child.pid)
    const probe = startProbe(s.gatewayUrl, s.isp)
    probes.add(probe)
    const statePerAgent = bytesUnder(stateRoot) / agentCount

    /** Trials of a change made by an API call: call returned → every agent acked its revision. */
    const timeFromCall = async (action: string, act: (trial: number) => Promise<unknown>) => {
      const result = row(action, 'API call returned')
      const calls = row(`${action}: the API call itself`, 'request sent')
      const firsts: number[] = []
      const published: number[] = []
      const delivered: number[] = []
      for (let trial = 0; trial < trials && roomFor(result); trial++) {
        const before = await watch.lastRevision()
        const called = Date.now()
        try {
          await act(trial)
        } catch (err) {
          result.notes.push(`trial ${trial} failed: ${(err as Error).message.slice(0, 120)}`)
          continue
        }
        const returned = Date.now()
        calls.times.push(returned - called)
        const revision = await watch.nextRevision(before, ackTimeout)
        if (revision === undefined) {
          result.notes.push(`no revision within ${ackTimeout / 1000} s (${await watch.queueState()})`)
          break
        }
        const acked = await watch.allAcked(revision, ackTimeout)
        if (acked.at === undefined) {
          result.notes.push(
            `trial ${trial} timed out: ${timedOut(acked.acked, ackTimeout)}; later trials skipped`,
          )
          await settle()
          break
        }
        result.times.push(acked.at - returned)
        if (acked.first !== undefined) firsts.push(acked.first - returned)
        const issued = await watch.issuedAt(revision)
        if (issued !== undefined) published.push(issued - returned)
        const arrived = probe.arrivedAt(revision)
        if (arrived !== undefined) delivered.push(arrived - returned)
      }
      // Published: the scheduler's part; delivered: + the gateway's (lib/probe.ts); the rest is
      // the agents', and N of them take turns on the bench's cores (the first agent's ack waits
      // for the others' verify and apply in its process too).
      if (published.length > 0) result.notes.push(`published p50 ${quantile(published, 0.5).toFixed(0)} ms`)
      if (delivered.length > 0) result.notes.push(`delivered p50 ${quantile(delivered, 0.5).toFixed(0)} ms`)
      if (firsts.length > 0) result.notes.push(`first agent p50 ${quantile(firsts, 0.5).toFixed(0)} ms`)
      result.load = calls.load = load()
      flush()
    }
    const hot = (size: number) => (trial: number) =>
      s.call(s.tokenOf('sky-it'), 'POST', `/v1/lists/sky-it/${s.week}/entries`, {
        entries: Array.from({ length: size }, (_, i) => ({
          target: `2001:db8:ffff:${((size === 1 ? 0x100 : 0x200) + trial).toString(16)}::${(i + 1).toString(16)}`,
          evidence,
        })),
      })
    await timeFromCall('hot addition, 1 entry', hot(1))
    await timeFromCall('hot addition, 100 entries', hot(100))
    await timeFromCall('complaint upheld', async (trial) => {
      const filed = await s.call('', 'POST', '/v1/complaints', {
        target: s.complaintTargets[trial],
        contact: 'noc@example.net',
        reason: 'a lawful service shares this address',
      })
      await s.call(s.admin, 'POST', `/v1/complaints/${filed.id}/decision`, {
        outcome: 'revoke',
        reason: 'lawful service confirmed',
      })
    })
    const staging = row('window staged', 'event PUT returned')
    const opening = row('window activation', 'scheduled instant')
    if (roomFor(opening)) await windowActivation(s, watch, connected, staging, opening)
    flush()
    if (!flags['no-new-list']) {
      const result = row('new 100k list', 'upload started')
      if (roomFor(result)) await newList(s, watch, probe, listCount, result)
      flush()
    }
    probe.close()

    // Reconnect storm: the gateway crashes and comes back on its port; every agent reconnects.
    const storm = row('reconnect storm + hot addition', 'gateway ready again')
    try {
      if (!roomFor(storm)) throw new Error('no room')
      // Every agent up to date first, so the storm does not carry an earlier change's backlog.
      const behind = await watch.allAcked(await watch.lastRevision(), connectTimeout)
      if (behind.at === undefined) storm.notes.push(`started with ${agentCount - behind.acked} agents behind`)
      await s.restartGateway()
      const restartAt = Date.now() // ready again: from here every agent reconnects at once
      const before = await watch.lastRevision()
      await hot(1)(trials + 1)
      const revision = await watch.nextRevision(before, ackTimeout)
      const acked = revision === undefined ? undefined : await watch.allAcked(revision, connectTimeout)
      if (acked?.at !== undefined) storm.times.push(acked.at - restartAt)
      else storm.notes.push(acked ? `timed out: ${timedOut(acked.acked, connectTimeout)}` : 'no revision')
      // Agents away only for the restart resume with deltas: the restarted gateway says how many snapshots it sent.
      const metrics = await fetch(`http://127.0.0.1:${s.gateway().port}/metrics`).then((res) => res.text())
      storm.notes.push(
        `${/^offside_gateway_snapshots_sent_total (\d+)/m.exec(metrics)?.[1] ?? '?'} snapshots sent`,
      )
    } catch (err) {
      storm.notes.push(`failed: ${(err as Error).message.slice(0, 120)}`)
    }
    storm.load = load()
    flush()

    // Where the simulated agents' time went per delta: their own work vs waiting for their process.
    const deltas = (await fleet.timings()).filter((timing) => timing.kind === 'delta')
    const phases = (['queued', 'verify', 'apply', 'backend', 'persist', 'ack', 'total'] as const)
      .map((phase) => {
        const values = deltas.map((timing) => timing[phase])
        return `${phase} ${quantile(values, 0.5).toFixed(1)}/${quantile(values, 0.99).toFixed(0)}`
      })
      .join(', ')
    const memory = await s.redis.info('memory')
    const redisMiB = Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0) / 2 ** 20
    const cpu = [
      `api ${cpuSeconds(s.api.child.pid).toFixed(1)}`,
      `scheduler ${cpuSeconds(s.scheduler.child.pid).toFixed(1)}`,
      `gateway (after restart) ${cpuSeconds(s.gateway().child.pid).toFixed(1)}`,
      `agents ${fleet.cpuSeconds().toFixed(0)}`,
    ].join(', ')
    extras.push(
      `gateway ${(((rssAfter - rssBefore) * 1024) / agentCount).toFixed(0)} KiB/agent; CPU s ${cpu}; Redis ${redisMiB.toFixed(0)} MiB; agent state ${(statePerAgent / 2 ** 20).toFixed(1)} MiB/agent after connecting; agents' own time per delta (${deltas.length} deltas, ms p50/p99: ${phases})`,
    )
    return { extras }
  } catch (err) {
    row(`FAILED: ${(err as Error).message.slice(0, 200)}`, '')
    return { extras }
  } finally {
    flush()
    await cleanUp?.()
    cleanUp = undefined
  }
}

type Watch = ReturnType<typeof ackWatch>
type Probe = ReturnType<typeof startProbe>

/**
 * Window activation: an event put ahead of time is staged to every agent (its group sent before
 * kickoff), then opened by the scheduler at its kickoff; timed from the kickoff. The kickoff is
 * set far enough ahead for every agent to hold the staged group by then (from how long the
 * snapshot took, within 4–60 s); a trial where they did not is marked "staged late".
 */
async function windowActivation(s: Stack, watch: Watch, connected: number, staging: Row, opening: Row) {
  const windowTrials = Number(flags['window-trials'] ?? Math.max(1, Math.ceil(trials / 2)))
  let stagedLate = 0
  for (let trial = 0; trial < windowTrials; trial++) {
    const before = await watch.lastRevision()
    const kickoff = Date.now() + Math.min(60_000, Math.max(4000, 1.5 * connected))
    try {
      await s.call(s.admin, 'PUT', `/v1/events/w${trial}`, {
        competition: 'serie-a',
        kickoff: new Date(kickoff).toISOString(),
        // Ends after the run, so no window closes in the middle of another action's trial.
        end: new Date(kickoff + 3 * 3600_000).toISOString(),
      })
    } catch (err) {
      opening.notes.push(`trial ${trial} failed: ${(err as Error).message.slice(0, 120)}`)
      continue
    }
    const put = Date.now()
    const staged = await watch.nextRevision(before, ackTimeout)
    if (staged === undefined) {
      opening.notes.push(`no staging revision within ${ackTimeout / 1000} s`)
      break
    }
    const stagedAck = await watch.allAcked(staged, Math.max(ackTimeout, kickoff - Date.now() + ackTimeout))
    if (stagedAck.at !== undefined) staging.times.push(stagedAck.at - put)
    else staging.notes.push(`timed out: ${stagedAck.acked} acked`)
    if (stagedAck.at === undefined || stagedAck.at > kickoff) stagedLate++
    // The opening revision is the one after the staging (it may be out before the staging's last ack).
    const open = await watch.nextRevision(staged, Math.max(0, kickoff - Date.now()) + ackTimeout)
    if (open === undefined) {
      opening.notes.push(`no opening revision within ${ackTimeout / 1000} s of kickoff`)
      break
    }
    const opened = await watch.allAcked(open, ackTimeout)
    if (opened.at === undefined) {
      opening.notes.push(`trial ${trial} timed out: ${opened.acked} acked after ${ackTimeout / 1000} s`)
      break
    }
    opening.times.push(opened.at - kickoff)
  }
  if (stagedLate > 0) opening.notes.push(`${stagedLate} staged late`)
  staging.load = opening.load = load()
}

/** A new 100k-entry list for the live week: upload start → every agent's ack of its revision. */
async function newList(s: Stack, watch: Watch, probe: Probe, listCount: number, result: Row) {
  const targets = list(3)
  const before = await watch.lastRevision()
  const uploadStart = Date.now()
  try {
    await s.upload(`rh-${listCount}`, targets)
  } catch (err) {
    result.notes.push(`upload failed: ${(err as Error).message.slice(0, 120)}`)
    return
  }
  result.notes.push(`upload ${((Date.now() - uploadStart) / 1000).toFixed(1)} s`)
  const revision = await watch.nextRevision(before, connectTimeout)
  if (revision === undefined) {
    result.notes.push(`no revision within ${connectTimeout / 1000} s (${await watch.queueState()})`)
    return
  }
  const acked = await watch.allAcked(revision, connectTimeout)
  const issued = await watch.issuedAt(revision)
  if (issued !== undefined) result.notes.push(`published ${issued - uploadStart} ms`)
  const arrived = probe.arrivedAt(revision)
  if (arrived !== undefined) result.notes.push(`delivered ${arrived - uploadStart} ms`)
  if (acked.first !== undefined) result.notes.push(`first agent ${acked.first - uploadStart} ms`)
  if (acked.at === undefined) result.notes.push(`timed out: ${acked.acked} acked`)
  else result.times.push(acked.at - uploadStart)
  result.load = load()
}

console.log(`# bench/matchday — ${describeMachine()}`)
const where = {
  tmpfs: 'tmpfs (/dev/shm: the journal fdatasync returns at once)',
  disk: `disk (${tmpdir()})`,
  auto: `tmpfs (/dev/shm: the journal fdatasync returns at once) when N agents' peak state (${(peakStateBytes(0) / 1e6).toFixed(1)} MB + ${(peakStateBytes(1) / 1e6 - peakStateBytes(0) / 1e6).toFixed(1)} MB per live list each) fits in half the free memory, else disk (${tmpdir()}); each run's first row says which`,
}[stateMode]
console.log(
  `Simulated agents: ${workerCount} worker processes, UV_THREADPOOL_SIZE=${threadpool} each; state on ${where}; ${trials} trials per change, ack timeout ${ackTimeout / 1000} s.`,
)
console.log('')
console.log('| agents | live 100k lists | action | from | p50 ms | p99 ms | max ms | load |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
function print(agents: number, lists: number, row: Row) {
  const cells = [0.5, 0.99, 1].map((q) => (row.times.length ? quantile(row.times, q).toFixed(0) : '—'))
  const notes = row.notes.length ? ` (${row.notes.join('; ').replace(/\s+/g, ' ').replace(/\|/g, '/')})` : ''
  console.log(
    `| ${agents} | ${lists} | ${row.action}${notes} | ${row.reference} | ${cells.join(' | ')} | ${row.load.toFixed(1)} |`,
  )
}
const extras: string[] = []
for (const lists of flags.lists.split(',').map(Number)) {
  for (const agents of flags.agents.split(',').map(Number)) {
    const result = await scenario(agents, lists)
    for (const line of result.extras) extras.push(`${agents} agents, ${lists} lists: ${line}`)
  }
}
console.log('')
for (const line of extras) console.log(`- ${line}`)
