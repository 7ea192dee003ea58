import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ApiConfig, buildApp, testConfig } from '@offside/api'
import { activeAt, computeGroups, diffGroups, liveWindows } from '@offside/core'
import { createDb, loadStateInputs, publishRevision, readSnapshot } from '@offside/store'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import { runCli } from '../src/program.js'

export const ADMIN = 'cli-test-admin-token-0123456789'
export const EVIDENCE = `sha256:${'cd'.repeat(32)}`

export type Test = { teardown(fn: () => unknown): void }

/** A real API on a loopback port over a real Redis, and a way to run the CLI against it. */
export async function setUp(t: Test, overrides: Partial<ApiConfig> = {}) {
  const server = await startRedis(t)
  const redis = new Redis(server.url)
  const config = testConfig({ redisUrl: server.url, adminToken: ADMIN, ...overrides })
  const app = await buildApp({ config, redis, logger: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => {
    await app.close()
    redis.disconnect()
  })
  const address = app.server.address()
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const dir = await mkdtemp(join(tmpdir(), 'offside-cli-'))
  const run = async (args: string[], env: Record<string, string> = {}) => {
    let out = ''
    let err = ''
    const code = await runCli(args, {
      env: { OFFSIDE_API_URL: apiUrl, OFFSIDE_TOKEN: ADMIN, ...env },
      cwd: dir,
      out: (text) => {
        out += `${text}\n`
      },
      err: (text) => {
        err += `${text}\n`
      },
    })
    return { code, out, err }
  }
  /**
   * Publishes what the stored inputs justify now, as the scheduler would: the API reports what was
   * published to agents, and no scheduler runs here.
   */
  const publish = async () => {
    const db = createDb(redis, config.keyPrefix)
    const now = Date.now()
    const inputs = await loadStateInputs(db, now, { graceMs: config.graceMs })
    const groups = computeGroups(inputs, 36 * 3600_000)
    const snapshot = await readSnapshot(db)
    const result = await publishRevision(db, {
      previous: snapshot.revision,
      issuedAt: now,
      cause: { kind: 'catch-up', requestedAt: now, reason: 'cli test' },
      ops: diffGroups(snapshot.groups, groups),
      groups,
      live: liveWindows(inputs),
      enforcedCount: activeAt(groups, now).length,
    })
    if (result.status !== 'published') throw new Error(`publishing: ${result.status}`)
  }
  return { run, dir, apiUrl, publish, redis, db: createDb(redis, config.keyPrefix) }
}
