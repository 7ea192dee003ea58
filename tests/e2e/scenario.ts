/**
 * What every end-to-end scenario shares on top of testkit's `startStack`: the fast timings that
 * let a window open and close within a test, and the calendar, orders and lists most
 * scenarios start from. Set OFFSIDE_STACK_KEEP=1 to keep the processes' logs.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aclFileText, DEFAULT_KEY_PREFIX, type RedisUser, withRedisUser } from '@offside/store'
import { orgWithToken, type Stack, type StackOptions } from '@offside/testkit'

/** The services' timings in a scenario: `graceMs` of grace, a 1 s scheduler tick and gateway heartbeat. */
export function e2eEnv(graceMs = 1000): Record<string, string> {
  return {
    OFFSIDE_GRACE_MS: String(graceMs),
    OFFSIDE_GRACE_SECONDS: String(graceMs / 1000),
    OFFSIDE_SCHEDULER_TICK_MS: '1000',
    OFFSIDE_GATEWAY_HEARTBEAT_MS: '1000',
  }
}

/**
 * Stack options for a Redis with the ACL users of packages/store/src/acl.ts (the default user
 * off): each service signs in as its own user, and the stack's `redisUrl` is the admin's.
 */
export async function aclRedis(t: {
  teardown(fn: () => unknown): void
}): Promise<Pick<StackOptions, 'redisOptions' | 'redisUrlFor'>> {
  const dir = await mkdtemp(join(tmpdir(), 'offside-acl-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const users: RedisUser[] = ['api', 'scheduler', 'gateway', 'dashboard', 'notifier', 'admin']
  const passwords = Object.fromEntries(
    users.map((user) => [user, randomBytes(18).toString('base64url')]),
  ) as Record<RedisUser, string>
  const aclFile = join(dir, 'users.acl')
  await writeFile(aclFile, aclFileText(DEFAULT_KEY_PREFIX, passwords), { mode: 0o600 })
  return {
    redisOptions: { args: ['--aclfile', aclFile] },
    // The portal reads the API, never Redis: it keeps the plain URL.
    redisUrlFor: (user, url) =>
      user in passwords ? withRedisUser(url, user, passwords[user as RedisUser]) : url,
  }
}

/** Season key ("2026-27") of an instant, seasons starting 1 July (UTC is close enough here). */
export function seasonOf(instant: number): string {
  const date = new Date(instant)
  const year = date.getUTCMonth() >= 6 ? date.getUTCFullYear() : date.getUTCFullYear() - 1
  return `${year}-${String((year + 1) % 100).padStart(2, '0')}`
}

/** ISO week key ("2026-W48") of an instant in UTC. */
export function weekOf(instant: number): string {
  const date = new Date(instant)
  const day = date.getUTCDay() || 7
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 4 - day))
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((thursday.getTime() - yearStart) / 86_400_000 + 1) / 7)
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

/** Checks an API answer, with the body in the message when it fails. */
export function expectStatus(res: { status: number; body: unknown }, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`)
}

/**
 * The calendar and orders every scenario needs: competition "serie-a" in UTC with no pre/post
 * minutes (a window is exactly [kickoff, end]), rightsholder "sky-it" with order "o1", ISP "isp-a".
 */
export async function baseData(stack: Stack, now: number) {
  const sky = await orgWithToken(stack.api, 'sky-it', 'rightsholder')
  const isp = await orgWithToken(stack.api, 'isp-a', 'isp')
  expectStatus(
    await stack.api.request('PUT', '/v1/competitions/serie-a', {
      name: 'Serie A',
      timeZone: 'UTC',
      preMinutes: 0,
      postMinutes: 0,
    }),
    200,
    'competition',
  )
  expectStatus(
    await stack.api.request('PUT', '/v1/orders/o1', {
      rightsholder: 'sky-it',
      competitions: ['serie-a'],
      season: seasonOf(now),
      reference: '123/26/DDA',
    }),
    200,
    'order',
  )
  return { sky, isp }
}

/** Puts an event with kickoff and end as instants. */
export async function putEvent(stack: Stack, id: string, kickoff: number, end: number, status?: string) {
  const res = await stack.api.request('PUT', `/v1/events/${id}`, {
    competition: 'serie-a',
    kickoff: new Date(kickoff).toISOString(),
    end: new Date(end).toISOString(),
    ...(status ? { status } : {}),
  })
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`event ${id}: ${res.status} ${JSON.stringify(res.body)}`)
}

/** Uploads a weekly list for the week of `instant`. */
export async function putList(
  stack: Stack,
  token: string,
  rightsholder: string,
  instant: number,
  targets: string[],
) {
  const res = await stack.api.as(token).request('PUT', `/v1/lists/${rightsholder}/${weekOf(instant)}`, {
    entries: targets.map((target) => ({ target, evidence: `sha256:${'ab'.repeat(32)}` })),
  })
  expectStatus(res, 200, 'list upload')
  if (res.body.accepted !== targets.length) throw new Error(`list not accepted: ${JSON.stringify(res.body)}`)
}
