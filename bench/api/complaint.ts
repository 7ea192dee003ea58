/**
 * The API's own time for a question about one target right after a change (issue 13, target 1:
 * "the API call itself answers in ≤ 20 ms"), with three rightsholders' 100k-entry lists live: an
 * upheld complaint's decision and the public look-up of one address read only the state near their
 * target (`liveStateNear`), where `GET /v1/state` still explains every entry (the whole state, what
 * the decision used before). Each run first makes a 1-entry hot addition, so no cached state helps.
 *
 *   node --conditions=@offside/source --import tsx bench/api/complaint.ts [--runs 7]
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
import {
  addBenchHotEntries,
  competition,
  putBenchMatches,
  putBenchOrder,
  uploadList,
} from '../scheduler/lib/fixtures.js'
import { listEntries } from '../scheduler/lib/lists.js'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '7' } } })
const RUNS = Number(args.runs)
const TARGET_MS = 20
const RIGHTSHOLDERS = ['sky-it', 'dazn-it', 'lega-it'] as const
const SHAPES = ['v4-clustered', 'v4-scattered', 'v6-scattered'] as const
const root = resolve(import.meta.dirname, '../..')

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ?? 0
const row = (name: string, ms: number[]) =>
  `${name.padEnd(44)} p50 ${quantile(ms, 0.5).toFixed(1).padStart(8)} ms   max ${Math.max(...ms)
    .toFixed(1)
    .padStart(8)} ms`

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
  await recompute(db, { cause: { kind: 'list-upload', requestedAt: Date.now() } }, settings)
  console.log('3 × 100k lists live and published')

  api = spawn(
    process.execPath,
    ['--conditions=@offside/source', '--import', 'tsx', join(root, 'services/api/src/server.ts')],
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
  const call = async (method: string, path: string, body?: unknown) => {
    const start = performance.now()
    const response = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    const text = await response.text()
    const ms = performance.now() - start
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`)
    return { ms, body: JSON.parse(text) }
  }

  const whole: number[] = []
  const decision: number[] = []
  const lookUp: number[] = []
  const scattered = lists[1]!
  for (let run = -1; run < RUNS; run++) {
    const target = scattered[(run + 1) * 997]!.replace('/32', '')
    await addBenchHotEntries(db, week, [`2001:db8:ffff:${(run + 2).toString(16)}::1/128`])
    const state = await call('GET', '/v1/state')
    await addBenchHotEntries(db, week, [`2001:db8:fffe:${(run + 2).toString(16)}::1/128`])
    const filed = await call('POST', '/v1/complaints', {
      target,
      contact: 'noc@isp.example',
      reason: 'bench',
    })
    const decided = await call('POST', `/v1/complaints/${filed.body.id}/decision`, {
      outcome: 'revoke',
      reason: 'bench',
    })
    if (decided.body.liftsTotal < 1)
      throw new Error(`the decision lifted nothing: ${JSON.stringify(decided.body)}`)
    await addBenchHotEntries(db, week, [`2001:db8:fffd:${(run + 2).toString(16)}::1/128`])
    const looked = await call(
      'GET',
      `/v1/public/lookup?target=${scattered[(run + 1) * 991]!.replace('/32', '')}`,
    )
    if (!looked.body.blocked) throw new Error('a listed address is not blocked')
    if (run < 0) continue
    whole.push(state.ms)
    decision.push(decided.ms)
    lookUp.push(looked.ms)
  }
  console.log(`after a 1-entry hot addition, ${RUNS} runs after a warm-up:`)
  console.log(row('GET /v1/state (explains every entry)', whole))
  console.log(row('complaint decision (revoke, near its target)', decision))
  console.log(row('public look-up of one address (near it)', lookUp))
  const p50 = quantile(decision, 0.5)
  console.log(
    `decision vs whole state: ${(quantile(whole, 0.5) / p50).toFixed(0)}× faster; target ≤ ${TARGET_MS} ms: ${p50 <= TARGET_MS ? 'met' : 'missed'}`,
  )
} finally {
  api?.kill('SIGTERM')
  await redis.quit()
  await server.stop()
}
