import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

/** What `./scripts/demo` was asked for. */
export interface DemoOptions {
  /** Start from empty data: the Redis files and the agent's state of an earlier run are removed. */
  fresh: boolean
  /** Tiny breaker floors, so a demo-sized list trips the circuit breaker (docs/api.md examples). */
  breaker: boolean
  /** Where the demo keeps its Redis, agent state, keys, logs and demo.env (default `<checkout>/.offside`). */
  stateDir: string
}

export const DEMO_USAGE = `./scripts/demo [--fresh] [--breaker]

  --fresh     start from empty data (removes the previous run's Redis files and agent state)
  --breaker   tiny circuit-breaker floors: the demo's first list trips the breaker and waits for ops
  --help

OFFSIDE_DEMO_DIR moves the demo's folder (default .offside in the checkout).`

export function parseDemoOptions(argv: string[], env: NodeJS.ProcessEnv, root: string): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { fresh: { type: 'boolean' }, breaker: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  })
  if (values.help) return 'help'
  return {
    fresh: values.fresh ?? false,
    breaker: values.breaker ?? false,
    stateDir: env.OFFSIDE_DEMO_DIR ? resolve(env.OFFSIDE_DEMO_DIR) : join(root, '.offside'),
  }
}

/**
 * Scheduler settings for `--breaker`: a floor of 4 IPv4 addresses (and one /48) instead of 2^20,
 * so growing from nothing to the demo's 49 addresses is more than 4 × the floor and trips.
 */
export const BREAKER_DEMO_ENV = {
  OFFSIDE_BREAKER_MIN_BASELINE_V4: '4',
  OFFSIDE_BREAKER_MIN_BASELINE_V6_48: '1',
}
