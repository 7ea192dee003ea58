/**
 * The agent's persisted state as a snapshot plus an append-only journal, so acknowledging a
 * 1-entry patch to a 100k-entry group costs one appended line and one fdatasync, not a rewrite
 * of 100k prefixes.
 *
 * - `state.json` (state-file.ts, atomic): `{ revision, groups, journal }` — the state after the
 *   last compaction and the name of the journal that follows it.
 * - `journal-<n>.ndjson`: one line per change since, `{"revision":N,"ops":[…],"epoch","chain"}`
 *   (the history fields when the gateway sent them). On start the snapshot's journal and every
 *   later-numbered one are replayed in order. Each line is fdatasynced before the revision is
 *   acknowledged; the journal file stays open between lines.
 *
 * Compaction runs beside the revisions, not before them: it first moves new lines to the next
 * journal (created, and its name synced, at once), then writes the state as it was at that moment
 * as a new `state.json` naming that journal — piece by piece, so revisions go on meanwhile — and
 * finally deletes the journals before it. A crash at any step leaves a snapshot whose journal and
 * the later ones hold every acknowledged change after it: before the rename, the old snapshot with
 * the old journal and the new one; after it, the new snapshot with the new journal (older
 * journals left behind are deleted on start). A torn last line — a crash mid-append, before the
 * ack — is ignored; a damaged line anywhere else is refused loudly (starting from less would drop
 * live enforcement).
 */

