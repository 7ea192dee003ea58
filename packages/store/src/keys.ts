import type { Redis } from 'ioredis'
import { duplicateRedis, hashTagOf, isCluster } from './connection.js'

/** The default key prefix; a deployment may set another with OFFSIDE_KEY_PREFIX. */
export const DEFAULT_KEY_PREFIX = 'offside:'

/**
 * Every Redis key Offside uses, in one place. Each aggregate module asks this object for its
 * keys and never spells a key itself, so a prefix change or a cluster hash-tag touches one file.
 */
export function createKeys(prefix: string = DEFAULT_KEY_PREFIX) {
  return {
    prefix,
    orgs: `${prefix}orgs`, // HASH id → Organisation JSON
    tokens: `${prefix}tokens`, // HASH token id → TokenRecord JSON (hash only, never the token)
    tokenHashes: `${prefix}token-hashes`, // HASH sha-256 hex → token id
    competitions: `${prefix}competitions`, // HASH id → Competition JSON
    events: `${prefix}events`, // HASH id → MatchEvent JSON
    orders: `${prefix}orders`, // HASH id → Order JSON
    listIndex: `${prefix}lists`, // SET "<rightsholder>|<week>" of every list ever uploaded
    /** HASH: the current version pointer of one weekly list and its summary. */
    list: (rightsholder: string, week: string) => `${prefix}list:${rightsholder}:${week}`,
    /** STRING: one immutable uploaded version (JSON), keyed by its content hash. */
    listVersion: (rightsholder: string, week: string, version: string) =>
      `${prefix}list-version:${rightsholder}:${week}:${version}`,
    /** STRING: the accepted prefixes of one version, newline-separated (fast to load). */
    listPrefixes: (rightsholder: string, week: string, version: string) =>
      `${prefix}list-prefixes:${rightsholder}:${week}:${version}`,
    /** HASH prefix → ListExtra JSON: hot additions and ops-approved entries of the current version. */
    listExtra: (rightsholder: string, week: string) => `${prefix}list-extra:${rightsholder}:${week}`,
    held: `${prefix}guard:held`, // HASH id → HeldEntry JSON
    heldPending: `${prefix}guard:held-pending`, // ZSET id scored by heldAt, pending review only
    heldOfList: (rightsholder: string, week: string) => `${prefix}guard:held-of:${rightsholder}:${week}`, // SET ids
    protectedRanges: `${prefix}guard:protected`, // STRING ProtectedRange[] JSON; absent = defaults
    protectedSuffixes: `${prefix}guard:protected-suffixes`, // STRING ProtectedSuffix[] JSON; absent = defaults
    /** SET canonical prefixes a shared network announces, pulled from enforcement by the retroactive check. */
    withdrawn: `${prefix}guard:withdrawn`,
    reporter: (rightsholder: string) => `${prefix}reporter:${rightsholder}`, // HASH held/rejected/revoked counters
    breakerHolds: `${prefix}breaker:holds`, // HASH id → BreakerHold JSON (circuit-breaker holds, all statuses)
    breakerProposals: `${prefix}breaker:proposals`, // HASH id → BreakerProposal JSON (the held groups, what they add)
    breakerPending: `${prefix}breaker:pending`, // STRING id of the one pending hold; absent when none
    breakerDecided: `${prefix}breaker:decided`, // ZSET ids of approved/rejected holds scored by when they lapse
    complaints: `${prefix}complaints`, // HASH id → Complaint JSON
    revocations: `${prefix}revocations`, // HASH id → Revocation JSON
    parties: `${prefix}parties`, // HASH id → Party JSON (whom orders are notified to, notices.ts)
    notices: `${prefix}notices`, // HASH id → Notice JSON (the outbox, attempts, receipts, dead letters)
    hostingNotices: `${prefix}hosting-notices`, // HASH "<week>:<asn>" → notice id (one weekly notice per AS)
    audit: `${prefix}audit`, // STREAM of hash-chained records
    auditHead: `${prefix}audit:head`, // STRING "<seq> <hash>" of the last record
    /** ZSET AuditCheckpoint JSON scored by seq: signed heads of the chain (audit-checkpoints.ts). */
    auditCheckpoints: `${prefix}audit:checkpoints`,
    /** STRING counter bumped by every write that changes state inputs, so readers can cache them. */
    stateGeneration: `${prefix}state-generation`,
    rateLimit: `${prefix}rate-limit:`, // prefix for @fastify/rate-limit's Redis store
    /** STRING written before WAIT so that it covers every earlier write (connection.ts). */
    replicationMark: `${prefix}replication-mark`,
    /** revisions.ts */
    revisions: {
      counter: `${prefix}revision`, // STRING number of the last published revision
      stream: `${prefix}revisions`, // STREAM of RevisionRecord, id "<revision>-0"
      snapshot: `${prefix}revision-snapshot`, // HASH meta, groups: the state after the last revision
      instants: `${prefix}revision-instants`, // ZSET calendar instant keys already published
      epoch: `${prefix}revision-epoch`, // STRING id of the current history (forkHistory replaces it)
      claims: `${prefix}revision-claims`, // HASH "<isp>/<agentId>" → HistoryClaim JSON (history.ts)
    },
    /** agents.ts (SPEC rule 8) */
    agents: {
      index: `${prefix}agents`, // SET "<isp>/<agentId>" of every agent ever seen
      agent: (ref: string) => `${prefix}agent:${ref}`, // HASH what the agent last told a gateway
      alive: (ref: string) => `${prefix}agent-alive:${ref}`, // STRING (PX ttl) gateway holding it
      acks: (ref: string) => `${prefix}agent-acks:${ref}`, // ZSET AckRecord JSON scored by revision
      /** ZSET connection id scored by when its claim lapses: the ISP's open agent connections. */
      connections: (isp: string) => `${prefix}agent-connections:${isp}`,
      revisions: `${prefix}compliance-revisions`, // HASH revision → RevisionReference JSON
      times: `${prefix}compliance-times`, // ZSET revision scored by its reference instant
    },
  } as const
}

export type Keys = ReturnType<typeof createKeys>

/** A Redis connection together with the key names for its prefix. */
export interface Db {
  readonly redis: Redis
  readonly keys: Keys
}

/**
 * Wraps a client with the keys for `prefix`. On a Redis Cluster the prefix must carry a hash tag
 * (`{offside}:`): the aggregates change several keys in one transaction or Lua script, and BullMQ's
 * scripts do too, which a cluster allows only within one slot. So a deployment's keys live in one
 * slot — the cluster gives failover, not sharding, which Offside's few hundred MB do not need.
 */
export function createDb(redis: Redis, prefix: string = DEFAULT_KEY_PREFIX): Db {
  if (isCluster(redis) && !hashTagOf(prefix))
    throw new Error(
      `on a Redis Cluster the key prefix needs a hash tag, e.g. "{${prefix.replace(/:$/, '')}}:"`,
    )
  return { redis, keys: createKeys(prefix) }
}

/**
 * The same store on a connection of its own, for blocking reads (`waitForRevisions`): a blocked
 * XREAD holds its connection, so it must not be the one every other command queues behind. Same
 * server, user and keys; no retry limit, since a command blocked on purpose has not failed. The
 * caller closes it (`blocking.redis.disconnect()`).
 */
export function blockingDb(db: Db): Db {
  return { redis: duplicateRedis(db.redis, { maxRetriesPerRequest: null }), keys: db.keys }
}
