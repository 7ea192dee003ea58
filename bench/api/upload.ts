/**
 * End-to-end weekly-list upload: a real API process (services/api/src/server.ts) on a real
 * redis-server, both on loopback, receives a 200 000-entry list and answers with per-entry
 * verdicts. The clock runs from the first byte sent to the last byte of the answer, so it covers
 * transfer, parsing (CSV streamed, or JSON), the guard on every entry, the atomic version swap
 * in Redis, the audit record and the answer. Target: ≤ 3 s.
 *
 * Entries come from documentation ranges only (2001:db8::/32 hosts and 203.0.113.0/24), which
 * the demo configuration relaxes in the guard, as the tests do.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { freePort, startRedis } from '@offside/testkit'
import { describeMachine } from '../core/lib/harness.js'

const ENTRIES = 200_000
const RUNS = Number(process.env.OFFSIDE_BENCH_RUNS ?? 5)
/**
 * The AOF fsync policy of the bench's Redis (OFFSIDE_BENCH_APPENDFSYNC=always|everysec|no).
 * Production runs `always` (docs/operations.md): run both to see what durability costs.
 */
const APPENDFSYNC = (process.env.OFFSIDE_BENCH_APPENDFSYNC ?? 'always') as 'always' | 'everysec' | 'no'
const TARGET_MS = 3000
const root = resolve(import.meta.dirname, '../..')
const evidence = `sha256:${'e'.repeat(64)}`

function entriesFor(run: number): string[] {
  const targets: string[] = []
  for (let i = 0; i < 256 && targets.length < ENTRIES; i++) targets.push(`203.0.113.${i}`)
  // A different /48 per run so each upload is a new list (an identical one is a no-op by design).
  for (let i = 0; targets.length < ENTRIES; i++)
    targets.push(`2001:db8:${run.toString(16)}:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}`)
  return targets
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('the API did not become healthy')
}

async function main(): Promise<void> {
  console.log(`machine: ${describeMachine()}`)
  console.log(`redis: appendonly yes, appendfsync ${APPENDFSYNC}`)
  const redis = await startRedis(undefined, { appendfsync: APPENDFSYNC })
  const port = await freePort()
  const admin = `adm_${randomBytes(16).toString('hex')}`
  const api = spawn(
    process.execPath,
    ['--conditions=@offside/source', '--import', 'tsx', join(root, 'services/api/src/server.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        OFFSIDE_REDIS_URL: redis.url,
        OFFSIDE_API_PORT: String(port),
        OFFSIDE_ADMIN_TOKEN: admin,
        OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation',
        OFFSIDE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHealth(url, api)
    const call = async (token: string, method: string, path: string, body: unknown) => {
      const response = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
      return (await response.json()) as Record<string, unknown>
    }
    await call(admin, 'POST', '/v1/orgs', { id: 'bench-rh', kind: 'rightsholder', name: 'Bench' })
    const token = (await call(admin, 'POST', '/v1/tokens', { org: 'bench-rh', role: 'rightsholder' }))
      .token as string
    await call(admin, 'PUT', '/v1/competitions/serie-a', { name: 'Serie A' })
    const now = new Date()
    const start = now.getUTCMonth() >= 6 ? now.getUTCFullYear() : now.getUTCFullYear() - 1
    await call(admin, 'PUT', '/v1/orders/bench', {
      rightsholder: 'bench-rh',
      competitions: ['serie-a'],
      season: `${start}-${String((start + 1) % 100).padStart(2, '0')}`,
      reference: 'BENCH',
    })

    const upload = async (run: number, format: 'csv' | 'json') => {
      const targets = entriesFor(run)
      const body =
        format === 'csv'
          ? `${targets.join('\n')}\n`
          : JSON.stringify({ entries: targets.map((target) => ({ target })), evidence })
      const query = format === 'csv' ? `?evidence=${evidence}` : ''
      const began = performance.now()
      const response = await fetch(`${url}/v1/lists/bench-rh/2026-W48${query}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': format === 'csv' ? 'text/csv' : 'application/json',
        },
        body,
      })
      const answer = (await response.json()) as { accepted?: number; detail?: string }
      const elapsed = performance.now() - began
      if (!response.ok || answer.accepted !== ENTRIES)
        throw new Error(`upload failed: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`)
      return { elapsed, bytes: body.length }
    }

    let run = 0
    for (const format of ['csv', 'json'] as const) {
      await upload(run++, format) // warm-up
      const times: number[] = []
      let bytes = 0
      for (let i = 0; i < RUNS; i++) {
        const result = await upload(run++, format)
        times.push(result.elapsed)
        bytes = result.bytes
      }
      times.sort((a, b) => a - b)
      const median = times[Math.floor(times.length / 2)]!
      const worst = times.at(-1)!
      console.log(
        `PUT ${ENTRIES} entries as ${format.toUpperCase()} (${(bytes / 2 ** 20).toFixed(1)} MiB), end to end: median ${median.toFixed(0)} ms, worst ${worst.toFixed(0)} ms over ${RUNS} runs — target ≤ ${TARGET_MS} ms: ${median <= TARGET_MS ? 'met' : 'NOT met'}`,
      )
    }
  } finally {
    api.kill('SIGTERM')
    await new Promise((r) => api.once('exit', r))
    await redis.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
