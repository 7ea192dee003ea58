/**
 * Match day at national scale: N simulated agents (the real edge-agent client — signatures
 * verified, ops applied with core, state persisted, acks sent — many per worker thread, dry-run
 * backend) against the real api, scheduler and gateway processes and redis-server, all on
 * loopback, with 0, 1 or 3 live 100k-entry lists. For each action the time from its reference
 * (API call returned, scheduled instant, gateway restarted) until EVERY agent acknowledged the
 * revision that carries it (gateway receive times recorded in Redis): p50 / p99 / max over the
 * trials of the slowest agent, and over all agents of one trial. Also gateway memory per agent,
 * CPU seconds per service and Redis memory.
 *
 *   node --conditions=@offside/source --import tsx bench/matchday/run.ts \
 *     [--agents 100,330,1000] [--lists 0,1,3] [--workers 4] [--trials 5] [--no-new-list]
 *
 * Data: list k of 100 000 hosts — 0: 65 536 IPv4, one per /31 of 198.18.0.0/15, and IPv6; 1: IPv6 scattered over
 * 2001:db8::/32; 2: IPv6 clustered in 2001:db8:aaaa::/48; the list added during the run: IPv6
 * scattered in 2001:db8:bbbb::/48 — only stored, never contacted.
 */
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { isoWeekKey, seasonOf } from '@offside/core'
import { generateSigningKeyPair } from '@offside/protocol'
import { createDb, type Db } from '@offside/store'
import { freePort, type ServiceProcess, startRedis, startServiceProcess } from '@offside/testkit'
import { Redis } from 'ioredis'
import { describeMachine, seededRandom } from '../core/lib/harness.js'

