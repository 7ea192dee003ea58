import { spawn } from 'node:child_process'
import { GROUP_SET_PATTERN, lengthOfSet } from './script.js'

/** Where `nft` runs: the agent's own network namespace, or a named one (`ip netns exec`). */
export interface NftTarget {
  netns?: string | undefined
}

/** `nft` refused a transaction; nothing of it was applied (transactions are atomic). */
export class NftError extends Error {
  override readonly name = 'NftError'
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message)
  }
}

function command(target: NftTarget, args: string[]): [string, string[]] {
  return target.netns ? ['ip', ['netns', 'exec', target.netns, 'nft', ...args]] : ['nft', args]
}

/** Runs `nft` with `args`, feeding `input` on stdin; resolves its stdout. */
export function runNft(target: NftTarget, args: string[], input = ''): Promise<string> {
  const [file, argv] = command(target, args)
  // TZ=UTC: nft prints and parses dates in the local zone; we only ever pass epoch seconds.
  const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } })
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout).toString())
      else {
        const first = stderr.split('\n').slice(0, 3).join(' | ').slice(0, 500)
        reject(new NftError(`nft ${args.join(' ')} exited with ${code}: ${first}`, stderr))
      }
    })
    child.stdin.on('error', () => undefined) // an early exit is reported by 'close'
    child.stdin.end(input)
  })
}

/** Applies a script as one atomic transaction (`nft -f -`): all of it or none of it. */
export async function applyScript(target: NftTarget, lines: string[]): Promise<void> {
  if (lines.length === 0) return
  await runNft(target, ['-f', '-'], `${lines.join('\n')}\n`)
}

/** One entry of `nft -j` output; we only read sets and their elements. */
interface JsonSet {
  name: string
  comment?: string
  elem?: unknown[]
}

/** The sets of our table (names only, elements left out: `-t`), or none if the table is absent. */
export async function listSetNames(target: NftTarget, table: string): Promise<string[]> {
  let output: string
  try {
    output = await runNft(target, ['-t', '-j', 'list', 'table', 'inet', table])
  } catch (err) {
    if (err instanceof NftError && /No such file or directory/.test(err.stderr)) return []
    throw err
  }
  return parseSets(output).map((set) => set.name)
}

function parseSets(output: string): JsonSet[] {
  const parsed = JSON.parse(output) as { nftables?: Array<{ set?: JsonSet }> }
  return (parsed.nftables ?? []).flatMap((entry) => (entry.set ? [entry.set] : []))
}

function elementText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    if ('elem' in record) return elementText((record.elem as Record<string, unknown>).val)
    if ('prefix' in record) {
      const prefix = record.prefix as { addr: string; len: number }
      return `${prefix.addr}/${prefix.len}`
    }
    if ('concat' in record) return elementText((record.concat as unknown[])[0])
  }
  return JSON.stringify(value)
}

/**
 * Every set of our table with its elements as the kernel holds them, as CIDR prefixes (the
 * length is the set's, see `lengthOfSet`). Reads every element: for operators' checks, tests and
 * start-up, never the hot path.
 */
export async function listSets(target: NftTarget, table: string): Promise<Map<string, string[]>> {
  let output: string
  try {
    output = await runNft(target, ['-j', 'list', 'table', 'inet', table])
  } catch (err) {
    if (err instanceof NftError && /No such file or directory/.test(err.stderr)) return new Map()
    throw err
  }
  return new Map(
    parseSets(output).map((set) => {
      const suffix = GROUP_SET_PATTERN.test(set.name) ? `/${lengthOfSet(set.name)}` : ''
      return [set.name, (set.elem ?? []).map((elem) => `${elementText(elem)}${suffix}`)]
    }),
  )
}
