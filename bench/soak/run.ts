/**
 * The chaos soak (issue #14 point 4, docs/faults.md): a simulated match day against a real stack
 * (Redis with `appendfsync always`, one api, two schedulers, two gateways, dry-run agents) while
 * an injector SIGKILLs and restarts random processes at seeded times, and an invariant checker
 * reads every agent's enforcement every few hundred ms.
 *
 *   node --conditions=@offside/source --import tsx bench/soak/run.ts [--seconds 180] [--seed N]
 *        [--agents 3] [--fault-every-ms 9000] [--lift-budget-ms 10000] [--converge-ms 15000] [--json]
 *
 * Prints the seed (pass it back with --seed to replay the same plan), the faults injected, the
 * checks made and every violation; exits 1 on any violation or if no check was made.
 */
import { parseArgs } from 'node:util'
import { createDb, currentEpoch, currentRevision } from '@offside/store'
import { orgWithToken, type StackAgent, startStack } from '@offside/testkit'
import { Redis } from 'ioredis'
import { describeMachine, seededRandom } from '../core/lib/harness.js'
import { Injector } from './lib/injector.js'
import { type Api, COMPETITION, MatchDay, seasonNow } from './lib/match-day.js'
import { type Bounds, SoakModel } from './lib/model.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    seed: { type: 'string' },
    agents: { type: 'string', default: '3' },
    'fault-every-ms': { type: 'string', default: '9000' },
    // The bounds are claims (docs/faults.md); setting one to 0 shows the checker catching a breach.
    'lift-budget-ms': { type: 'string', default: '10000' },
    'converge-ms': { type: 'string', default: '15000' },
    json: { type: 'boolean', default: false },
  },
})
const seconds = Number(values.seconds)
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const agentCount = Number(values.agents)
const faultEveryMs = Number(values['fault-every-ms'])
const GRACE_MS = 1_000
const bounds: Bounds = {
  graceMs: GRACE_MS,
  sampleMs: 500,
  liftBudgetMs: Number(values['lift-budget-ms']),
  convergeMs: Number(values['converge-ms']),
}
const CHECK_EVERY_MS = 300
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`no answer in ${ms} ms`)))])

console.log(`chaos soak: seed ${seed}, ${seconds} s, ${agentCount} agents, a fault every ~${faultEveryMs} ms`)
console.log(`machine: ${describeMachine()}`)
const random = seededRandom(seed)
const uniform = () => random() / 2 ** 32

