/**
 * Redis ACL users, one per service, with least privilege (issue #11 point 4: Redis is not the
 * root of trust). One table says what each service may write; {@link aclFor} turns it into ACL
 * rules for a deployment's key prefix, used by the demo (an ACL file for its own redis-server),
 * `deploy/` (the same lines, generated with `./scripts/offside-acl`) and the tests.
 *
 * Every service may read the deployment's keys (`%R~<prefix>*`, Redis 7 read-only key
 * permission) and write only the keys of the aggregates it owns; nothing outside the prefix.
 * Commands: everything but `@dangerous` (no FLUSHALL, KEYS, CONFIG, DEBUG, MONITOR, ACL,
 * SHUTDOWN…), plus INFO (ioredis's ready check, BullMQ's version check) and ROLE (ioredis checks
 * a Sentinel-named primary with it). The portal and the CLI hold no Redis user at all: they talk
 * to the API. The `default` user is switched off.
 */
import { createHash } from 'node:crypto'
import { createKeys, type Keys } from './keys.js'
import { bullPrefix, type QueueName } from './queues.js'

/**
 * The services that connect to Redis, the operator's own user, and the two a replicated
 * deployment needs: replicas syncing from the primary, Sentinels watching and failing over.
 */
export type RedisUser =
  | 'api'
  | 'scheduler'
  | 'gateway'
  | 'dashboard'
  | 'notifier'
  | 'admin'
  | 'replica'
  | 'sentinel'

export const REDIS_USERS: readonly RedisUser[] = [
  'api',
  'scheduler',
  'gateway',
  'dashboard',
  'notifier',
  'admin',
  'replica',
  'sentinel',
]

type ServiceUser = Exclude<RedisUser, 'admin' | 'replica' | 'sentinel'>

export const SERVICE_USERS: readonly ServiceUser[] = ['api', 'scheduler', 'gateway', 'dashboard', 'notifier']

/** What one service may write, as key patterns built from keys.ts, and which queues it uses. */
interface Rights {
  writes: (keys: Keys) => string[]
  queues: readonly QueueName[]
  why: string
}

const auditKeys = (keys: Keys) => [keys.audit, keys.auditHead]
/** Written before WAIT on a replicated deployment (connection.ts). */
const durability = (keys: Keys) => [keys.replicationMark]

const RIGHTS: Record<ServiceUser, Rights> = {
  api: {
    writes: (keys) => [`${keys.prefix}*`],
    queues: [], // its pattern covers BullMQ's keys too
    why: 'every actor changes orders, lists, the guard, complaints, tokens and the audit through it',
  },
  scheduler: {
    writes: (keys) => [
      keys.revisions.counter,
      keys.revisions.stream,
      keys.revisions.snapshot,
      keys.revisions.instants,
      keys.revisions.epoch,
      keys.revisions.claims,
      keys.breakerHolds,
      keys.breakerProposals,
      keys.breakerPending,
      keys.breakerDecided,
      keys.agents.revisions,
      keys.agents.times,
      keys.auditCheckpoints,
      ...auditKeys(keys),
      ...durability(keys),
    ],
    queues: ['recompute', 'timeline'],
    why: 'publishes revisions, files breaker holds, signs audit checkpoints; never lists or tokens',
  },
  gateway: {
    writes: (keys) => [
      keys.revisions.claims, // agents holding revisions the store lost (history.ts); never revisions
      keys.agents.index,
      keys.agents.agent('*'),
      keys.agents.alive('*'),
      keys.agents.acks('*'),
      keys.agents.connections('*'),
      ...auditKeys(keys),
      ...durability(keys),
    ],
    queues: [],
    why: 'records agents, their connections and acknowledgements; never revisions, lists or tokens',
  },
  dashboard: {
    writes: () => [],
    queues: [],
    why: 'reads only',
  },
  notifier: {
    writes: (keys) => [keys.notices, keys.hostingNotices, ...auditKeys(keys), ...durability(keys)],
    queues: ['notify'],
    why: 'delivers the outbox and records receipts; files the weekly hosting notices (once per ASN and week); never parties or orders',
  },
}

