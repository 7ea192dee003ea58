/**
 * Revisions: the numbered, ordered changes of enforcement that every agent applies and acknowledges.
 *
 * - `revision` (STRING): the number of the last published revision; 0 or absent before the first.
 * - `revisions` (STREAM): one entry per revision, stream id `<revision>-0`, field `record` = the
 *   {@link RevisionRecord} JSON, so a reader can `XRANGE` from any revision. Trimmed to about
 *   `maxLength` entries; an agent further behind gets the snapshot instead.
 * - `revision-snapshot` (HASH): the {@link Snapshot} at the last revision, field `meta` (revision,
 *   issuedAt, live, enforcedCount, the order of the groups), fields `groups` and `groupsAt`, and
 *   its `epoch` and `chain`: `groups` (megabytes for 3 × 100k entries) holds the groups at
 *   revision `groupsAt`, and the snapshot is those with the revisions after `groupsAt` applied.
 *   A small change is published without rewriting `groups`, so its cost is the change's;
 *   {@link compactSnapshot} brings `groups` up to date in the background, and a revision more
 *   than `maxBacklog` ahead of it (or a large one, or a new history) writes it in full.
 * - `revision-epoch` (STRING): the id of the current history, created with its first revision and
 *   replaced only by {@link forkHistory}. Each stream entry also carries its `epoch` and `chain`
 *   (SHA-1 over the previous chain and the record), so a gateway can tell whether the revision an
 *   agent holds belongs to this history: a Redis restored from an older backup, or emptied, shows
 *   as an agent ahead of the counter or holding another chain (docs/protocol.md §4).
 * - `revision-instants` (ZSET): calendar instants (window open/close, rotation) already published,
 *   scored by the instant, so a timed job that runs twice never publishes twice.
 *
 * Everything is written by one Lua script that compares the previous revision first
 * (compare-and-set), so several schedulers never publish one number twice or out of order.
 */

import { randomUUID } from 'node:crypto'
import {
  applyGroupOps,
  type EnforcementGroup,
  type EventWindow,
  entriesOfOps,
  type GroupOp,
} from '@offside/core'
import { waitForReplicas } from './connection.js'
import type { Db } from './keys.js'
import type { RevisionCause } from './queues.js'
import { runScript } from './scripts.js'
import { type StreamEntries, toRecords } from './stream-records.js'

/** One published revision: what changed, when, and why. */
export interface RevisionRecord {
  revision: number
  issuedAt: number
  cause: RevisionCause
  ops: GroupOp[]
  /** The history it belongs to and its chain, as read back from the stream (absent before chains). */
  epoch?: string
  chain?: string
}

/** Where a history stands: its epoch and, at one revision, the chain. */
export interface HistoryMark {
  epoch: string
  revision: number
  chain: string
}

/** The whole enforcement state at one revision, for agents that start or fell too far behind. */
export interface Snapshot {
  revision: number
  issuedAt: number
  /** Every enforcement group not yet expired: live now or staged ahead. */
  groups: EnforcementGroup[]
  /** Windows live at `issuedAt`. */
  live: EventWindow[]
  /** Prefixes enforced at `issuedAt`. */
  enforcedCount: number
  /** The history and chain at `revision`, as read back (absent before the first revision). */
  epoch?: string
  chain?: string
  /** The revision whose groups are stored in full (the others are applied on top); absent: this one. */
  groupsAt?: number
}

/** The empty state before the first revision. */
export const EMPTY_SNAPSHOT: Snapshot = { revision: 0, issuedAt: 0, groups: [], live: [], enforcedCount: 0 }

/** Default number of revisions kept in the stream. */
export const DEFAULT_REVISION_HISTORY = 10_000

/** Default number of revisions the stored groups may lag behind the last one. */
export const DEFAULT_SNAPSHOT_BACKLOG = 64

/** A revision that adds or removes more entries than this writes the groups in full. */
const FULL_WRITE_ENTRIES = 5_000

/** How long published calendar instants are remembered (they are only looked up near their time). */
const INSTANT_MEMORY_MS = 14 * 24 * 3600_000

/** What {@link publishRevision} publishes. */
export interface RevisionDraft {
  /** The revision this one follows: the snapshot's revision it was computed from. */
  previous: number
  issuedAt: number
  cause: RevisionCause
  ops: GroupOp[]
  /** The state after the ops. */
  groups: EnforcementGroup[]
  live: EventWindow[]
  enforcedCount: number
  /** Set for a calendar instant (e.g. `window-open|m1|1796000000000`) published at most once. */
  instant?: { key: string; at: number }
  /**
   * Starts a new history (a fresh epoch) numbered above this revision, so that no number an agent
   * already holds is ever reused for different content. Only {@link forkHistory} sets it.
   */
  forkAbove?: number
  /** `groupsAt` of the previous revision's snapshot, if the caller holds it: spares a retry. */
  groupsAt?: number
}

