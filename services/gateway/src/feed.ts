import {
  type DeltaMessage,
  PROTOCOL_VERSION,
  type SigningKey,
  type SnapshotMessage,
  signPayload,
} from '@offside/protocol'
import type { Log } from '@offside/service'
import { currentRevision, type Db, type RevisionRecord, readSnapshot, waitForRevisions } from '@offside/store'
import type { Redis } from 'ioredis'

export interface RevisionFeedOptions {
  db: Db
  /** A connection of its own: XREAD BLOCK holds it. */
  blocking: Redis
  signingKey: SigningKey
  log: Log
  /** Called once for every revision this process reads (live or catching an agent up). */
  onRevision?: (record: RevisionRecord) => void
  /** Signed deltas kept in memory for agents catching up. */
  cacheSize?: number
  blockMs?: number
}

/** A serialised message, ready for `socket.send`. */
export interface Frame {
  revision: number
  text: string
}

/**
 * The gateway process's single reader of the revisions stream: one XREAD BLOCK loop, each
 * revision signed once and kept as a ready frame, listeners woken on every new revision. Sockets
 * never read Redis for live revisions, so a thousand agents cost one blocked connection.
 */
export class RevisionFeed {
  readonly #options: Required<Omit<RevisionFeedOptions, 'onRevision'>> &
    Pick<RevisionFeedOptions, 'onRevision'>
  #last = 0
  #frames = new Map<number, string>()
  #snapshot: Frame | undefined
  #listeners = new Set<() => void>()
  #running = false
  #loop: Promise<void> | undefined
  #seen = new Set<number>()

  constructor(options: RevisionFeedOptions) {
    this.#options = { cacheSize: 2000, blockMs: 5000, ...options }
  }

  /** The last revision published, as far as this process knows. */
  get last(): number {
    return this.#last
  }

  get running(): boolean {
    return this.#running
  }

  async start(): Promise<void> {
    this.#last = await currentRevision(this.#options.db)
    this.#running = true
    this.#loop = this.#read()
  }

  async close(): Promise<void> {
    this.#running = false
    this.#options.blocking.disconnect()
    await this.#loop
  }

  /** Calls `listener` after each new revision; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The signed delta of `revision` if this process still holds it. */
  cached(revision: number): string | undefined {
    return this.#frames.get(revision)
  }

  /** The signed delta message of a record (signed once, then cached). */
  deltaFrame(record: RevisionRecord): string {
    const cached = this.#frames.get(record.revision)
    if (cached) return cached
    this.#noticed(record)
    const message: DeltaMessage = {
      v: PROTOCOL_VERSION,
      type: 'delta',
      ...signPayload(
        {
          kind: 'delta',
          revision: record.revision,
          issuedAt: record.issuedAt,
          cause: record.cause,
          ops: record.ops,
        },
        this.#options.signingKey,
      ),
    }
    const text = JSON.stringify(message)
    this.#frames.set(record.revision, text)
    if (this.#frames.size > this.#options.cacheSize) {
      const oldest = this.#frames.keys().next().value
      if (oldest !== undefined) this.#frames.delete(oldest)
    }
    return text
  }

  /** The signed snapshot at the latest revision (signed once per revision). */
  async snapshotFrame(): Promise<Frame> {
    const snapshot = await readSnapshot(this.#options.db)
    if (this.#snapshot?.revision === snapshot.revision) return this.#snapshot
    const message: SnapshotMessage = {
      v: PROTOCOL_VERSION,
      type: 'snapshot',
      ...signPayload(
        {
          kind: 'snapshot',
          revision: snapshot.revision,
          issuedAt: snapshot.issuedAt,
          groups: snapshot.groups,
        },
        this.#options.signingKey,
      ),
    }
    this.#snapshot = { revision: snapshot.revision, text: JSON.stringify(message) }
    return this.#snapshot
  }

  #noticed(record: RevisionRecord): void {
    if (this.#seen.has(record.revision)) return
    this.#seen.add(record.revision)
    if (this.#seen.size > this.#options.cacheSize) {
      const oldest = this.#seen.values().next().value
      if (oldest !== undefined) this.#seen.delete(oldest)
    }
    this.#options.onRevision?.(record)
  }

  async #read(): Promise<void> {
    const { blocking, db, blockMs, log } = this.#options
    while (this.#running) {
      try {
        const records = await waitForRevisions(blocking, db.keys.prefix, this.#last, blockMs)
        for (const record of records) {
          this.deltaFrame(record)
          this.#last = Math.max(this.#last, record.revision)
        }
        if (records.length > 0) for (const listener of this.#listeners) listener()
      } catch (err) {
        if (!this.#running) return
        log.error({ err }, 'cannot read the revisions stream; retrying')
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
  }
}
