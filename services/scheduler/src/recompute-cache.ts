/**
 * What one scheduler process keeps between recomputes so that a change to a 100 000-entry list
 * costs what the change names, not what the list holds: the uploaded parts of weekly lists (by
 * immutable version), the covers of its groups (by list identity), the breaker's bounds of the published space, and the snapshot it published
 * last (by revision number). Each is checked against Redis on every recompute — the list versions
 * and the revision counter are read every time — so a change written by another API or scheduler
 * process is seen at once; nothing here needs to be invalidated by hand.
 */

import { CoverCache, type EnforcementGroup, type SpaceBounds } from '@offside/core'
import { currentRevision, type Db, ListCache, readSnapshot, type Snapshot } from '@offside/store'

export class RecomputeCache {
  readonly lists = new ListCache()
  readonly covers = new CoverCache()
  /** The circuit breaker's bounds of each published state's space, by its groups array. */
  readonly bounds = new WeakMap<EnforcementGroup[], SpaceBounds>()
  #snapshot: Snapshot | undefined

  /**
   * The snapshot at the last revision: the one this process published last if no one published
   * since (one GET of the revision counter), else read and parsed from Redis.
   */
  async snapshot(db: Db): Promise<Snapshot> {
    const held = this.#snapshot
    // The counter and the snapshot are written by one script, so an equal counter means this snapshot.
    if (held && (await currentRevision(db)) === held.revision) return held
    const snapshot = await readSnapshot(db)
    this.#snapshot = snapshot
    return snapshot
  }

  /** The snapshot this process published or read last, without checking it is still the last. */
  get held(): Snapshot | undefined {
    return this.#snapshot
  }

  /** Remembers a snapshot this process just published. */
  remember(snapshot: Snapshot): void {
    this.#snapshot = snapshot
  }
}
