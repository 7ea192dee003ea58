import { mkdir, open, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { EnforcementGroup } from '@offside/core'
import { readOptional, syncFolder } from './durable-files.js'

/** What the agent persists: the last applied revision and the groups it enforces or has staged. */
export interface AgentState {
  revision: number
  groups: EnforcementGroup[]
  /** The control plane's history `revision` belongs to (docs/protocol.md §4); absent when unknown. */
  epoch?: string
  chain?: string
  /** The journal that follows this snapshot (state-journal.ts); absent in files of older agents. */
  journal?: string
}

export const EMPTY_STATE: AgentState = { revision: 0, groups: [] }

const FILE = 'state.json'
/**
 * The revision of a later revision that changed no group (a window opening or closing by the
 * clock): writing a number instead of 100k prefixes keeps such acks immediate. The groups in
 * FILE are still those of that revision, and revisions only grow, so the larger number wins.
 */
const REVISION_FILE = 'revision.json'

/** How `state.json` stores groups: each distinct prefix list once, groups naming theirs by index. */
interface StoredGroup extends Omit<EnforcementGroup, 'prefixes'> {
  prefixes?: string[]
  cover?: number
}

/**
 * Reads the persisted state. A missing file is a fresh agent; an unreadable one is refused loudly
 * rather than treated as empty, because starting empty would drop live enforcement. Windows that
 * were written sharing one cover come back sharing one array (as core's shareCovers leaves them).
 */
export async function readState(dir: string): Promise<AgentState> {
  const text = await readOptional(join(dir, FILE))
  if (text === undefined) return EMPTY_STATE
  const stored = JSON.parse(text) as Omit<AgentState, 'groups'> & {
    groups: StoredGroup[]
    covers?: string[][]
  }
  if (!Number.isSafeInteger(stored.revision) || !Array.isArray(stored.groups)) {
    throw new Error(`${join(dir, FILE)} is not an agent state file`)
  }
  const { covers, groups: storedGroups, ...rest } = stored
  const groups = storedGroups.map(({ cover, prefixes, ...group }): EnforcementGroup => {
    const list = cover === undefined ? prefixes : covers?.[cover]
    if (!Array.isArray(list)) throw new Error(`${join(dir, FILE)}: group ${group.id} has no prefixes`)
    return { ...group, prefixes: list }
  })
  const state: AgentState = { ...rest, groups }
  const revisionText = await readOptional(join(dir, REVISION_FILE))
  if (revisionText === undefined) return state
  const { revision } = JSON.parse(revisionText) as { revision: number }
  if (!Number.isSafeInteger(revision)) throw new Error(`${join(dir, REVISION_FILE)} is not a revision file`)
  return { ...state, revision: Math.max(state.revision, revision) }
}

/** Prefixes per piece of text: small enough that writing a piece never holds the event loop long. */
const PREFIXES_PER_PIECE = 8192

/**
 * The text of `state.json` in pieces, each distinct prefix list once (three windows of one 112k
 * cover are one list, not three). Written piece by piece with an await between them, a 100k-entry
 * state never blocks the revisions that arrive meanwhile (state-journal.ts compacts in the
 * background) for more than one piece's JSON.stringify.
 */
function* stateText(state: AgentState): Generator<string> {
  const covers: string[][] = []
  const index = new Map<string[], number>()
  const groups = state.groups.map(({ prefixes, ...group }) => {
    let cover = index.get(prefixes)
    if (cover === undefined) {
      cover = covers.push(prefixes) - 1
      index.set(prefixes, cover)
    }
    return { ...group, cover }
  })
  const { groups: _, ...head } = state
  yield `${JSON.stringify(head).slice(0, -1)},"groups":${JSON.stringify(groups)},"covers":[`
  for (const [i, cover] of covers.entries()) {
    yield i === 0 ? '[' : ',['
    for (let at = 0; at < cover.length; at += PREFIXES_PER_PIECE) {
      const piece = JSON.stringify(cover.slice(at, at + PREFIXES_PER_PIECE)).slice(1, -1)
      yield at === 0 ? piece : `,${piece}`
    }
    yield ']'
  }
  yield ']}'
}

/**
 * Writes the state atomically: a temporary file, fsync, rename over the old one, fsync of the
 * folder. After a crash the file holds either the old or the new state, never half of one, so an
 * acknowledged revision is never lost. `state` must not change while this runs (core's group
 * operations return new groups and arrays; they never edit the ones given).
 */
export async function writeState(dir: string, state: AgentState): Promise<void> {
  await writeAtomically(dir, FILE, stateText(state))
}

/**
 * Records that `revision` was applied without changing the groups last written by `writeState`;
 * atomic like `writeState`. Only valid when the groups are exactly those already persisted (or
 * those minus groups whose `until` has passed, which a restart drops anyway).
 */
export async function writeRevision(dir: string, revision: number): Promise<void> {
  await writeAtomically(dir, REVISION_FILE, [JSON.stringify({ revision })])
}

async function writeAtomically(dir: string, name: string, pieces: Iterable<string>): Promise<void> {
  await mkdir(dir, { recursive: true })
  const target = join(dir, name)
  const temp = `${target}.${process.pid}.tmp`
  const file = await open(temp, 'w', 0o600)
  try {
    for (const piece of pieces) await file.write(piece)
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, target)
  await syncFolder(dir)
}
