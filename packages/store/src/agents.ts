/**
 * Edge agents, their acknowledgements and the compliance report (SPEC rule 8).
 *
 * - `agents` (SET): every agent ever seen, as `<isp>/<agentId>`.
 * - `agent:<isp>/<agentId>` (HASH): what the agent last told a gateway (see {@link AgentRecord}).
 * - `agent-alive:<isp>/<agentId>` (STRING, PX ttl): the gateway holding the connection; it expires
 *   when that gateway stops refreshing it, so a dead gateway's agents show as disconnected.
 * - `agent-acks:<isp>/<agentId>` (ZSET): one {@link AckRecord} JSON per acknowledged revision,
 *   scored by revision; the first acknowledgement of a revision is the one kept.
 * - `compliance-revisions` (HASH revision → {@link RevisionReference} JSON) and
 *   `compliance-times` (ZSET revision scored by its reference instant): what each revision is
 *   measured from, kept longer than the revision stream so an annual report can be exported.
 */
import type { Refusal } from '@offside/core'
import type { Db } from './keys.js'
import { runScript } from './scripts.js'

/** Acknowledgements kept per agent (about a year of a busy season). */
const ACKS_KEPT = 200_000

/** Which agent: agent ids are chosen by each ISP, so they are unique only within it. */
export interface AgentRef {
  isp: string
  agentId: string
}

const refOf = (agent: AgentRef) => `${agent.isp}/${agent.agentId}`

export interface AgentRecord extends AgentRef {
  firstSeenAt: number
  lastSeenAt: number
  /** Last revision the agent acknowledged (or announced in its hello); 0 before any. */
  lastRevision: number
  /** Highest revision a gateway sent this agent: a hello or an ack never counts beyond it. */
  sentRevision: number
  lastAckAt?: number
  enforced: number
  staged: number
  /** Domain names enforced and staged at the agent's resolver (0 without a DNS backend, or before it reported them). */
  enforcedNames: number
  stagedNames: number
  notFitting: number
  /** Targets the agent's safety net refused from the state it last acknowledged (SPEC rule 16). */
  refused: number
  /** The first refusals of that ack: group, prefix, reason. */
  refusals: Refusal[]
  capabilities: string[]
  /** The agent's software release from its last hello (agents before 0.1.0 send none). */
  version?: string
  gateway?: string
  connected: boolean
  /** Its clock's offset from the gateway's as it last reported it (absent before any report). */
  clock?: AgentClock
}

/** What an agent last said of its clock: offset (agent − gateway, ms) and its alarm; `reportedAt` on the gateway's clock. */
export interface AgentClock {
  offsetMs: number
  skewed: boolean
  reportedAt: number
}

export interface AckRecord {
  revision: number
  /** Gateway clock when the ack arrived: what compliance measures. */
  receivedAt: number
  /** Agent clock when it applied the revision (informative: agents' clocks may drift). */
  appliedAt: number
  enforced: number
  staged: number
  /** Domain names enforced and staged (absent without a DNS backend and in older acks: 0). */
  enforcedNames?: number
  stagedNames?: number
  notFitting: number
  /** Targets the agent's safety net refused (absent in acks recorded before it existed). */
  refused?: number
  /** `hello` when inferred from the last revision an agent announced on reconnecting. */
  source: 'ack' | 'hello'
  /** The agent's clock offset and alarm when it applied the revision (absent before a measure). */
  clockOffsetMs?: number
  clockSkewed?: boolean
}

/** What a revision's delay is measured from: the scheduled instant, else its issue time. */
export interface RevisionReference {
  revision: number
  kind: string
  issuedAt: number
  scheduledAt?: number
  event?: string
  /** `scheduledAt` for window open/close and rotation, `issuedAt` for triggers. */
  reference: number
}

/**
 * An agent's record and acknowledgements outlive its last contact by this long (a season and a
 * margin, for the annual report); then they expire, and the agent leaves the list.
 */
export const AGENT_RECORD_TTL_MS = 400 * 24 * 3600_000

