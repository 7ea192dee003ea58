/**
 * The API's own time for a change and for a question about one target right after a change (issue
 * 13, target 1: "the API call itself answers in ≤ 20 ms"), with three rightsholders' 100k-entry
 * lists live and published: a 1-entry hot addition (`POST /v1/lists/:rightsholder/:week/entries`),
 * an upheld complaint's decision and the public look-up of one address (both read only the state
 * near their target, `liveStateNear`). Each run publishes a revision after the hot addition and
 * after the decision (the scheduler's `recompute`, in this process), so every call meets a new
 * revision and a new generation of the stored inputs: no cached state helps. `--whole` also times
 * `GET /v1/state` (explains every entry: what a complaint decision did before); `--cpu-prof DIR`
 * writes the API process's V8 profile there.
 *
 *   node --conditions=@offside/source --import tsx bench/api/complaint.ts [--runs 20] [--whole] [--cpu-prof DIR]
 *
 * A real API process on a real `redis-server`, both on loopback; entries in 198.18.0.0/15 and
 * 2001:db8::/32.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { isoWeekKey } from '@offside/core'
import { recompute } from '@offside/scheduler/recompute'
import { createDb } from '@offside/store'
import { freePort, startRedis, waitForHttp } from '@offside/testkit'
import { Redis } from 'ioredis'
import { describeMachine } from '../core/lib/harness.js'
import { competition, putBenchMatches, putBenchOrder, uploadList } from '../scheduler/lib/fixtures.js'
import { listEntries } from '../scheduler/lib/lists.js'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    whole: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
})
const RUNS = Number(args.runs)
const TARGET_MS = 20
const RIGHTSHOLDERS = ['sky-it', 'dazn-it', 'lega-it'] as const
const SHAPES = ['v4-clustered', 'v4-scattered', 'v6-scattered'] as const
const EVIDENCE = `sha256:${'ab'.repeat(32)}`
const root = resolve(import.meta.dirname, '../..')

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * q) - 1)] ?? 0
const row = (name: string, ms: number[]) =>
  `${name.padEnd(46)} p50 ${quantile(ms, 0.5).toFixed(1).padStart(8)} ms   p99 ${quantile(ms, 0.99)
    .toFixed(1)
    .padStart(8)} ms   max ${Math.max(...ms)
    .toFixed(1)
    .padStart(8)} ms`
const verdict = (name: string, ms: number[]) => {
  const p99 = quantile(ms, 0.99)
  return `${name}: p99 ${p99.toFixed(1)} ms, target ≤ ${TARGET_MS} ms ${p99 <= TARGET_MS ? 'met' : 'missed'}`
}

console.log(`machine: ${describeMachine()}`)
const server = await startRedis()
const redis = new Redis(server.url)
const db = createDb(redis)
const port = await freePort()
const admin = `adm_${randomBytes(16).toString('hex')}`
let api: ChildProcess | undefined
try {
  const now = Date.now()
  const kickoff = now + 5 * 60_000 // windows open 15 min before: live now
  const week = isoWeekKey(kickoff, competition.timeZone)
  await putBenchMatches(db, ['m1'], kickoff)
  const lists = SHAPES.map((shape) => listEntries(shape, 100_000, 0))
  for (const [i, rightsholder] of RIGHTSHOLDERS.entries()) {
    await putBenchOrder(db, `o-${rightsholder}`, rightsholder, kickoff, now)
    await uploadList(db, rightsholder, week, lists[i]!, 'v1')
  }
  const settings = { horizonMs: 36 * 3600_000, graceMs: 60_000, revisionHistory: 10_000 }
  const publish = (cause: Parameters<typeof recompute>[1]['cause']) => recompute(db, { cause }, settings)
  await publish({ kind: 'list-upload', requestedAt: Date.now() })
  console.log('3 × 100k lists live and published')

  const profile = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof'])] : []
  api = spawn(
    process.execPath,
    [...profile, '--conditions=@offside/source', '--import', 'tsx', join(root, 'services/api/src/server.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        OFFSIDE_REDIS_URL: server.url,
        OFFSIDE_API_PORT: String(port),
        OFFSIDE_ADMIN_TOKEN: admin,
        OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation,benchmarking',
        OFFSIDE_LOG_LEVEL: 'warn',
        OFFSIDE_API_PUBLIC_RATE_LIMIT: '100000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(`${url}/readyz`, api, 'api', 120_000)
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const start = performance.now()
    const response = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    const text = await response.text()
    const ms = performance.now() - start
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`)
    return { ms, body: JSON.parse(text) }
  }
  await call(admin, 'POST', '/v1/orgs', { id: 'sky-it', kind: 'rightsholder', name: 'Sky Italia' })
  const skyIt = (await call(admin, 'POST', '/v1/tokens', { org: 'sky-it', role: 'rightsholder' })).body
    .token as string

  const whole: number[] = []
  const hotAddition: number[] = []
  const decision: number[] = []
  const lookUp: number[] = []
  const scattered = lists[1]!
  for (let run = -2; run < RUNS; run++) {
    const tag = (run + 3).toString(16)
    if (args.whole) {
      await publish({ kind: 'hot-addition', requestedAt: Date.now() })
      const state = await call(admin, 'GET', '/v1/state')
      if (run >= 0) whole.push(state.ms)
    }
    const added = await call(skyIt, 'POST', `/v1/lists/sky-it/${week}/entries`, {
      entries: [{ target: `2001:db8:ffff:${tag}::1`, evidence: EVIDENCE }],
    })
    if (added.body.accepted !== 1) throw new Error(`the hot addition: ${JSON.stringify(added.body)}`)
    await publish({ kind: 'hot-addition', requestedAt: Date.now() })
    const filed = await call('', 'POST', '/v1/complaints', {
      target: scattered[(run + 2) * 997]!.replace('/32', ''),
      contact: 'noc@isp.example',
      reason: 'bench',
    })
    const decided = await call(admin, 'POST', `/v1/complaints/${filed.body.id}/decision`, {
      outcome: 'revoke',
      reason: 'bench',
    })
    if (decided.body.liftsTotal < 1)
      throw new Error(`the decision lifted nothing: ${JSON.stringify(decided.body)}`)
    await publish({ kind: 'complaint-upheld', requestedAt: Date.now() })
    const looked = await call(
      '',
      'GET',
      `/v1/public/lookup?target=${scattered[(run + 2) * 991 + 500]!.replace('/32', '')}`,
    )
    if (!looked.body.blocked) throw new Error('a listed address is not blocked')
    if (run < 0) continue
    hotAddition.push(added.ms)
    decision.push(decided.ms)
    lookUp.push(looked.ms)
  }
  console.log(`machine after: ${describeMachine()}`)
  console.log(`each after a newly published revision, ${RUNS} runs after 2 warm-ups:`)
  if (args.whole) console.log(row('GET /v1/state (explains every entry)', whole))
  console.log(row('hot addition, 1 entry', hotAddition))
  console.log(row('complaint decision (revoke, near its target)', decision))
  console.log(row('public look-up of one address (near it)', lookUp))
  console.log(verdict('hot addition', hotAddition))
  console.log(verdict('complaint decision', decision))
} finally {
  api?.kill('SIGTERM')
  await new Promise((done) => (api && api.exitCode === null ? api.once('exit', done) : done(null)))
  await redis.quit()
  await server.stop()
}
