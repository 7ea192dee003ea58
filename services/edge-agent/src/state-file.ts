import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { EnforcementGroup } from '@offside/core'

/** What the agent persists: the last applied revision and the groups it enforces or has staged. */
export interface AgentState {
  revision: number
  groups: EnforcementGroup[]
}

export const EMPTY_STATE: AgentState = { revision: 0, groups: [] }

const FILE = 'state.json'

/**
 * Reads the persisted state. A missing file is a fresh agent; an unreadable one is refused loudly
 * rather than treated as empty, because starting empty would drop live enforcement.
 */
export async function readState(dir: string): Promise<AgentState> {
  let text: string
  try {
    text = await readFile(join(dir, FILE), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_STATE
    throw err
  }
  const state = JSON.parse(text) as AgentState
  if (!Number.isSafeInteger(state.revision) || !Array.isArray(state.groups)) {
    throw new Error(`${join(dir, FILE)} is not an agent state file`)
  }
  return state
}

/**
 * Writes the state atomically: a temporary file, fsync, rename over the old one, fsync of the
 * folder. After a crash the file holds either the old or the new state, never half of one, so an
 * acknowledged revision is never lost.
 */
export async function writeState(dir: string, state: AgentState): Promise<void> {
  await mkdir(dir, { recursive: true })
  const target = join(dir, FILE)
  const temp = `${target}.${process.pid}.tmp`
  const file = await open(temp, 'w', 0o600)
  try {
    await file.writeFile(JSON.stringify(state))
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, target)
  const folder = await open(dir, 'r')
  try {
    await folder.sync()
  } finally {
    await folder.close()
  }
}
