import { activeAt, computeGroups, diffGroups, type EnforcementGroup, liveWindows } from '@offside/core'
import { loadStateInputs, publishRevision, readSnapshot } from '@offside/store'
import { startRedis } from '@offside/testkit'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import { buildApp } from '../src/app.js'
import { type ApiConfig, testConfig } from '../src/config.js'
// Brings in the `app.db` declaration (the tests type-check against the built declarations).
import type {} from '../src/plugins/db.js'

export const ADMIN = 'test-admin-token-0123456789'

/** The evidence hash tests attach to list entries. */
export const EVIDENCE = `sha256:${'ab'.repeat(32)}`

interface Teardown {
  teardown(fn: () => unknown): void
}

export interface TestApi {
  app: FastifyInstance
  redis: Redis
  config: ApiConfig
  /** inject with a bearer token (or none). */
  call(token: string | null, options: InjectOptions): Promise<LightMyRequestResponse>
}

/** A real redis-server and an API instance on it, both closed when the test ends. */
export async function build(t: Teardown, overrides: Partial<ApiConfig> = {}): Promise<TestApi> {
  const server = await startRedis(t)
  const config = testConfig({ redisUrl: server.url, adminToken: ADMIN, ...overrides })
  const redis = new Redis(server.url)
  const app = await buildApp({ config, redis, logger: false })
  t.teardown(async () => {
    await app.close()
    redis.disconnect()
  })
  await app.ready()
  const call = (token: string | null, options: InjectOptions): Promise<LightMyRequestResponse> =>
    app.inject({
      ...options,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.headers ?? {}) },
    })
  return { app, redis, config, call }
}

/** Creates an organisation and one token for it; returns the token. */
export async function orgWithToken(
  api: TestApi,
  id: string,
  kind: 'authority' | 'rightsholder' | 'isp' | 'ops',
): Promise<string> {
  const org = await api.call(ADMIN, { method: 'POST', url: '/v1/orgs', payload: { id, kind, name: id } })
  if (org.statusCode !== 201) throw new Error(`creating org ${id}: ${org.statusCode} ${org.body}`)
  const token = await api.call(ADMIN, { method: 'POST', url: '/v1/tokens', payload: { org: id, role: kind } })
  if (token.statusCode !== 201) throw new Error(`creating token for ${id}: ${token.statusCode} ${token.body}`)
  return token.json().token as string
}

/** One token per role: a rightsholder "sky-it", an ISP, ops, and a second rightsholder "dazn". */
export async function actors(api: TestApi) {
  return {
    authority: ADMIN,
    rightsholder: await orgWithToken(api, 'sky-it', 'rightsholder'),
    other: await orgWithToken(api, 'dazn', 'rightsholder'),
    isp: await orgWithToken(api, 'isp-a', 'isp'),
    ops: await orgWithToken(api, 'ops-tf', 'ops'),
  }
}

/** ISO week key of an instant in Europe/Rome, computed independently of core. */
export function weekOf(instant: number): string {
  const dateParts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Rome',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(instant))
  const parts = Object.fromEntries(dateParts.map((part) => [part.type, part.value]))
  const date = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)))
  const day = date.getUTCDay() || 7
  date.setUTCDate(date.getUTCDate() + 4 - day)
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7)
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

/** The season key ("2026-27") for an instant, with the default 1 July start. */
export function seasonOf(instant: number): string {
  const date = new Date(instant)
  const year = date.getUTCMonth() >= 6 ? date.getUTCFullYear() : date.getUTCFullYear() - 1
  return `${year}-${String((year + 1) % 100).padStart(2, '0')}`
}

/**
 * A competition, an order for sky-it and a match that is live now (kickoff a minute ago), so
 * uploaded entries are enforced at once.
 */
export async function liveMatch(
  api: TestApi,
  options: { event?: string; order?: string; rightsholder?: string } = {},
) {
  const now = Date.now()
  const competition = await api.call(ADMIN, {
    method: 'PUT',
    url: '/v1/competitions/serie-a',
    payload: { name: 'Serie A', timeZone: 'Europe/Rome', preMinutes: 15, postMinutes: 30 },
  })
  if (competition.statusCode !== 200) throw new Error(`competition: ${competition.body}`)
  const event = options.event ?? 'm1'
  const put = await api.call(ADMIN, {
    method: 'PUT',
    url: `/v1/events/${event}`,
    payload: {
      competition: 'serie-a',
      kickoff: new Date(now - 60_000).toISOString(),
      end: new Date(now + 2 * 3600_000).toISOString(),
    },
  })
  if (put.statusCode !== 200) throw new Error(`event: ${put.body}`)
  const order = options.order ?? 'o1'
  const issued = await api.call(ADMIN, {
    method: 'PUT',
    url: `/v1/orders/${order}`,
    payload: {
      rightsholder: options.rightsholder ?? 'sky-it',
      competitions: ['serie-a'],
      season: seasonOf(now),
      reference: '123/26/DDA',
    },
  })
  if (issued.statusCode !== 200) throw new Error(`order: ${issued.body}`)
  return { week: weekOf(now - 60_000), event, order }
}

/**
 * What most list tests start from: a fresh API, a token per role ({@link actors}) and a match
 * live now ({@link liveMatch}); `week` is the live week's key.
 */
export async function withLiveMatch(t: Teardown, overrides: Partial<ApiConfig> = {}) {
  const api = await build(t, overrides)
  const tokens = await actors(api)
  const { week } = await liveMatch(api)
  return { api, tokens, week }
}

/** What agents enforce once the scheduler has published the change: the prefixes, sorted. */
export async function enforced(api: TestApi): Promise<string[]> {
  await publish(api)
  const response = await api.call(ADMIN, { method: 'GET', url: '/v1/state/entries?limit=100000' })
  return (response.json().entries as { prefix: string }[]).map((entry) => entry.prefix).sort()
}

/** A problem+json body's essentials, for assertions. */
export function problemOf(response: {
  statusCode: number
  headers: Record<string, unknown>
  json(): unknown
}) {
  return {
    status: response.statusCode,
    type: String(response.headers['content-type']),
    body: response.json() as Record<string, unknown>,
  }
}

/**
 * Asserts that an answer is an application/problem+json with this status and code: a test that
 * expects a refusal names which refusal (the code), not just its HTTP status.
 */
export function expectProblem(
  t: Test,
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
  message: string,
): void {
  t.equal(response.statusCode, status, message)
  t.match(problemOf(response), { type: /application\/problem\+json/, body: { code } }, `${message}: ${code}`)
}

/**
 * Publishes a revision as the scheduler does: the groups the stored inputs justify now (staged
 * 36 h ahead), or `groups` when given (e.g. what a circuit breaker let through). No scheduler runs
 * in API tests, so what the API reports as enforced changes only when a test publishes.
 */
export async function publish(api: TestApi, groups?: EnforcementGroup[]): Promise<number> {
  const now = Date.now()
  const inputs = await loadStateInputs(api.app.db, now, { graceMs: api.config.graceMs })
  const next = groups ?? computeGroups(inputs, 36 * 3600_000)
  const snapshot = await readSnapshot(api.app.db)
  const result = await publishRevision(api.app.db, {
    previous: snapshot.revision,
    issuedAt: now,
    cause: { kind: 'catch-up', requestedAt: now, reason: 'test' },
    ops: diffGroups(snapshot.groups, next),
    groups: next,
    live: liveWindows(inputs),
    enforcedCount: activeAt(next, now).length,
  })
  if (result.status !== 'published') throw new Error(`publishing: ${result.status}`)
  return result.record.revision
}