import { type FileHandle, mkdir, open, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { applyGroupOps, type GroupOp } from '@offside/core'
import { historyOf } from '@offside/protocol'
import { readOptional, syncFolder } from './durable-files.js'
import { type AgentState, readState, writeState } from './state-file.js'

/** Compact once the journal holds this many bytes (a few hot additions, or one big patch). */
export const COMPACT_AFTER_BYTES = 4 * 1024 * 1024
/** …or this many lines, so a start replays little. */
export const COMPACT_AFTER_LINES = 256

interface JournalLine {
  revision: number
  ops: GroupOp[]
  epoch?: string
  chain?: string
}

const journalName = (number: number) => `journal-${number}.ndjson`
const journalNumber = (name: string) => Number(/^journal-(\d+)\.ndjson$/.exec(name)?.[1] ?? Number.NaN)

/** The journals in `dir` by number, ascending. */
async function journalsIn(dir: string): Promise<number[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  return names
    .map(journalNumber)
    .filter(Number.isSafeInteger)
    .sort((a, b) => a - b)
}

/** Applies the complete lines of one journal; `last` says whether a torn tail may be ignored. */
function replay(path: string, text: string, state: AgentState, last: boolean): AgentState {
  const lines = text.split('\n')
  // A complete file ends with '\n', so its last piece is '': anything else there is a torn append.
  const tail = lines.pop() ?? ''
  if (tail !== '' && !last) throw new Error(`${path}: its last line is damaged, and later journals follow it`)
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
  return { revision, groups, ...history }
}

/** The persisted state, kept as a snapshot and a journal. Open with {@link StateStore.open}. */
export class StateStore {
  readonly #dir: string
  /** The journal new lines go to, and its open handle (created, name synced) once wanted. */
  #number: number
  #file: Promise<FileHandle> | undefined
  #bytes = 0
  #lines = 0
  /** The compaction running beside the revisions, if any; at most one at a time. */
  #compaction: Promise<void> | undefined
  readonly #onCompactionError: (err: unknown) => void

  private constructor(dir: string, number: number, onCompactionError: (err: unknown) => void) {
    this.#dir = dir
    this.#number = number
    this.#onCompactionError = onCompactionError
  }

  /**
   * Reads the snapshot and replays its journal and every later one. A missing folder is a fresh
   * agent. `onCompactionError` hears of a background compaction that failed (the journal then
   * simply goes on; the next compaction tries again).
   */
  static async open(
    dir: string,
    onCompactionError: (err: unknown) => void = () => undefined,
  ): Promise<{ store: StateStore; state: AgentState }> {
    const snapshot = await readState(dir)
    const first = journalNumber(snapshot.journal ?? journalName(1))
    if (!Number.isSafeInteger(first)) throw new Error(`${join(dir, 'state.json')} names no journal`)
    const journals = await journalsIn(dir)
    // Journals before the snapshot's were folded into it by a compaction that stopped before
    // deleting them.
    for (const number of journals.filter((n) => n < first))
      await rm(join(dir, journalName(number)), { force: true })
    const following = journals.filter((n) => n >= first)
    let state: AgentState = { revision: snapshot.revision, groups: snapshot.groups, ...historyOf(snapshot) }
    const store = new StateStore(dir, following.at(-1) ?? first, onCompactionError)
    for (const [i, number] of following.entries()) {
      const path = join(dir, journalName(number))
      const text = (await readOptional(path)) ?? ''
      const last = i === following.length - 1
      state = replay(path, text, state, last)
      const complete = text.slice(0, text.lastIndexOf('\n') + 1)
      // Continue after the last complete line: drop a torn tail so the next append starts clean.
      if (last && complete.length !== text.length) {
        const file = await open(path, 'r+')
        try {
          await file.truncate(Buffer.byteLength(complete))
          await file.sync()
        } finally {
          await file.close()
        }
      }
      store.#bytes += Buffer.byteLength(complete)
      store.#lines += complete.split('\n').length - 1
    }
    return { store, state }
  }

  /**
   * Appends one change (the ops that took the state to `revision`, and that revision's history
   * fields when it came with them) and syncs it to disk: one write and one fdatasync.
   */
  async record(
    revision: number,
    ops: GroupOp[],
    history: { epoch?: string | undefined; chain?: string | undefined } = {},
  ): Promise<void> {
    const line = `${JSON.stringify({ revision, ops, ...historyOf(history) })}\n`
    this.#file ??= this.#create(this.#number)
    let file: FileHandle
    try {
      file = await this.#file
    } catch (err) {
      this.#file = undefined // try to open it again with the next line
      throw err
    }
    await file.write(line)
    await file.datasync()
    this.#bytes += Buffer.byteLength(line)
    this.#lines++
  }

  /** Persists the change that took the state to `state.revision`, as one journal line. */
  async persist(ops: GroupOp[], state: AgentState): Promise<void> {
    await this.record(state.revision, ops, state)
  }

  /** True once the journal is long enough that {@link compact} is worth its write. */
  get wantsCompaction(): boolean {
    return (
      this.#compaction === undefined &&
      (this.#bytes >= COMPACT_AFTER_BYTES || this.#lines >= COMPACT_AFTER_LINES)
    )
  }

  /**
   * Starts folding the journal into a new snapshot of `state` (the state after the last recorded
   * line) and returns at once; lines recorded meanwhile go to the next journal. Does nothing while
   * a compaction is already running.
   */
  compactInBackground(state: AgentState): void {
    if (this.#compaction) return
    const running = this.#compact(state)
      .catch((err) => this.#onCompactionError(err))
      .finally(() => {
        if (this.#compaction === running) this.#compaction = undefined
      })
    this.#compaction = running
  }

  /** Writes `state` as the new snapshot followed by a fresh journal, and drops the old journals. */
  async compact(state: AgentState): Promise<void> {
    await this.#compaction
    await this.#compact(state)
  }

  /** Waits for a running compaction and closes the journal. */
  async close(): Promise<void> {
    await this.#compaction
    const file = this.#file
    this.#file = undefined
    if (file) await (await file).close()
  }

  async #compact(state: AgentState): Promise<void> {
    // Synchronously, before any await: every line recorded from now on goes to the next journal.
    const previous = this.#file
    const next = this.#number + 1
    this.#number = next
    this.#file = this.#create(next)
    this.#bytes = 0
    this.#lines = 0
    await this.#file
    if (previous) await (await previous).close()
    await writeState(this.#dir, { ...state, journal: journalName(next) })
    for (const number of await journalsIn(this.#dir))
      if (number < next) await rm(join(this.#dir, journalName(number)), { force: true })
  }

  /** Opens journal `number` for appending; its name is synced to disk before anything is written. */
  async #create(number: number): Promise<FileHandle> {
    await mkdir(this.#dir, { recursive: true })
    const file = await open(join(this.#dir, journalName(number)), 'a', 0o600)
    await syncFolder(this.#dir)
    return file
  }
}
