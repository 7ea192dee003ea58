/**
 * When the store's revision history is not the one agents hold (Redis restored from an older
 * backup, or emptied): how a hello is judged against it, the claims gateways leave for the
 * scheduler, and the new history the scheduler starts (docs/protocol.md §4, "When the control
 * plane's history changed").
 *
 * - `revision-claims` (HASH): "<isp>/<agentId>" → {@link HistoryClaim} JSON, written by a gateway
 *   whose agent holds revisions the store lost, removed by the scheduler once settled. Gateways
 *   never write revisions (their Redis user cannot, acl.ts): the scheduler, which publishes every
 *   revision, also starts the new history.
 */
import type { Db } from './keys.js'
import {
  currentEpoch,
  currentRevision,
  historyAt,
  publishRevision,
  readSnapshot,
  type Snapshot,
} from './revisions.js'

/** What an agent says it holds, from its hello. */
export interface HeldHistory {
  lastRevision: number
  epoch?: string | undefined
  chain?: string | undefined
}

export type HistoryVerdict =
  /** Same history: resume from the agent's revision (if it was sent to it). */
  | { kind: 'same' }
  /** Cannot tell (a revision trimmed from the stream, a chain missing): a snapshot. */
  | { kind: 'unknown' }
  /** Another history, behind the store's: a snapshot replaces the agent's state. */
  | { kind: 'other' }
  /**
   * The agent holds a revision of this history's number or above that the store does not: the
   * store was rewound. A new history must start above `above`, so no number is reused.
   */
  | { kind: 'rewound'; above: number }
  /** An agent without history fields claiming a revision never published: refused. */
  | { kind: 'ahead' }

/** Judges what an agent holds against the store's history (`published` = its last revision). */
export async function judgeHistory(
  db: Db,
  held: HeldHistory,
  store: { published: number; epoch: string | null },
): Promise<HistoryVerdict> {
  const { lastRevision, epoch, chain } = held
  // An agent older than epochs cannot prove which history it holds: the rule of old applies.
  if (epoch === undefined) return lastRevision > store.published ? { kind: 'ahead' } : { kind: 'same' }
  if (lastRevision > store.published) return { kind: 'rewound', above: lastRevision }
  if (epoch !== store.epoch) return { kind: 'other' }
  if (lastRevision === 0) return { kind: 'same' }
  const mark = await historyAt(db, lastRevision)
  if (!mark || chain === undefined) return { kind: 'unknown' }
  if (mark.chain === chain) return { kind: 'same' }
  // Same epoch and number, other content: the store was rewound and has published since.
  return { kind: 'rewound', above: store.published }
}

/** A gateway's report that an agent holds revisions the store lost. */
export interface HistoryClaim extends HeldHistory {
  isp: string
  agentId: string
  gateway: string
  at: number
}

/** Leaves a claim for the scheduler (one per agent; a newer one replaces it). */
export async function claimLostHistory(db: Db, claim: HistoryClaim): Promise<void> {
  await db.redis.hset(db.keys.revisions.claims, `${claim.isp}/${claim.agentId}`, JSON.stringify(claim))
}

/**
 * Settles every pending claim: each is judged again against the store as it is now, and when any
 * still shows revisions the store lost, one new history starts above all of them. Several
 * schedulers may settle at once: a claim another has settled is judged `other` here and only
 * removed. Returns the new history started, or null.
 */
export async function settleHistoryClaims(db: Db, now: number): Promise<Snapshot | null> {
  const key = db.keys.revisions.claims
  const claims = await db.redis.hgetall(key)
  const fields = Object.keys(claims)
  if (fields.length === 0) return null
  const [published, epoch] = await Promise.all([currentRevision(db), currentEpoch(db)])
  let above: number | undefined
  const agents: string[] = []
  for (const [field, text] of Object.entries(claims)) {
    let claim: HistoryClaim | undefined
    try {
      claim = JSON.parse(text) as HistoryClaim
    } catch {}
    if (!claim || !Number.isSafeInteger(claim.lastRevision)) continue
    const verdict = await judgeHistory(db, claim, { published, epoch })
    if (verdict.kind !== 'rewound') continue
    above = Math.max(above ?? 0, verdict.above)
    agents.push(field)
  }
  const fork =
    above === undefined ? null : await forkHistory(db, { above, now, agent: agents.slice(0, 10).join(',') })
  // A claim written again meanwhile is removed with it: gateways repeat theirs each heartbeat
  // until the history changes, so nothing waits on it.
  await db.redis.hdel(key, ...fields)
  return fork
}

/**
 * Starts a new history above `above`: a revision with a fresh epoch, numbered past both the
 * current revision and `above`, holding the current groups unchanged. A gateway calls it when an
 * agent proves that this store's history is not the one it was sent (Redis restored from an
 * older backup, or emptied): every agent then reconciles from the new snapshot, and no revision
 * number is reused for different content. Retries while schedulers publish meanwhile.
 */
export async function forkHistory(
  db: Db,
  input: { above: number; now: number; agent?: string },
): Promise<Snapshot> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const snapshot = await readSnapshot(db)
    const result = await publishRevision(db, {
      previous: snapshot.revision,
      issuedAt: input.now,
      cause: {
        kind: 'catch-up',
        requestedAt: input.now,
        reason: 'history-changed',
        ...(input.agent ? { agent: input.agent } : {}),
      },
      ops: [],
      groups: snapshot.groups,
      live: snapshot.live,
      enforcedCount: snapshot.enforcedCount,
      forkAbove: input.above,
    })
    if (result.status === 'published') return readSnapshot(db)
  }
  throw new Error('cannot start a new history: revisions keep being published')
}

/** Whether a calendar instant (see {@link RevisionDraft.instant}) has been published. */
export async function instantPublished(db: Db, key: string): Promise<boolean> {
  return (await db.redis.zscore(db.keys.revisions.instants, key)) !== null
}
