import { toSnapshotGroups } from '@offside/core'
import {
  type DeltaMessage,
  historyOf,
  PROTOCOL_VERSION,
  type SigningKey,
  type SnapshotMessage,
  signPayload,
} from '@offside/protocol'
import type { Log } from '@offside/service'
import {
  currentEpoch,
  currentRevision,
  type Db,
  historyAt,
  type RevisionRecord,
  readSnapshot,
  waitForRevisions,
} from '@offside/store'

export interface RevisionFeedOptions {
  db: Db
  /** The store on a connection of its own (`blockingDb`): XREAD BLOCK holds it. */
  blocking: Db
  signingKey: SigningKey
  log: Log
  /** Called once for every revision this process reads (live or catching an agent up). */
  onRevision?: (record: RevisionRecord) => void
  /** Signed deltas kept in memory for agents catching up. */
  cacheSize?: number
  blockMs?: number
}

/**
 * A serialised message, ready for `socket.send(data, { binary: false })`: one buffer written to
 * every socket as it is (a string would be copied into each socket's own buffer — 1,000 copies of
 * a 10 MB snapshot in a reconnect storm).
 */
export interface Frame {
  revision: number
  data: Buffer
  /** The chain of the revision the frame holds, when the store keeps chains. */
  chain?: string
}

/** What a subscriber is told: a new revision, or that the history it followed is gone. */
export interface FeedListener {
  (): void
  /** The store's history changed under this process (Redis restored, emptied, or forked). */
  historyChanged?: () => void
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
  #frames = new Map<number, Buffer>()
  #building: Promise<Frame> | undefined
  #snapshot: Frame | undefined
  #listeners = new Set<FeedListener>()
  /** The epoch and chain of `#last`, to notice a Redis that was restored or emptied meanwhile. */
  #epoch: string | null = null
  #chain: string | undefined
  #checking: Promise<void> | undefined
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
    await this.#follow()
    this.#running = true
    this.#loop = this.#read()
  }

  async close(): Promise<void> {
    this.#running = false
    this.#options.blocking.redis.disconnect()
    await this.#loop
  }

  /** Calls `listener` after each new revision; returns the unsubscribe function. */
  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The signed delta of `revision` if this process still holds it. */
  cached(revision: number): Buffer | undefined {
    return this.#frames.get(revision)
  }

  /** The signed delta message of a record (signed once, then cached). */
  deltaFrame(record: RevisionRecord): Buffer {
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
          ...historyOf(record),
        },
        this.#options.signingKey,
      ),
    }
    const data = Buffer.from(JSON.stringify(message))
    this.#frames.set(record.revision, data)
    if (this.#frames.size > this.#options.cacheSize) {
      const oldest = this.#frames.keys().next().value
      if (oldest !== undefined) this.#frames.delete(oldest)
    }
    return data
  }

  /**
   * The signed snapshot at the latest revision: read, signed and serialised once per revision and
   * shared by every agent that needs it. Agents asking while it is being built wait for the same
   * build, so a reconnect storm reads the snapshot once, not once per agent.
   */
  async snapshotFrame(): Promise<Frame> {
    const { db } = this.#options
    // The chain names one revision of one history (a restored Redis has another): one round trip.
    const [revision, chain] = await Promise.all([
      currentRevision(db),
      db.redis.hget(db.keys.revisions.snapshot, 'chain'),
    ])
    const held = this.#snapshot
    if (held?.revision === revision && (held.chain ?? null) === chain) return held
    this.#building ??= this.#buildSnapshot().finally(() => {
      this.#building = undefined
    })
    return this.#building
  }

  async #buildSnapshot(): Promise<Frame> {
    const snapshot = await readSnapshot(this.#options.db)
    if (this.#snapshot?.revision === snapshot.revision && this.#snapshot.chain === snapshot.chain)
      return this.#snapshot
    const message: SnapshotMessage = {
      v: PROTOCOL_VERSION,
      type: 'snapshot',
      ...signPayload(
        {
          kind: 'snapshot',
          revision: snapshot.revision,
          issuedAt: snapshot.issuedAt,
          // Windows over one cover carry it once (docs/protocol.md §2): 3 × 112k prefixes → 112k.
          groups: toSnapshotGroups(snapshot.groups),
          ...historyOf(snapshot),
        },
        this.#options.signingKey,
      ),
    }
    this.#snapshot = {
      revision: snapshot.revision,
      data: Buffer.from(JSON.stringify(message)),
      ...(snapshot.chain ? { chain: snapshot.chain } : {}),
    }
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

  /**
   * Checks that the store still holds the history this process follows: the same epoch, and
   * `#last` still there with the same chain. A Redis restored from an older backup or emptied
   * fails the check: the frames kept are dropped, the feed follows the store's history from its
   * current revision, and every subscriber is told (sessions close; their agents say hello again
   * and are judged against the history now in the store). Sessions await it before they judge a
   * hello, so no frame of a history that is gone reaches an agent after Redis came back.
   */
  checkHistory(): Promise<void> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = undefined
    })
    return this.#checking
  }

  async #check(): Promise<void> {
    const { db, log } = this.#options
    // The revision held when the check starts, and its chain: the reader may take newer revisions
    // while the store answers, and the store's chain of this one is compared with this one's own.
    const last = this.#last
    const chain = this.#chain
    const [epoch, counter, mark] = await Promise.all([
      currentEpoch(db),
      currentRevision(db),
      last > 0 && chain !== undefined ? historyAt(db, last) : Promise.resolve(null),
    ])
    // The first revision of an empty (or older) store creates its epoch: that starts the history,
    // it does not change it.
    if (this.#epoch === null && counter >= last) {
      this.#epoch = epoch
      return
    }
    // A store written before chains existed has none to compare: its epoch and counter must hold.
    const sameChain = chain === undefined || mark?.chain === chain
    if (epoch === this.#epoch && counter >= last && sameChain) return
    const before = { epoch: this.#epoch, revision: this.#last }
    await this.#follow()
    log.warn(
      { before, now: { epoch: this.#epoch, revision: this.#last } },
      "the store's revision history changed (Redis restored, emptied or a new history started); agents reconnect",
    )
    for (const listener of this.#listeners) listener.historyChanged?.()
  }

  /** Forgets everything kept and follows the store's history from its current revision. */
  async #follow(): Promise<void> {
    const { db } = this.#options
    const snapshot = await readSnapshot(db)
    this.#frames.clear()
    this.#seen.clear()
    this.#snapshot = undefined
    this.#last = snapshot.revision
    this.#epoch = snapshot.epoch ?? (await currentEpoch(db))
    this.#chain = snapshot.chain
  }

  async #read(): Promise<void> {
    const { blocking, blockMs, log } = this.#options
    while (this.#running) {
      try {
        await this.checkHistory()
        const records = await waitForRevisions(blocking, this.#last, blockMs)
        for (const record of records) {
          if (record.revision <= this.#last) continue
          if (record.epoch && this.#epoch !== null && record.epoch !== this.#epoch) break // checked next turn
          this.deltaFrame(record)
          this.#last = record.revision
          this.#chain = record.chain
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
