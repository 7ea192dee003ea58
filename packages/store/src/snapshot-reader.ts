/**
 * Reading the published snapshot again after each revision at the cost of the revisions since the
 * last read. A process that answers questions about what agents enforce (the API) keeps the
 * snapshot it read and applies to it only the revisions published since, with core's
 * `applyGroupOps` as agents do, instead of parsing the stored groups (megabytes for 3 × 100k
 * entries) and replaying every revision after `groupsAt` on each new revision.
 */
import { applyGroupOps } from '@offside/core'
import type { Db } from './keys.js'
import { inPublishedOrder, readSnapshot, type Snapshot, type SnapshotMeta } from './revisions.js'
import { type StreamEntries, toRecords } from './stream-records.js'

/**
 * Gives the snapshot at the last revision, as {@link readSnapshot} does. The kept snapshot is
 * carried forward only while it is provably of the current history: the stream still holds its
 * revision with the same chain (the chain hashes every revision before it), every revision after
 * it is there in order with the same epoch, and the last one's chain is the snapshot's. Anything
 * else — a new history, a Redis restored from an older backup or emptied, revisions trimmed away,
 * a patch of a group it does not hold — reads the snapshot in full.
 */
export class SnapshotReader {
  #last: Snapshot | null = null

  async read(db: Db): Promise<Snapshot> {
    const carried = this.#last ? await carryForward(db, this.#last) : null
    const snapshot = carried ?? (await readSnapshot(db))
    this.#last = snapshot
    return snapshot
  }
}

/** `last` brought to the current revision, or null when only a full read is sure to be right. */
async function carryForward(db: Db, last: Snapshot): Promise<Snapshot | null> {
  if (!last.epoch || !last.chain) return null
  const keys = db.keys.revisions
  const [metaText, groupsAtText, epoch, chain] = await db.redis.hmget(
    keys.snapshot,
    'meta',
    'groupsAt',
    'epoch',
    'chain',
  )
  if (!metaText || epoch !== last.epoch || !chain) return null
  const { order, ...meta } = JSON.parse(metaText) as SnapshotMeta
  if (meta.revision < last.revision) return null
  if (meta.revision === last.revision) return chain === last.chain ? last : null
  const records = toRecords(
    (await db.redis.xrange(keys.stream, `${last.revision}-0`, `${meta.revision}-0`)) as StreamEntries,
  )
  const contiguous =
    records.length === meta.revision - last.revision + 1 &&
    records.every((record, i) => record.revision === last.revision + i && record.epoch === epoch)
  if (!contiguous || records[0]?.chain !== last.chain || records.at(-1)?.chain !== chain) return null
  let groups: Snapshot['groups']
  try {
    groups = applyGroupOps(
      last.groups,
      records.slice(1).flatMap((record) => record.ops),
    )
  } catch {
    return null
  }
  const groupsAt = groupsAtText === null ? meta.revision : Number(groupsAtText)
  return { ...meta, groups: inPublishedOrder(groups, order), groupsAt, epoch, chain }
}
