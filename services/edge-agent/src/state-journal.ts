/**
 * The agent's persisted state as a snapshot plus an append-only journal, so acknowledging a
 * 1-entry patch to a 100k-entry group costs one appended line and an fdatasync, not a rewrite
 * of 100k prefixes.
 *
 * - `state.json` (state-file.ts, atomic): `{ revision, groups, journal }` — the state after the
 *   last compaction and the name of the journal that follows it.
 * - `journal-<n>.ndjson`: one line per change since, `{"revision":N,"ops":[…],"epoch","chain"}`
 *   (the history fields when the gateway sent them), applied in order
 *   on start. Each line is fsynced before the revision is acknowledged.
 *
 * Compaction writes the current state as a new `state.json` naming a fresh, empty journal, then
 * deletes the old journal; the agent runs it after acknowledging, when the journal has grown
 * past a bound. A crash at any point leaves either the old snapshot with its journal or the new
 * one with its (empty) journal. A torn last line — a crash mid-append, before the ack — is
 * ignored; a damaged line before the last is refused loudly (starting from less would drop live
 * enforcement).
 */
import { mkdir, open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { applyGroupOps, entriesOfOps, type GroupOp } from '@offside/core'
import { readOptional, syncFolder } from './durable-files.js'
import { type AgentState, readState, writeState } from './state-file.js'

/** Compact once the journal holds this many bytes (a few hot additions, or one big patch). */
export const COMPACT_AFTER_BYTES = 4 * 1024 * 1024
/** …or this many lines, so a start replays little. */
export const COMPACT_AFTER_LINES = 256

/** A change naming more entries than this is persisted as a new snapshot instead of a line. */
export const LARGE_CHANGE_ENTRIES = 20_000

interface JournalLine {
  revision: number
  ops: GroupOp[]
  epoch?: string
  chain?: string
}

/** The history fields of a state, when it has them. */
function historyOf(state: { epoch?: string | undefined; chain?: string | undefined }) {
  return {
    ...(state.epoch !== undefined ? { epoch: state.epoch } : {}),
    ...(state.chain !== undefined ? { chain: state.chain } : {}),
  }
}

function replay(path: string, text: string, state: AgentState): AgentState {
  const lines = text.split('\n')
  // A complete file ends with '\n', so its last piece is '': anything else there is a torn append.
  const last = lines.pop() ?? ''
  let { revision, groups } = state
  let history = historyOf(state)
  for (const [index, line] of lines.entries()) {
    let entry: JournalLine
    try {
      entry = JSON.parse(line) as JournalLine
    } catch {
      throw new Error(`${path}: line ${index + 1} is damaged`)
    }
    if (!Number.isSafeInteger(entry.revision) || !Array.isArray(entry.ops))
      throw new Error(`${path}: line ${index + 1} is not a journal entry`)
    if (entry.ops.length > 0) groups = applyGroupOps(groups, entry.ops)
    revision = Math.max(revision, entry.revision)
    if (entry.chain !== undefined) history = historyOf(entry)
  }
  void last // ignored on purpose: it was never fsynced whole, so never acknowledged
  return { revision, groups, ...history }
}

/** The persisted state, kept as a snapshot and a journal. Open with {@link StateStore.open}. */
export class StateStore {
  readonly #dir: string
  #journal: string
  #bytes = 0
  #lines = 0

  private constructor(dir: string, journal: string) {
    this.#dir = dir
    this.#journal = journal
  }

  /** Reads the snapshot and replays its journal. A missing folder is a fresh agent. */
  static async open(dir: string): Promise<{ store: StateStore; state: AgentState }> {
    const snapshot = await readState(dir)
    const journal = snapshot.journal ?? 'journal-1.ndjson'
    const store = new StateStore(dir, journal)
    const path = join(dir, journal)
    const text = await readOptional(path)
    if (text === undefined)
      return {
        store,
        state: { revision: snapshot.revision, groups: snapshot.groups, ...historyOf(snapshot) },
      }
    const state = replay(path, text, snapshot)
    // Continue after the last complete line: drop a torn tail so the next append starts clean.
    const complete = text.slice(0, text.lastIndexOf('\n') + 1)
    if (complete.length !== text.length) {
      const file = await open(path, 'r+')
      try {
        await file.truncate(Buffer.byteLength(complete))
        await file.sync()
      } finally {
        await file.close()
      }
    }
    store.#bytes = Buffer.byteLength(complete)
    store.#lines = complete.split('\n').length - 1
    return { store, state }
  }

  /**
   * Appends one change (the ops that took the state to `revision`, and that revision's history
   * fields when it came with them) and syncs it to disk.
   */
  async record(
    revision: number,
    ops: GroupOp[],
    history: { epoch?: string | undefined; chain?: string | undefined } = {},
  ): Promise<void> {
    const line = `${JSON.stringify({ revision, ops, ...historyOf(history) })}\n`
    const path = join(this.#dir, this.#journal)
    const creating = this.#lines === 0
    if (creating) await mkdir(this.#dir, { recursive: true })
    const file = await open(path, 'a', 0o600)
    try {
      await file.appendFile(line)
      await file.datasync()
    } finally {
      await file.close()
    }
    if (creating) await syncFolder(this.#dir) // the new file's name must survive a crash too
    this.#bytes += Buffer.byteLength(line)
    this.#lines++
  }

  /**
   * Persists the change that took the state to `state.revision`: a journal line when the change is
   * small, the whole state when it is about as large as the state (a new 100k-entry group): then
   * a line would cost the same write and need a compaction after it.
   */
  async persist(ops: GroupOp[], state: AgentState): Promise<void> {
    if (entriesOfOps(ops) > LARGE_CHANGE_ENTRIES) await this.compact(state)
    else await this.record(state.revision, ops, state)
  }

  /** True once the journal is long enough that {@link compact} is worth its write. */
  get wantsCompaction(): boolean {
    return this.#bytes >= COMPACT_AFTER_BYTES || this.#lines >= COMPACT_AFTER_LINES
  }

  /** Writes `state` as the new snapshot followed by a fresh journal, and drops the old journal. */
  async compact(state: AgentState): Promise<void> {
    const old = this.#journal
    const next = `journal-${Number(/\d+/.exec(old)?.[0] ?? 0) + 1}.ndjson`
    await writeState(this.#dir, { ...state, journal: next })
    this.#journal = next
    this.#bytes = 0
    this.#lines = 0
    await rm(join(this.#dir, old), { force: true })
  }
}