/** Glob characters in a key prefix must not widen a pattern (`[`, `*`, `?`, `\`). */
function literal(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/** SHA-256 of a password, as ACL rules take it (`#<hex>`): the ACL file never holds a password. */
export function aclPasswordHash(password: string): string {
  return createHash('sha256').update(password).digest('hex')
}

const COMMANDS = ['+@all', '-@dangerous', '+info', '+role']

/**
 * The ACL rules of each user for a deployment's key prefix, as `ACL SETUSER <user> <rules…>`
 * takes them (and an ACL file as `user <user> <rules…>`, {@link aclFileText}). `passwords` holds
 * each user's password; only its SHA-256 goes into the rules.
 */
export function aclFor(
  prefix: string,
  passwords: Record<RedisUser, string>,
): { user: string; rules: string[] }[] {
  const keys = createKeys(prefix)
  const pattern = (key: string) => literal(keys.prefix) + key.slice(keys.prefix.length)
  const users: { user: string; rules: string[] }[] = [{ user: 'default', rules: ['reset', 'off'] }]
  for (const user of SERVICE_USERS) {
    const rights = RIGHTS[user]
    const writes = [
      ...rights.writes(keys),
      ...rights.queues.map((queue) => `${bullPrefix(keys.prefix)}:${queue}:*`),
    ]
    users.push({
      user,
      rules: [
        'reset',
        'on',
        `#${aclPasswordHash(passwords[user])}`,
        `%R~${pattern(`${keys.prefix}*`)}`,
        ...writes.map((key) => `~${pattern(key)}`),
        'resetchannels',
        ...COMMANDS,
      ],
    })
  }
  // The operator's user (redis-cli, backups, migrations): everything.
  users.push({
    user: 'admin',
    rules: ['reset', 'on', `#${aclPasswordHash(passwords.admin)}`, '~*', '&*', '+@all'],
  })
  // Replication and Sentinel, as the Redis ACL documentation gives them; absent passwords: no user.
  if (passwords.replica)
    users.push({
      user: 'replica',
      rules: ['reset', 'on', `#${aclPasswordHash(passwords.replica)}`, '+psync', '+replconf', '+ping'],
    })
  if (passwords.sentinel)
    users.push({
      user: 'sentinel',
      rules: [
        'reset',
        'on',
        `#${aclPasswordHash(passwords.sentinel)}`,
        'allchannels',
        ...['+multi', '+slaveof', '+ping', '+exec', '+subscribe', '+config|rewrite', '+role', '+publish'],
        ...['+info', '+client|setname', '+client|kill', '+script|kill'],
      ],
    })
  return users
}

/** The same rules as an ACL file (`redis-server --aclfile FILE`), one user a line. */
export function aclFileText(prefix: string, passwords: Parameters<typeof aclFor>[1]): string {
  return `${aclFor(prefix, passwords)
    .map(({ user, rules }) => `user ${user} ${rules.filter((rule) => rule !== 'reset').join(' ')}`)
    .join('\n')}\n`
}

/** Why each service has the rights it has (docs/security.md prints this table). */
export function aclRationale(): { user: string; why: string }[] {
  return SERVICE_USERS.map((user) => ({ user, why: RIGHTS[user].why }))
}

/**
 * `redisUrl` with a user and password in it (`redis://user:pass@host:port`), for any topology
 * scheme connection.ts reads; credentials already in the URL are replaced.
 */
export function withRedisUser(redisUrl: string, user: string, password: string): string {
  const match = /^([a-z-]+:\/\/)(?:[^@/]*@)?(.*)$/i.exec(redisUrl)
  if (!match) throw new Error(`not a Redis URL: ${redisUrl}`)
  return `${match[1]}${encodeURIComponent(user)}:${encodeURIComponent(password)}@${match[2]}`
}