/** Marks an agent connected through `gateway` for `ttlMs` (renewed by {@link touchAgent}). */
export async function agentConnected(
  db: Db,
  agent: AgentRef & {
    capabilities: string[]
    version?: string
    lastRevision: number
    gateway: string
    now: number
    ttlMs: number
  },
): Promise<void> {
  const keys = db.keys.agents
  const ref = refOf(agent)
  await db.redis
    .multi()
    .sadd(keys.index, ref)
    .hsetnx(keys.agent(ref), 'firstSeenAt', agent.now)
    .hset(keys.agent(ref), {
      isp: agent.isp,
      agentId: agent.agentId,
      lastSeenAt: agent.now,
      capabilities: JSON.stringify(agent.capabilities),
      version: agent.version ?? '',
      gateway: agent.gateway,
    })
    .set(keys.alive(ref), agent.gateway, 'PX', agent.ttlMs)
    .pexpire(keys.agent(ref), AGENT_RECORD_TTL_MS)
    .pexpire(keys.acks(ref), AGENT_RECORD_TTL_MS)
    .exec()
}

/** Remembers that revisions up to `revision` were sent to the agent. */
export async function recordSent(db: Db, agent: AgentRef, revision: number): Promise<void> {
  await runScript(db.redis, 'recordSent', [db.keys.agents.agent(refOf(agent))], [revision])
}

/** The highest revision ever sent to the agent (0 when none or unknown). */
export async function sentRevision(db: Db, agent: AgentRef): Promise<number> {
  return Number((await db.redis.hget(db.keys.agents.agent(refOf(agent)), 'sentRevision')) ?? 0)
}

/** Renews an agent's presence (heartbeat or any message). */
export async function touchAgent(
  db: Db,
  agent: AgentRef,
  gateway: string,
  now: number,
  ttlMs: number,
): Promise<void> {
  const keys = db.keys.agents
  const ref = refOf(agent)
  await db.redis
    .multi()
    .hset(keys.agent(ref), 'lastSeenAt', now)
    .set(keys.alive(ref), gateway, 'PX', ttlMs)
    .exec()
}

/** Remembers what the agent last said of its clock (with a heartbeat or an ack). */
export async function recordClock(db: Db, agent: AgentRef, clock: AgentClock): Promise<void> {
  await db.redis.hset(db.keys.agents.agent(refOf(agent)), {
    clockOffsetMs: clock.offsetMs,
    clockSkewed: clock.skewed ? 1 : 0,
    clockReportedAt: clock.reportedAt,
  })
}

/** Marks an agent disconnected from `gateway`. */
export async function agentDisconnected(db: Db, agent: AgentRef, gateway: string): Promise<void> {
  await runScript(db.redis, 'releaseAgent', [db.keys.agents.alive(refOf(agent))], [gateway])
}

/** Records an agent's acknowledgement of a revision; returns false if it was already recorded. */
export async function recordAck(
  db: Db,
  agent: AgentRef,
  ack: AckRecord,
  refusals: Refusal[] = [],
): Promise<boolean> {
  const keys = db.keys.agents
  const ref = refOf(agent)
  const result = await runScript(
    db.redis,
    'recordAck',
    [keys.agent(ref), keys.acks(ref)],
    [
      String(ack.revision),
      JSON.stringify(ack),
      String(ack.receivedAt),
      String(ack.enforced),
      String(ack.staged),
      String(ack.notFitting),
      String(ACKS_KEPT),
      ack.source === 'ack' ? '1' : '0',
      String(ack.refused ?? 0),
      JSON.stringify(refusals),
      String(ack.enforcedNames ?? 0),
      String(ack.stagedNames ?? 0),
    ],
  )
  return result === 'recorded'
}

/** Remembers what a revision is measured from; idempotent, so every gateway may call it. */
export async function recordRevisionReference(db: Db, reference: RevisionReference): Promise<void> {
  const keys = db.keys.agents
  await db.redis
    .multi()
    .hsetnx(keys.revisions, String(reference.revision), JSON.stringify(reference))
    .zadd(keys.times, 'NX', reference.reference, String(reference.revision))
    .exec()
}

