import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedis } from '@offside/testkit'
import { Redis } from 'ioredis'
import t from 'tap'
import { aclFileText, type RedisUser, withRedisUser } from '../src/acl.js'
import { createKeys } from '../src/keys.js'

const prefix = 'acl-test:'
const keys = createKeys(prefix)

async function setUp(t: { teardown(fn: () => unknown): void }) {
  const passwords = Object.fromEntries(
    ['api', 'scheduler', 'gateway', 'dashboard', 'notifier', 'admin'].map((user) => [
      user,
      randomBytes(18).toString('base64url'),
    ]),
  ) as Record<RedisUser, string>
  const file = join(tmpdir(), `offside-acl-${randomBytes(6).toString('hex')}.acl`)
  await writeFile(file, aclFileText(prefix, passwords), { mode: 0o600 })
  const server = await startRedis(t, { args: ['--aclfile', file] })
  const clients: Redis[] = []
  t.teardown(() => {
    for (const client of clients) client.disconnect()
  })
  const as = (user: RedisUser) => {
    const client = new Redis(withRedisUser(server.url, user, passwords[user]), { maxRetriesPerRequest: 1 })
    clients.push(client)
    return client
  }
  return { server, as, passwords }
}

const refused = (promise: Promise<unknown>) =>
  promise.then(
    () => 'allowed',
    (err: Error) => err.message.split(' ')[0] ?? err.message,
  )

t.test('without a user and password Redis answers nothing: the default user is off', async (t) => {
  const { server } = await setUp(t)
  const anonymous = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true })
  t.teardown(() => anonymous.disconnect())
  await anonymous.connect().catch(() => undefined)
  t.equal(await refused(anonymous.get(keys.tokens)), 'NOAUTH', 'no command without signing in')
  const wrong = new Redis(withRedisUser(server.url, 'api', 'not-the-password'), {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  wrong.on('error', () => undefined)
  t.teardown(() => wrong.disconnect())
  t.not(await refused(wrong.get(keys.tokens)), 'allowed', 'a wrong password signs nobody in')
})

t.test('the gateway records agents and acks but cannot write lists, revisions or tokens', async (t) => {
  const { as } = await setUp(t)
  const gateway = as('gateway')
  t.equal(
    await refused(gateway.hset(keys.agents.agent('isp-a/a1'), 'lastRevision', '3')),
    'allowed',
    'agent record',
  )
  t.equal(await refused(gateway.zadd(keys.agents.acks('isp-a/a1'), 3, '{}')), 'allowed', 'acks')
  t.equal(await refused(gateway.hget(keys.tokenHashes, 'x')), 'allowed', 'reads tokens to sign agents in')
  t.equal(await refused(gateway.xrange(keys.revisions.stream, '-', '+')), 'allowed', 'reads revisions')
  t.equal(await refused(gateway.set(keys.list('sky-it', '2026-W48'), 'x')), 'NOPERM', 'no list write')
  t.equal(await refused(gateway.rpush(`${prefix}anything`, 'x')), 'NOPERM', 'no list (RPUSH) anywhere')
  t.equal(await refused(gateway.xadd(keys.revisions.stream, '*', 'r', '1')), 'NOPERM', 'no forged revision')
  t.equal(await refused(gateway.hset(keys.tokens, 'x', '{}')), 'NOPERM', 'no token written')
})

t.test('the dashboard only reads: every write is refused', async (t) => {
  const { as } = await setUp(t)
  const dashboard = as('dashboard')
  t.equal(await refused(dashboard.hgetall(keys.orders)), 'allowed', 'reads orders')
  for (const [what, write] of [
    ['a list', () => dashboard.rpush(`${prefix}x`, 'y')],
    ['an agent', () => dashboard.hset(keys.agents.agent('isp-a/a1'), 'x', '1')],
    ['the audit', () => dashboard.set(keys.auditHead, '1 x')],
    ['a removal from the agent index', () => dashboard.srem(keys.agents.index, 'x')],
  ] as const)
    t.equal(await refused(write()), 'NOPERM', `cannot write ${what}`)
})

t.test('the scheduler publishes revisions but cannot change lists, orders or tokens', async (t) => {
  const { as } = await setUp(t)
  const scheduler = as('scheduler')
  t.equal(await refused(scheduler.xadd(keys.revisions.stream, '1-0', 'r', '1')), 'allowed', 'revisions')
  t.equal(await refused(scheduler.set(keys.breakerPending, 'h1')), 'allowed', 'breaker holds')
  t.equal(await refused(scheduler.zadd(keys.auditCheckpoints, 1, '{}')), 'allowed', 'audit checkpoints')
  t.equal(await refused(scheduler.hset(keys.orders, 'o1', '{}')), 'NOPERM', 'no order')
  t.equal(await refused(scheduler.hset(keys.tokenHashes, 'h', 't')), 'NOPERM', 'no token')
})

t.test('the notifier writes the outbox and its queue only', async (t) => {
  const { as } = await setUp(t)
  const notifier = as('notifier')
  t.equal(await refused(notifier.hset(keys.notices, 'n1', '{}')), 'allowed', 'notices')
  t.equal(await refused(notifier.hset(`${prefix}bull:notify:1`, 'x', '1')), 'allowed', 'its queue')
  t.equal(await refused(notifier.hset(`${prefix}bull:recompute:1`, 'x', '1')), 'NOPERM', 'not another queue')
  t.equal(await refused(notifier.hset(keys.parties, 'p1', '{}')), 'NOPERM', 'no party')
  t.equal(
    await refused(notifier.hsetnx(keys.hostingNotices, '2026-W48:64500', 'n1')),
    'allowed',
    'hosting claims',
  )
})

t.test('no service reaches keys of another prefix or dangerous commands; the admin does', async (t) => {
  const { as } = await setUp(t)
  for (const user of ['api', 'scheduler', 'gateway', 'dashboard', 'notifier'] as const) {
    const client = as(user)
    t.equal(await refused(client.get('other-tenant:tokens')), 'NOPERM', `${user}: no other prefix`)
    t.equal(await refused(client.flushall()), 'NOPERM', `${user}: no FLUSHALL`)
    t.equal(await refused(client.config('SET', 'appendonly', 'no')), 'NOPERM', `${user}: no CONFIG`)
    t.equal(await refused(client.keys('*')), 'NOPERM', `${user}: no KEYS`)
    t.equal(await refused(client.info('server')), 'allowed', `${user}: INFO (ioredis and BullMQ check it)`)
  }
  t.equal(await refused(as('api').hset(keys.tokens, 'x', '{}')), 'allowed', 'the API writes any aggregate')
  t.equal(await refused(as('admin').config('GET', 'appendonly')), 'allowed', 'the admin may configure')
})