export type PublishResult =
  | { status: 'published'; record: RevisionRecord; snapshot: Snapshot; replicated: boolean }
  | { status: 'conflict' }
  | { status: 'duplicate-instant' }

/**
 * Publishes a revision if `draft.previous` is still the last one. On `conflict` the caller reads
 * the new snapshot, recomputes and tries again.
 */
export async function publishRevision(
  db: Db,
  draft: RevisionDraft,
  options: { maxLength?: number; maxBacklog?: number } = {},
): Promise<PublishResult> {
  const keys = db.keys.revisions
  const revision = Math.max(draft.previous, draft.forkAbove ?? 0) + 1
  const record: RevisionRecord = { revision, issuedAt: draft.issuedAt, cause: draft.cause, ops: draft.ops }
  const maxLength = options.maxLength ?? DEFAULT_REVISION_HISTORY
  // Readers replay the revisions after `groupsAt` from the stream, so it must still hold them.
  const maxBacklog = Math.max(0, Math.min(options.maxBacklog ?? DEFAULT_SNAPSHOT_BACKLOG, maxLength - 1))
  const meta = {
    revision,
    issuedAt: draft.issuedAt,
    live: draft.live,
    enforcedCount: draft.enforcedCount,
    order: draft.groups.map((group) => group.id),
  }
  const epoch = randomUUID()
  const send = (groups: string) =>
    runScript(
      db.redis,
      'publishRevision',
      [keys.counter, keys.stream, keys.snapshot, keys.instants, keys.epoch],
      [
        String(draft.previous),
        JSON.stringify(record),
        JSON.stringify(meta),
        String(maxLength),
        draft.instant?.key ?? '',
        String(draft.instant?.at ?? 0),
        String(draft.issuedAt - INSTANT_MEMORY_MS),
        groups,
        String(revision),
        epoch,
        draft.forkAbove === undefined ? '' : '1',
        String(maxBacklog),
      ],
    )
  // No ops means the same groups as the previous snapshot: they are kept, not rewritten. A new
  // history starts with its groups stored, so no reader replays across its gap.
  const lagging = draft.groupsAt === undefined || revision - draft.groupsAt > maxBacklog
  const full =
    draft.previous === 0 ||
    draft.forkAbove !== undefined ||
    (draft.ops.length > 0 && (lagging || entriesOfOps(draft.ops) > FULL_WRITE_ENTRIES))
  let result = await send(full ? JSON.stringify(draft.groups) : '')
  let groupsAt = full ? revision : (draft.groupsAt ?? 0)
  if (result === 'needs-groups') {
    result = await send(JSON.stringify(draft.groups))
    groupsAt = revision
  }
  if (result === 'conflict' || result === 'duplicate-instant') return { status: result }
  if (result === 'needs-groups') throw new Error('the snapshot refused its own groups')
  const snapshot: Snapshot = {
    revision,
    issuedAt: draft.issuedAt,
    groups: draft.groups,
    live: draft.live,
    enforcedCount: draft.enforcedCount,
    groupsAt,
  }
  // On a replicated topology (OFFSIDE_REDIS_URL ?replicas=N) the publisher learns whether a replica
  // holds the revision: one that does survives a failover of the primary.
  const replicated = await waitForReplicas(db.redis, db.keys.replicationMark).catch(() => false)
  return { status: 'published', record, snapshot, replicated }
}

/**
 * Stores the groups of `snapshot` (a published revision) in full, so readers of the snapshot
 * apply no revisions up to it. A no-op when the stored groups are already as new.
 */
export async function compactSnapshot(db: Db, snapshot: Snapshot): Promise<boolean> {
  if ((snapshot.groupsAt ?? snapshot.revision) >= snapshot.revision) return false
  const keys = db.keys.revisions
  const result = await runScript(
    db.redis,
    'compactSnapshot',
    [keys.counter, keys.snapshot],
    [String(snapshot.revision), JSON.stringify(snapshot.groups)],
  )
  if (result !== 'compacted') return false
  snapshot.groupsAt = snapshot.revision
  return true
}

/** The number of the last published revision (0 before the first). */
export async function currentRevision(db: Db): Promise<number> {
  const raw = await db.redis.get(db.keys.revisions.counter)
  return raw === null ? 0 : Number(raw)
}