function toRecord(fields: Record<string, string>, connected: boolean): AgentRecord {
  const num = (name: string) => Number(fields[name] ?? 0)
  return {
    isp: fields.isp ?? '',
    agentId: fields.agentId ?? '',
    firstSeenAt: num('firstSeenAt'),
    lastSeenAt: num('lastSeenAt'),
    lastRevision: num('lastRevision'),
    sentRevision: num('sentRevision'),
    ...(fields.lastAckAt ? { lastAckAt: Number(fields.lastAckAt) } : {}),
    enforced: num('enforced'),
    staged: num('staged'),
    enforcedNames: num('enforcedNames'),
    stagedNames: num('stagedNames'),
    notFitting: num('notFitting'),
    refused: num('refused'),
    refusals: fields.refusals ? (JSON.parse(fields.refusals) as Refusal[]) : [],
    capabilities: fields.capabilities ? (JSON.parse(fields.capabilities) as string[]) : [],
    ...(fields.version ? { version: fields.version } : {}),
    ...(fields.gateway ? { gateway: fields.gateway } : {}),
    connected,
    ...(fields.clockReportedAt
      ? {
          clock: {
            offsetMs: num('clockOffsetMs'),
            skewed: fields.clockSkewed === '1',
            reportedAt: num('clockReportedAt'),
          },
        }
      : {}),
  }
}

/**
 * Every agent seen within {@link AGENT_RECORD_TTL_MS} (of one ISP when `isp` is given), sorted by
 * ISP then agent id. Agents whose record expired leave the index here.
 */
export async function listAgents(db: Db, filter: { isp?: string } = {}): Promise<AgentRecord[]> {
  const keys = db.keys.agents
  const refs = (await db.redis.smembers(keys.index))
    .filter((ref) => filter.isp === undefined || ref.startsWith(`${filter.isp}/`))
    .sort()
  if (refs.length === 0) return []
  const pipeline = db.redis.pipeline()
  for (const ref of refs) pipeline.hgetall(keys.agent(ref)).exists(keys.alive(ref))
  const replies = (await pipeline.exec()) ?? []
  const records: AgentRecord[] = []
  const expired: string[] = []
  refs.forEach((ref, i) => {
    const fields = (replies[2 * i]?.[1] ?? {}) as Record<string, string>
    if (Object.keys(fields).length === 0) expired.push(ref)
    else records.push(toRecord(fields, replies[2 * i + 1]?.[1] === 1))
  })
  // Pruning is a courtesy of writers: a read-only reader (the dashboard's Redis user) leaves it.
  if (expired.length > 0)
    await db.redis.srem(keys.index, ...expired).catch((err: Error) => {
      if (!err.message.startsWith('NOPERM')) throw err
    })
  return records
}

/** The revision references whose reference instant lies in [from, to), oldest first. */
export async function revisionReferences(db: Db, from: number, to: number): Promise<RevisionReference[]> {
  const keys = db.keys.agents
  const revisions = await db.redis.zrangebyscore(keys.times, from, `(${to}`)
  if (revisions.length === 0) return []
  const raw = await db.redis.hmget(keys.revisions, ...revisions)
  return raw
    .filter((text): text is string => text !== null)
    .map((text) => JSON.parse(text) as RevisionReference)
    .sort((a, b) => a.revision - b.revision)
}

/** One agent's acknowledgements of revisions ≥ `fromRevision`, by revision. */
export async function readAcks(db: Db, agent: AgentRef, fromRevision: number): Promise<AckRecord[]> {
  const raw = await db.redis.zrangebyscore(db.keys.agents.acks(refOf(agent)), fromRevision, '+inf')
  return raw.map((text) => JSON.parse(text) as AckRecord).sort((a, b) => a.revision - b.revision)
}

/** Each agent's acknowledgements from `fromRevision` on; empty when there is no such revision yet. */
export async function readAcksOf<A extends AgentRef>(
  db: Db,
  agents: readonly A[],
  fromRevision: number | undefined,
): Promise<Map<A, AckRecord[]>> {
  if (fromRevision === undefined) return new Map()
  return new Map(
    await Promise.all(agents.map(async (agent) => [agent, await readAcks(db, agent, fromRevision)] as const)),
  )
}