const { values: flags } = parseArgs({
  options: {
    agents: { type: 'string', default: '100,330,1000' },
    lists: { type: 'string', default: '0,1,3' },
    workers: { type: 'string', default: '4' },
    trials: { type: 'string', default: '5' },
    // Window openings timed (each first stages a 100k-entry group at every agent); default max(2, trials / 2).
    'window-trials': { type: 'string' },
    // The new 100k list makes every simulated agent apply 100k entries; on a small machine skip it.
    'no-new-list': { type: 'boolean', default: false },
    // A folder: every service process and worker thread writes a V8 CPU profile there on exit.
    'cpu-prof': { type: 'string' },
    // A folder kept after the run for the services' logs (by default they go with the run's temp folder).
    logs: { type: 'string' },
  },
})
const root = resolve(import.meta.dirname, '../..')
const ISP = 'isp-a'
const profiling = flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(flags['cpu-prof'])}`] : []
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}

function list(k: number): string[] {
  const random = seededRandom(100 + k)
  return Array.from({ length: 100_000 }, (_, i) => {
    // 0: 65 536 IPv4 hosts, one per /31 of 198.18.0.0/15 (none merge), then IPv6 hosts.
    if (k === 0 && i < 65_536)
      return `198.${18 + (i >>> 15)}.${(i >>> 7) & 255}.${((i & 127) << 1) | (random() & 1)}`
    if (k === 0) return `2001:db8:cccc:${(i - 65_536).toString(16)}::1`
    if (k === 1)
      return `2001:db8:${(random() & 0xffff).toString(16)}:${(i & 0xffff).toString(16)}:${(i >>> 16).toString(16)}::${((random() & 0xfff) + 1).toString(16)}`
    if (k === 2) return `2001:db8:aaaa::${((i + 1) >>> 16).toString(16)}:${((i + 1) & 0xffff).toString(16)}`
    return `2001:db8:bbbb:${(i & 0xffff).toString(16)}:${(i >>> 16).toString(16)}::${((random() & 0xfff) + 1).toString(16)}` // the new list
  })
}

/** The bench's one competition (the values PUT to the API below), for core's season and week keys. */
const competition = { id: 'serie-a', name: 'Serie A', timeZone: 'UTC', preMinutes: 0, postMinutes: 0 }

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}
function rssMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1] ?? Number.NaN) / 1024
}

interface Row {
  agents: number
  lists: number
  action: string
  reference: string
  /** Per trial: reference → the last agent's ack. */
  times: number[]
}

async function scenario(agentCount: number, listCount: number, workerCount: number, trials: number) {
  const dir = await mkdtemp(join(tmpdir(), 'offside-matchday-'))
  const logDir = flags.logs ? resolve(flags.logs, `${agentCount}-agents-${listCount}-lists`) : dir
  await mkdir(logDir, { recursive: true })
  const redisServer = await startRedis()
  const services: ServiceProcess[] = []
  const workers: Worker[] = []
  const redis = new Redis(redisServer.url)
  const db: Db = createDb(redis)
  const rows: Row[] = []
  try {
    const pair = generateSigningKeyPair()
    const privateKeyFile = join(dir, 'signing.pem')
    const publicKeyFile = join(dir, 'signing.pub.pem')
    await writeFile(privateKeyFile, pair.privateKeyPem, { mode: 0o600 })
    await writeFile(publicKeyFile, pair.publicKeyPem)
    const admin = `adm_matchday_${Math.random().toString(36).slice(2)}_0123456789`
    const env = {
      ...process.env,
      OFFSIDE_REDIS_URL: redisServer.url,
      OFFSIDE_ADMIN_TOKEN: admin,
      OFFSIDE_SIGNING_KEY_FILE: privateKeyFile,
      OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation,benchmarking',
      OFFSIDE_GRACE_SECONDS: '1',
      OFFSIDE_LOG_LEVEL: process.env.OFFSIDE_LOG_LEVEL ?? 'warn',
      OFFSIDE_GATEWAY_MAX_AGENTS_PER_ISP: String(agentCount * 2 + 10),
      OFFSIDE_API_PUBLIC_RATE_LIMIT: '100000',
      // Simulated agents share a few threads, so one applying a 100k-entry group holds up the
      // others' heartbeats for seconds: a long period keeps the gateway from dropping them as
      // silent (a real agent has a machine of its own).
      OFFSIDE_GATEWAY_HEARTBEAT_MS: '60000',
    }
    const start = async (name: string, entry: string, portVar: string, port?: number) => {
      const p = port ?? (await freePort())
      const service = await startServiceProcess({
        name,
        entry: join(root, entry),
        env: { ...env, [portVar]: String(p), OFFSIDE_GATEWAY_ID: `gateway-${p}` },
        logFile: join(logDir, `${name}-${services.length}.log`),
        port: p,
        readyPath: '/readyz',
        execArgv: profiling,
        timeoutMs: 60_000,
      })
      services.push(service)
      return service
    }
    const api = await start('api', 'services/api/src/server.ts', 'OFFSIDE_API_PORT')
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
      const text = await res.text()
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`)
      return text ? JSON.parse(text) : undefined
    }
    const tokenFor = async (id: string, kind: string) => {
      await call(admin, 'POST', '/v1/orgs', { id, kind, name: id })
      return (await call(admin, 'POST', '/v1/tokens', { org: id, role: kind })).token as string
    }
    const now = Date.now()
    await call(admin, 'PUT', '/v1/competitions/serie-a', {
      name: 'Serie A',
      timeZone: 'UTC',
      preMinutes: 0,
      postMinutes: 0,
    })
    const holders = ['sky-it', ...Array.from({ length: listCount + 1 }, (_, k) => `rh-${k}`)]
    const tokens = new Map<string, string>()
    for (const holder of holders) {
      tokens.set(holder, await tokenFor(holder, 'rightsholder'))
      await call(admin, 'PUT', `/v1/orders/o-${holder}`, {
        rightsholder: holder,
        competitions: ['serie-a'],
        season: seasonOf(now, competition),
        reference: `bench-${holder}`,
      })
    }
    const isp = await tokenFor(ISP, 'isp')
    await call(admin, 'PUT', '/v1/events/live', {
      competition: 'serie-a',
      kickoff: new Date(now - 60_000).toISOString(),
      end: new Date(now + 3 * 3600_000).toISOString(),
    })
    const week = isoWeekKey(now - 60_000, competition.timeZone)
    const evidence = `sha256:${'ab'.repeat(32)}`
    const upload = (holder: string, targets: string[]) =>
      call(tokens.get(holder) ?? '', 'PUT', `/v1/lists/${holder}/${week}`, {
        entries: targets.map((target) => ({ target, evidence })),
      })
    const complaintTargets = Array.from({ length: trials }, (_, i) => `203.0.113.${i + 10}`)
    await upload('sky-it', ['203.0.113.7', ...complaintTargets])
    for (let k = 0; k < listCount; k++) await upload(`rh-${k}`, list(k))

    const scheduler = await start('scheduler', 'services/scheduler/src/server.ts', 'OFFSIDE_SCHEDULER_PORT')
    let gateway = await start('gateway', 'services/gateway/src/server.ts', 'OFFSIDE_GATEWAY_PORT')
    const gatewayUrl = `ws://127.0.0.1:${gateway.port}/v1/agents/stream`
    const lastRevision = async () => Number((await redis.get(db.keys.revisions.counter)) ?? 0)
    const agentIds = Array.from({ length: agentCount }, (_, i) => `edge-${i}`)
    /** When the last agent first acked ≥ revision (gateway clock), polling all agents in one pipeline. */
    const allAcked = async (revision: number, timeoutMs = 300_000) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const pipeline = redis.pipeline()
        for (const id of agentIds)
          pipeline.zrangebyscore(db.keys.agents.acks(`${ISP}/${id}`), revision, '+inf', 'LIMIT', 0, 1)
        const replies = (await pipeline.exec()) ?? []
        const firsts = replies.map(([, raw]) => {
          const [text] = raw as string[]
          return text ? (JSON.parse(text) as { receivedAt: number }).receivedAt : undefined
        })
        if (firsts.every((at) => at !== undefined)) return Math.max(...(firsts as number[]))
        if (Date.now() > deadline)
          throw new Error(
            `revision ${revision}: ${firsts.filter((f) => f === undefined).length} agents never acked`,
          )
        await sleep(20)
      }
    }
    const nextRevision = async (after: number, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs
      // Looked at once even when the deadline has passed: the revision may be out already.
      for (;;) {
        const revision = await lastRevision()
        if (revision > after) return revision
        if (Date.now() > deadline) throw new Error(`no revision after ${after}; ${await queueState()}`)
        await sleep(5)
      }
    }
    /** What the scheduler's queues hold, to say why a revision never came. */
    const queueState = async () => {
      const parts: string[] = []
      for (const queue of ['recompute', 'timeline']) {
        const base = `${db.keys.prefix}bull:${queue}`
        const [waiting, active, delayed, failed] = await Promise.all([
          redis.llen(`${base}:wait`),
          redis.llen(`${base}:active`),
          redis.zcard(`${base}:delayed`),
          redis.zrange(`${base}:failed`, -3, -1),
        ])
        const reasons = await Promise.all(failed.map((id) => redis.hget(`${base}:${id}`, 'failedReason')))
        parts.push(
          `${queue}: wait ${waiting}, active ${active}, delayed ${delayed}, failed [${reasons.join('; ')}]`,
        )
      }
      const metrics = await fetch(`http://127.0.0.1:${scheduler.port}/metrics`).then((res) => res.text())
      parts.push(
        ...metrics.split('\n').filter((line) => /^offside_scheduler_(skipped|failures|revisions)/.test(line)),
      )
      return parts.join('; ')
    }

    const rssBefore = rssMiB(gateway.child.pid)
    const perWorker = Math.ceil(agentCount / workerCount)
    const connectStart = Date.now()
    for (let w = 0; w < workerCount; w++) {
      const count = Math.min(perWorker, agentCount - w * perWorker)
      if (count <= 0) break
      // A worker does not inherit the main thread's tsx hooks: it registers them, then loads the agents.
      const entry = new URL('./lib/agents-worker.ts', import.meta.url).href
      const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}) })`
      const worker = new Worker(boot, {
        eval: true,
        workerData: {
          gateway: gatewayUrl,
          token: isp,
          publicKeyFile,
          stateRoot: join(dir, 'agents'),
          first: w * perWorker,
          count,
        },
        execArgv: ['--conditions=@offside/source', ...profiling],
      })
      workers.push(worker)
      await new Promise((done, fail) => {
        worker.once('message', done)
        worker.once('error', fail)
      })
    }
    await allAcked(await lastRevision())
    const connected = Date.now() - connectStart
    const rssAfter = rssMiB(gateway.child.pid)
    rows.push({
      agents: agentCount,
      lists: listCount,
      action: 'all connect, snapshot held',
      reference: 'agents started',
      times: [connected],
    })

    const timeFromCall = async (action: string, act: (trial: number) => Promise<unknown>, n = trials) => {
      const times: number[] = []
      const calls: number[] = []
      for (let trial = 0; trial < n; trial++) {
        const before = await lastRevision()
        const called = Date.now()
        await act(trial)
        const returned = Date.now()
        calls.push(returned - called)
        times.push((await allAcked(await nextRevision(before))) - returned)
      }
      rows.push({ agents: agentCount, lists: listCount, action, reference: 'API call returned', times })
      rows.push({
        agents: agentCount,
        lists: listCount,
        action: `${action}: the API call itself`,
        reference: 'request sent',
        times: calls,
      })
      process.stdout.write('.')
    }
    const hot = (size: number) => (trial: number) =>
      call(tokens.get('sky-it') ?? '', 'POST', `/v1/lists/sky-it/${week}/entries`, {
        entries: Array.from({ length: size }, (_, i) => ({
          target: `2001:db8:ffff:${((size === 1 ? 0x100 : 0x200) + trial).toString(16)}::${(i + 1).toString(16)}`,
          evidence,
        })),
      })
    await timeFromCall('hot addition, 1 entry', hot(1))
    await timeFromCall('hot addition, 100 entries', hot(100))
    await timeFromCall('complaint upheld', async (trial) => {
      const filed = await call('', 'POST', '/v1/complaints', {
        target: complaintTargets[trial],
        contact: 'noc@example.net',
        reason: 'a lawful service shares this address',
      })
      await call(admin, 'POST', `/v1/complaints/${filed.id}/decision`, {
        outcome: 'revoke',
        reason: 'lawful service confirmed',
      })
    })

    // Window activation: an event staged ahead, timed from its kickoff.
    // The kickoff is set far enough ahead for every agent to hold the staged group by then (a
    // lead from how long the snapshot took); a trial where they did not is reported as such.
    const opened: number[] = []
    let stagedLate = 0
    const windowTrials = Number(flags['window-trials'] ?? Math.max(2, Math.ceil(trials / 2)))
    for (let trial = 0; trial < windowTrials; trial++) {
      const before = await lastRevision()
      const kickoff = Date.now() + Math.max(4000, 1.5 * connected)
      await call(admin, 'PUT', `/v1/events/w${trial}`, {
        competition: 'serie-a',
        kickoff: new Date(kickoff).toISOString(),
        end: new Date(kickoff + 600_000).toISOString(),
      })
      const staged = await nextRevision(before)
      if ((await allAcked(staged)) > kickoff) stagedLate++ // the group is sent ahead; the opening revision comes at kickoff
      // The opening revision is the one after the staging (it may be out before the staging's last ack).
      const open = await nextRevision(staged, kickoff - Date.now() + 60_000)
      opened.push((await allAcked(open)) - kickoff)
    }
    rows.push({
      agents: agentCount,
      lists: listCount,
      action: stagedLate > 0 ? `window activation (${stagedLate} staged late)` : 'window activation',
      reference: 'scheduled instant',
      times: opened,
    })

    // A new 100k-entry list, timed from the start of its upload.
    if (!flags['no-new-list']) await newListStaged()
    async function newListStaged() {
      const newList = `rh-${listCount}`
      const uploadStart = Date.now()
      const beforeUpload = await lastRevision()
      await upload(newList, list(3))
      const staged = await allAcked(await nextRevision(beforeUpload))
      rows.push({
        agents: agentCount,
        lists: listCount,
        action: 'new 100k list (upload start → acks)',
        reference: 'upload started',
        times: [staged - uploadStart],
      })
    }

    // Reconnect storm: the gateway crashes and comes back on its port; every agent reconnects.
    await gateway.kill()
    services.splice(services.indexOf(gateway), 1)
    gateway = await start('gateway', 'services/gateway/src/server.ts', 'OFFSIDE_GATEWAY_PORT', gateway.port)
    const restartAt = Date.now() // ready again: from here every agent reconnects at once
    const beforeStorm = await lastRevision()
    await hot(1)(trials + 1)
    const stormAcked = await allAcked(await nextRevision(beforeStorm))
    // Agents away only for the restart resume with deltas: the restarted gateway says how many snapshots it sent.
    const gatewayMetrics = await fetch(`http://127.0.0.1:${gateway.port}/metrics`).then((res) => res.text())
    const stormSnapshots = Number(
      /^offside_gateway_snapshots_sent_total (\d+)/m.exec(gatewayMetrics)?.[1] ?? Number.NaN,
    )
    rows.push({
      agents: agentCount,
      lists: listCount,
      action: `reconnect storm + hot addition (${stormSnapshots} snapshots sent)`,
      reference: 'gateway ready again',
      times: [stormAcked - restartAt],
    })

    // Where the simulated agents' time went per delta: their own work vs waiting for a thread.
    const timings = (
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<Record<string, number | string>[]>((done) => {
              worker.once('message', (message: { timings?: Record<string, number | string>[] }) =>
                done(message.timings ?? []),
              )
              worker.postMessage({ timings: true })
            }),
        ),
      )
    ).flat()
    const deltas = timings.filter((timing) => timing.kind === 'delta')
    const agentPhases = ['queued', 'verify', 'apply', 'backend', 'persist', 'ack', 'total']
      .map((phase) => {
        const values = deltas.map((timing) => Number(timing[phase]))
        return `${phase} ${quantile(values, 0.5).toFixed(1)}/${quantile(values, 0.99).toFixed(0)}`
      })
      .join(', ')
    const memory = await redis.info('memory')
    const redisMiB = Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0) / 2 ** 20
    const cpu = {
      api: cpuSeconds(api.child.pid),
      scheduler: cpuSeconds(scheduler.child.pid),
      gateway: cpuSeconds(gateway.child.pid),
    }
    return {
      rows,
      gatewayKiBPerAgent: ((rssAfter - rssBefore) * 1024) / agentCount,
      agentPhases: `${deltas.length} deltas, ms p50/p99: ${agentPhases}`,
      cpu,
      redisMiB,
    }
  } finally {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => void worker.terminate().then(() => done()), 10_000)
            worker.once('message', () => {
              clearTimeout(timer)
              void worker.terminate().then(() => done())
            })
            worker.postMessage({ stop: true })
          }),
      ),
    )
    await redis.quit()
    await Promise.all(services.map((service) => service.stop()))
    await redisServer.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