const stack = await startStack(undefined, {
  services: ['api'],
  redisOptions: { appendfsync: 'always' },
  logLevel: 'warn',
  env: {
    OFFSIDE_GRACE_MS: String(GRACE_MS),
    OFFSIDE_GRACE_SECONDS: String(GRACE_MS / 1000),
    OFFSIDE_SCHEDULER_TICK_MS: '1000',
    OFFSIDE_GATEWAY_HEARTBEAT_MS: '1000',
  },
})
const api: Api = {
  async call(method, path, body, token) {
    try {
      const res = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token ?? stack.admin}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(5_000),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    } catch {
      return { status: 0, body: null }
    }
  },
}
const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1_000, lazyConnect: true })
redis.on('error', () => {}) // Redis is killed on purpose; reads simply fail meanwhile
const db = createDb(redis)
const model = new SoakModel(bounds)
let injector: Injector | undefined
let exitCode = 1
try {
  const sky = await orgWithToken(stack.api, 'sky-it', 'rightsholder')
  const isp = await orgWithToken(stack.api, 'isp-a', 'isp')
  const { id: competition, ...competitionBody } = COMPETITION
  await stack.api.ok('PUT', `/v1/competitions/${competition}`, competitionBody)
  await stack.api.ok('PUT', '/v1/orders/o1', {
    rightsholder: 'sky-it',
    competitions: [COMPETITION.id],
    season: seasonNow(),
    reference: '123/26/DDA',
  })
  const schedulers = [
    await stack.start('scheduler', { name: 'scheduler-1' }),
    await stack.start('scheduler', { name: 'scheduler-2' }),
  ]
  const gateways = [
    await stack.start('gateway', { name: 'gateway-1' }),
    await stack.start('gateway', { name: 'gateway-2' }),
  ]
  const gatewayUrls = gateways.map((g) => g.url)
  const startAgent = (id: string) => stack.startAgent({ id, token: isp, gateways: gatewayUrls })
  const agents = new Map<string, StackAgent>()
  for (let i = 1; i <= agentCount; i++) agents.set(`edge-${i}`, await startAgent(`edge-${i}`))
  injector = new Injector(
    { stack, gateways, schedulers, agents, restartAgent: startAgent },
    uniform,
    Date.now(),
  )
  const day = new MatchDay(api, model, uniform, sky)
  await day.upload(8)
  await day.newWindow()

  const started = Date.now()
  const endsAt = started + seconds * 1000
  const connectedSince = new Map<string, number>()
  const checkRound = async () => {
    const published = await currentRevision(db).catch(() => undefined)
    if (published !== undefined) model.published(published, Date.now())
    const whole = injector?.wholeSince()
    await Promise.all(
      [...agents].map(async ([id, agent]) => {
        if (injector?.down() === `agent:${id}`) return void connectedSince.delete(id)
        const t0 = Date.now()
        const status = await withTimeout(agent.status(), 2_000).catch(() => undefined)
        const t1 = Date.now()
        if (!status?.connected) return void connectedSince.delete(id)
        if (!connectedSince.has(id)) connectedSince.set(id, t0)
        const since = connectedSince.get(id) ?? t0
        const obligedSince = whole === undefined ? undefined : Math.max(whole, since)
        for (const v of model.check({
          agent: id,
          t0,
          t1,
          prefixes: status.prefixes,
          revision: status.revision,
          obligedSince,
        }))
          console.log(`VIOLATION ${new Date(v.at).toISOString()} ${v.agent} ${v.rule}: ${v.detail}`)
      }),
    )
  }
  const checker = (async () => {
    while (Date.now() < endsAt) {
      await checkRound()
      await sleep(CHECK_EVERY_MS)
    }
  })()
  const faults = (async () => {
    await sleep(3_000)
    while (Date.now() < endsAt - 5_000) {
      await sleep(faultEveryMs / 2 + uniform() * faultEveryMs)
      if (Date.now() >= endsAt - 5_000) break
      const fault = await injector?.strike(1_000 + Math.floor(uniform() * 3_000)).catch((err: Error) => {
        console.log(`fault could not be restored: ${err.message}`)
        return undefined
      })
      if (fault) console.log(`fault: ${fault.victim} down ${(fault.backAt ?? 0) - fault.killedAt} ms`)
    }
  })()
  const actions = (async () => {
    let nextWindow = Date.now() + 8_000
    while (Date.now() < endsAt - 5_000) {
      if (Date.now() >= nextWindow) {
        await day.newWindow()
        nextWindow = Date.now() + 6_000 + uniform() * 10_000
      } else await day.step()
      await sleep(700 + uniform() * 1_300)
    }
  })()
  await Promise.all([checker, faults, actions])

  // Quiesce: every process up; each agent must hold the published revision of the same history.
  const settleBy = Date.now() + bounds.convergeMs
  let settled = false
  while (!settled && Date.now() < settleBy) {
    await checkRound()
    const [revision, epoch] = await Promise.all([currentRevision(db), currentEpoch(db)]).catch(() => [
      -1,
      null,
    ])
    const statuses = await Promise.all([...agents.values()].map((a) => a.status().catch(() => undefined)))
    settled = statuses.every((s) => s?.revision === revision && (s.epoch ?? null) === epoch)
    if (!settled) await sleep(500)
  }
  model.checks++
  if (!settled) {
    model.violations.push({
      at: Date.now(),
      agent: '*',
      rule: 'not-converged',
      detail: 'agents did not all reach the published revision after the faults stopped',
    })
    console.log(
      'VIOLATION the agents did not converge on the published revision and epoch after the last fault',
    )
  }

  const byVictim: Record<string, number> = {}
  for (const f of injector.faults)
    byVictim[f.victim.replace(/-\d+$|:.*/, '')] = (byVictim[f.victim.replace(/-\d+$|:.*/, '')] ?? 0) + 1
  const summary = {
    seed,
    seconds,
    agents: agentCount,
    faults: injector.faults.length,
    faultsByKind: byVictim,
    checks: model.checks,
    violations: model.violations,
    actions: day.actions,
    windows: model.windows().length,
    load: describeMachine().replace(/.*load average /, ''),
  }
  console.log(`faults injected: ${summary.faults} ${JSON.stringify(byVictim)}`)
  console.log(`actions: ${JSON.stringify(day.actions)}; windows: ${summary.windows}`)
  console.log(`checks: ${summary.checks}, violations: ${summary.violations.length} (seed ${seed})`)
  if (values.json) console.log(`SOAK-RESULT ${JSON.stringify(summary)}`)
  exitCode = summary.violations.length === 0 && summary.checks > 0 ? 0 : 1
} finally {
  redis.disconnect()
  await stack.stop()
}
process.exit(exitCode)
