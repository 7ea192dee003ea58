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

/**
 * Reads the persisted state. A missing file is a fresh agent; an unreadable one is refused loudly
 * rather than treated as empty, because starting empty would drop live enforcement.
 */
export async function readState(dir: string): Promise<AgentState> {
  const text = await readOptional(join(dir, FILE))
  if (text === undefined) return EMPTY_STATE
  const state = JSON.parse(text) as AgentState
  if (!Number.isSafeInteger(state.revision) || !Array.isArray(state.groups)) {
    throw new Error(`${join(dir, FILE)} is not an agent state file`)
  }
  const revisionText = await readOptional(join(dir, REVISION_FILE))
  if (revisionText === undefined) return state
  const { revision } = JSON.parse(revisionText) as { revision: number }
  if (!Number.isSafeInteger(revision)) throw new Error(`${join(dir, REVISION_FILE)} is not a revision file`)
  return { ...state, revision: Math.max(state.revision, revision) }
}

/**
 * Writes the state atomically: a temporary file, fsync, rename over the old one, fsync of the
 * folder. After a crash the file holds either the old or the new state, never half of one, so an
 * acknowledged revision is never lost.
 */
export async function writeState(dir: string, state: AgentState): Promise<void> {
  await writeAtomically(dir, FILE, JSON.stringify(state))
}

/**
 * Records that `revision` was applied without changing the groups last written by `writeState`;
 * atomic like `writeState`. Only valid when the groups are exactly those already persisted (or
 * those minus groups whose `until` has passed, which a restart drops anyway).
 */
export async function writeRevision(dir: string, revision: number): Promise<void> {
  await writeAtomically(dir, REVISION_FILE, JSON.stringify({ revision }))
}

async function writeAtomically(dir: string, name: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  const target = join(dir, name)
  const temp = `${target}.${process.pid}.tmp`
  const file = await open(temp, 'w', 0o600)
  try {
    await file.writeFile(text)
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, target)
  await syncFolder(dir)
}
