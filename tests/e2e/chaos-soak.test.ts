/**
 * The chaos soak's short form (docs/faults.md): `bench/soak/run.ts` for 50 s of match day
 * while processes are SIGKILLed and restarted, as its own process (the same command an operator
 * runs for hours). It must have made checks, injected faults, and found no violation. The seed is
 * printed; OFFSIDE_SOAK_SEED replays a failing plan.
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import t from 'tap'

const root = resolve(import.meta.dirname, '../..')
// 50 s of match day with a fault every ~6 s: about 3 minutes with the stack's start on 2 loaded cores.
const seconds = process.env.OFFSIDE_SOAK_SECONDS ?? '50'
const seed = process.env.OFFSIDE_SOAK_SEED ?? String(Math.floor(Math.random() * 2 ** 31))

interface SoakResult {
  seed: number
  faults: number
  faultsByKind: Record<string, number>
  checks: number
  violations: { rule: string; agent: string; detail: string }[]
}

t.setTimeout(300_000)

t.test(
  'under a match day with processes killed at random, nothing is enforced outside its window, every revocation is lifted within budget and every agent converges',
  async (t) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@offside/source',
        '--import',
        'tsx',
        'bench/soak/run.ts',
        '--seconds',
        seconds,
        '--seed',
        seed,
        '--fault-every-ms',
        '6000',
        '--json',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 280_000)
    const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)))
    clearTimeout(killer)
    t.comment(
      output
        .split('\n')
        .filter((line) => !line.startsWith('SOAK-RESULT'))
        .join('\n'),
    )
    const line = output.split('\n').find((l) => l.startsWith('SOAK-RESULT '))
    t.ok(line, `the soak reported its result (seed ${seed}, exit ${code})`)
    if (!line) return
    const result = JSON.parse(line.slice('SOAK-RESULT '.length)) as SoakResult
    t.equal(result.seed, Number(seed), 'with the seed that replays it')
    t.ok(result.checks > 100, `it checked the agents' enforcement (${result.checks} checks)`)
    t.ok(result.faults >= 2, `it injected faults (${result.faults}: ${JSON.stringify(result.faultsByKind)})`)
    t.same(result.violations, [], 'no invariant was violated')
    t.equal(code, 0, 'and the command exits 0')
  },
)