/** The state at the last published revision ({@link EMPTY_SNAPSHOT} before the first). */
export async function readSnapshot(db: Db): Promise<Snapshot> {
  // The revisions after `groupsAt` are trimmed from the stream only far behind it; a reader that
  // loses that race (a compaction and many revisions in between) reads again.
  for (let attempt = 0; ; attempt++) {
    const snapshot = await readSnapshotOnce(db)
    if (snapshot) return snapshot
    if (attempt >= 4) throw new Error('the revisions after the stored snapshot groups are gone')
  }
}

/** The snapshot hash's `meta` field: the snapshot without its groups, and the groups' order. */
export type SnapshotMeta = Omit<Snapshot, 'groups'> & { order?: string[] }

/** Puts `groups` in the order the publisher gave (`meta.order`), as readers of the snapshot get them. */
export function inPublishedOrder(
  groups: EnforcementGroup[],
  order: string[] | undefined,
): EnforcementGroup[] {
  if (!order) return groups
  const rank = new Map(order.map((id, i) => [id, i]))
  return groups.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0))
}

async function readSnapshotOnce(db: Db): Promise<Snapshot | null> {
  const keys = db.keys.revisions
  const [metaText, groupsText, groupsAtText, epoch, chain] = await db.redis.hmget(
    keys.snapshot,
    'meta',
    'groups',
    'groupsAt',
    'epoch',
    'chain',
  )
  if (!metaText) return EMPTY_SNAPSHOT
  const { order, ...meta } = JSON.parse(metaText) as SnapshotMeta
  let groups: EnforcementGroup[] = groupsText ? JSON.parse(groupsText) : []
  const groupsAt = groupsAtText === null ? meta.revision : Number(groupsAtText)
  if (groupsAt < meta.revision) {
    const entries = (await db.redis.xrange(
      keys.stream,
      `${groupsAt + 1}-0`,
      `${meta.revision}-0`,
    )) as StreamEntries
    const records = toRecords(entries)
    if (records.length !== meta.revision - groupsAt || records[0]?.revision !== groupsAt + 1) return null
    groups = inPublishedOrder(
      applyGroupOps(
        groups,
        records.flatMap((record) => record.ops),
      ),
      order,
    )
  }
  return { ...meta, groups, groupsAt, ...(epoch ? { epoch } : {}), ...(chain ? { chain } : {}) }
}

/** The current history's epoch (null before the first revision of an empty store). */
export async function currentEpoch(db: Db): Promise<string | null> {
  return db.redis.get(db.keys.revisions.epoch)
}

/**
 * The epoch and chain of one revision still in the stream, or null when the stream no longer
 * holds it (trimmed, never published, or written before chains existed).
 */
export async function historyAt(db: Db, revision: number): Promise<HistoryMark | null> {
  const entries = (await db.redis.xrange(
    db.keys.revisions.stream,
    `${revision}-0`,
    `${revision}-0`,
  )) as StreamEntries
  const record = toRecords(entries)[0]
  return record?.epoch && record.chain ? { epoch: record.epoch, revision, chain: record.chain } : null
}

/**
 * The revisions after `revision`, oldest first, at most `limit` of them. Returns `null` when the
 * history kept no longer reaches back to `revision + 1` (or `revision` is ahead of the last one):
 * that reader needs the snapshot.
 */
export async function readRevisionsSince(
  db: Db,
  revision: number,
  limit = 1000,
): Promise<RevisionRecord[] | null> {
  const keys = db.keys.revisions
  const last = await currentRevision(db)
  if (revision === last) return []
  if (revision > last) return null
  const entries = (await db.redis.xrange(
    keys.stream,
    `${revision + 1}-0`,
    '+',
    'COUNT',
    limit,
  )) as StreamEntries
  const records = toRecords(entries)
  // Contiguous or nothing: a new history (forkHistory) starts above a gap, which only a snapshot crosses.
  if (records.some((record, i) => record.revision !== revision + 1 + i)) return null
  if (records[0]?.revision !== revision + 1) return null
  return records
}

/**
 * Waits up to `blockMs` for revisions after `revision` (XREAD BLOCK). `db` must be on a connection
 * of its own (`blockingDb(db)`): a blocked connection serves nobody else. Returns [] on timeout.
 */
export async function waitForRevisions(
  db: Db,
  revision: number,
  blockMs: number,
  limit = 1000,
): Promise<RevisionRecord[]> {
  const reply = (await db.redis.xread(
    'COUNT',
    limit,
    'BLOCK',
    blockMs,
    'STREAMS',
    db.keys.revisions.stream,
    `${revision}-0`,
  )) as [key: string, entries: StreamEntries][] | null
  return reply?.[0] ? toRecords(reply[0][1]) : []
}