console.log(`# bench/matchday — ${describeMachine()}`)
const workerCount = Number(flags.workers)
const trials = Number(flags.trials)
console.log('| agents | live 100k lists | action | from | p50 ms | p99 ms | max ms |')
console.log('| --- | --- | --- | --- | --- | --- | --- |')
const extras: string[] = []
for (const lists of flags.lists.split(',').map(Number)) {
  for (const agents of flags.agents.split(',').map(Number)) {
    try {
      const result = await scenario(agents, lists, workerCount, trials)
      for (const row of result.rows) {
        const cells = [0.5, 0.99, 1].map((q) => quantile(row.times, q).toFixed(0))
        console.log(
          `| ${row.agents} | ${row.lists} | ${row.action} | ${row.reference} | ${cells.join(' | ')} |`,
        )
      }
      extras.push(
        `${agents} agents, ${lists} lists: gateway ${result.gatewayKiBPerAgent.toFixed(0)} KiB/agent; CPU s api ${result.cpu.api.toFixed(1)}, scheduler ${result.cpu.scheduler.toFixed(1)}, gateway (after restart) ${result.cpu.gateway.toFixed(1)}; Redis ${result.redisMiB.toFixed(0)} MiB; agents' own time per delta (${result.agentPhases})`,
      )
    } catch (err) {
      console.log(`| ${agents} | ${lists} | FAILED: ${(err as Error).message.slice(0, 200)} | | | | |`)
    }
  }
}
for (const line of extras) console.log(`- ${line}`)
