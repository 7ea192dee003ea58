import { defaultGuardConfig } from '@offside/core'
import { commonEnv, integer, port, readServiceConfig, type SharedSettings, Type } from '@offside/service'
import { DEFAULT_REVISION_HISTORY } from '@offside/store'
import type { BreakerConfig } from './breaker.js'

/** Everything the scheduler reads from its environment, validated once at start-up. */
export interface SchedulerConfig extends SharedSettings {
  port: number
  /** Windows opening within this much time are staged to agents ahead of their opening (ms). */
  horizonMs: number
  /** How long entries stay enforced after a window closes (SPEC rule 5 "small grace", ms). */
  graceMs: number
  /** How often the cluster re-syncs calendar jobs and stages windows entering the horizon (ms). */
  tickMs: number
  /** Revisions kept in the stream; an agent further behind gets a snapshot. */
  revisionHistory: number
  /** Circuit breaker (SPEC rule 6): growth factor, totals and baseline floors; core's defaults. */
  breaker: BreakerConfig
  /** The Ed25519 key that signs audit checkpoints (checkpoints.ts); none: no checkpoints. */
  checkpointKeyFile?: string
  checkpointIntervalMs: number
}

/** An address count: a whole number too large for a JSON number, read as a bigint. */
const count = (fallback: bigint) => Type.String({ pattern: '^\\d{1,20}$', default: String(fallback) })

const breaker = defaultGuardConfig.breaker

/** The scheduler's variables (docs/operations.md "Configuration"). */
const schedulerEnv = {
  OFFSIDE_SCHEDULER_PORT: port(8082),
  OFFSIDE_STAGING_HORIZON_HOURS: integer(36, 1, 24 * 7),
  OFFSIDE_GRACE_SECONDS: commonEnv.OFFSIDE_GRACE_SECONDS,
  OFFSIDE_SCHEDULER_TICK_MS: integer(60_000, 1000, 3600_000),
  OFFSIDE_REVISION_HISTORY: integer(DEFAULT_REVISION_HISTORY, 100, 10_000_000),
  // The breaker's limits: core's defaults, each overridable (tests and demos use small ones).
  OFFSIDE_BREAKER_MAX_GROWTH_FACTOR: Type.Number({ minimum: 1, default: breaker.maxGrowthFactor }),
  OFFSIDE_BREAKER_MAX_TOTAL_V4: count(breaker.maxTotalV4Addresses),
  OFFSIDE_BREAKER_MAX_TOTAL_V6_48: count(breaker.maxTotalV6Prefixes48),
  OFFSIDE_BREAKER_MIN_BASELINE_V4: count(breaker.minBaselineV4Addresses),
  OFFSIDE_BREAKER_MIN_BASELINE_V6_48: count(breaker.minBaselineV6Prefixes48),
  OFFSIDE_BREAKER_MAX_TOTAL_NAMES: integer(breaker.maxTotalNames, 0),
  OFFSIDE_BREAKER_MIN_BASELINE_NAMES: integer(breaker.minBaselineNames, 0),
  OFFSIDE_CHECKPOINT_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  OFFSIDE_CHECKPOINT_INTERVAL_MS: integer(60_000, 1000, 24 * 3600_000),
}

/** Reads and checks the scheduler's settings; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  return readServiceConfig(schedulerEnv, env, (e) => ({
    port: e.OFFSIDE_SCHEDULER_PORT,
    horizonMs: e.OFFSIDE_STAGING_HORIZON_HOURS * 3600_000,
    graceMs: e.OFFSIDE_GRACE_SECONDS * 1000,
    tickMs: e.OFFSIDE_SCHEDULER_TICK_MS,
    revisionHistory: e.OFFSIDE_REVISION_HISTORY,
    ...(e.OFFSIDE_CHECKPOINT_KEY_FILE ? { checkpointKeyFile: e.OFFSIDE_CHECKPOINT_KEY_FILE } : {}),
    checkpointIntervalMs: e.OFFSIDE_CHECKPOINT_INTERVAL_MS,
    breaker: {
      maxGrowthFactor: e.OFFSIDE_BREAKER_MAX_GROWTH_FACTOR,
      maxTotalV4Addresses: BigInt(e.OFFSIDE_BREAKER_MAX_TOTAL_V4),
      maxTotalV6Prefixes48: BigInt(e.OFFSIDE_BREAKER_MAX_TOTAL_V6_48),
      minBaselineV4Addresses: BigInt(e.OFFSIDE_BREAKER_MIN_BASELINE_V4),
      minBaselineV6Prefixes48: BigInt(e.OFFSIDE_BREAKER_MIN_BASELINE_V6_48),
      maxTotalNames: e.OFFSIDE_BREAKER_MAX_TOTAL_NAMES,
      minBaselineNames: e.OFFSIDE_BREAKER_MIN_BASELINE_NAMES,
    },
  }))
}
