/**
 * The store's Lua scripts, one file each in `src/lua/<name>-<numKeys>.lua` with a header naming
 * KEYS, ARGV and the results (as BullMQ keeps its commands). Each is read once when this module
 * loads and defined once per client with ioredis `defineCommand`, which sends EVALSHA and falls
 * back to EVAL only when Redis has not seen the script yet. Results come back by name.
 */
import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'

/** Each script's file and what its numeric results mean (a result not named is a value, e.g. a revision). */
const SCRIPTS = {
  claimConnection: { file: 'claim-connection-1', results: { 1: 'claimed', 0: 'full' } },
  recordSent: { file: 'record-sent-1', results: { 1: 'recorded' } },
  releaseAgent: { file: 'release-agent-1', results: { 1: 'released', 0: 'held-elsewhere' } },
  recordAck: { file: 'record-ack-2', results: { 1: 'recorded', 0: 'duplicate' } },
  publishRevision: {
    file: 'publish-revision-5',
    results: { [-1]: 'conflict', [-2]: 'duplicate-instant', [-3]: 'needs-groups' },
  },
  compactSnapshot: { file: 'compact-snapshot-2', results: { 1: 'compacted', 0: 'stale' } },
  decideComplaint: { file: 'decide-complaint-n', results: { 1: 'decided', 0: 'closed' } },
} as const

type Scripts = typeof SCRIPTS
export type ScriptName = keyof Scripts
/** What a script's result means: one of its named results, or the number it returned. */
export type ScriptResult<N extends ScriptName> = Scripts[N]['results'][keyof Scripts[N]['results']] | number

// The same folder from src/scripts.ts and from the built dist/scripts.js: .lua files are not
// compiled, so the build reads them where they are.
const luaDir = new URL('../src/lua/', import.meta.url)

const sources = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, { file }]) => {
    const keys = file.slice(file.lastIndexOf('-') + 1)
    return [
      name,
      {
        lua: readFileSync(new URL(`${file}.lua`, luaDir), 'utf8'),
        // `-n`: the caller says how many keys it passes.
        numberOfKeys: keys === 'n' ? undefined : Number(keys),
      },
    ]
  }),
) as Record<ScriptName, { lua: string; numberOfKeys: number | undefined }>

const defined = new WeakSet<object>()

type Command = (...args: (string | number)[]) => Promise<unknown>

/** Runs one of the store's scripts on `redis` and names its result. */
export async function runScript<N extends ScriptName>(
  redis: Redis,
  name: N,
  keys: string[],
  args: (string | number)[],
): Promise<ScriptResult<N>> {
  if (!defined.has(redis)) {
    for (const [script, source] of Object.entries(sources)) {
      redis.defineCommand(
        `offside_${script}`,
        source.numberOfKeys === undefined
          ? { lua: source.lua }
          : { lua: source.lua, numberOfKeys: source.numberOfKeys },
      )
    }
    defined.add(redis)
  }
  const { numberOfKeys } = sources[name]
  if (numberOfKeys !== undefined && keys.length !== numberOfKeys) {
    throw new TypeError(`script ${name} takes ${numberOfKeys} keys, got ${keys.length}`)
  }
  const command = (redis as unknown as Record<string, Command>)[`offside_${name}`] as Command
  const head = numberOfKeys === undefined ? [keys.length, ...keys] : keys
  const raw = Number(await command.call(redis, ...head, ...args))
  const results = SCRIPTS[name].results as Record<number, string>
  return (results[raw] ?? raw) as ScriptResult<N>
}
