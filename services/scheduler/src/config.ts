import { defaultGuardConfig } from '@offside/core'
import { DEFAULT_GRACE_MS, DEFAULT_KEY_PREFIX, DEFAULT_REVISION_HISTORY, parseRedisUrl } from '@offside/store'
import type { BreakerConfig } from './breaker.js'

/** Everything the scheduler reads from its environment, validated once at start-up. */
export interface SchedulerConfig {
  host: string
  port: number
  redisUrl: string
  keyPrefix: string
  logLevel: string
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
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${value}"`)
  }
  return n
}

function redisUrl(value: string | undefined): string {
  const text = value || 'redis://127.0.0.1:6379'
  try {
    parseRedisUrl(text) // one server, Sentinel or Cluster (store connection.ts)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  return text
}

function growthFactor(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 1) {
    throw new ConfigError(`OFFSIDE_BREAKER_MAX_GROWTH_FACTOR must be a number of at least 1, got "${value}"`)
  }
  return n
}

function count(name: string, value: string | undefined, fallback: bigint): bigint {
  if (value === undefined || value === '') return fallback
  if (!/^\d{1,20}$/.test(value)) throw new ConfigError(`${name} must be a whole number, got "${value}"`)
  return BigInt(value)
}

/** The breaker's limits: core's defaults, each overridable (tests and demos use small ones). */
function breakerConfig(env: NodeJS.ProcessEnv): BreakerConfig {
  const d = defaultGuardConfig.breaker
  return {
    maxGrowthFactor: growthFactor(env.OFFSIDE_BREAKER_MAX_GROWTH_FACTOR, d.maxGrowthFactor),
    maxTotalV4Addresses: count(
      'OFFSIDE_BREAKER_MAX_TOTAL_V4',
      env.OFFSIDE_BREAKER_MAX_TOTAL_V4,
      d.maxTotalV4Addresses,
    ),
    maxTotalV6Prefixes48: count(
      'OFFSIDE_BREAKER_MAX_TOTAL_V6_48',
      env.OFFSIDE_BREAKER_MAX_TOTAL_V6_48,
      d.maxTotalV6Prefixes48,
    ),
    minBaselineV4Addresses: count(
      'OFFSIDE_BREAKER_MIN_BASELINE_V4',
      env.OFFSIDE_BREAKER_MIN_BASELINE_V4,
      d.minBaselineV4Addresses,
    ),
    minBaselineV6Prefixes48: count(
      'OFFSIDE_BREAKER_MIN_BASELINE_V6_48',
      env.OFFSIDE_BREAKER_MIN_BASELINE_V6_48,
      d.minBaselineV6Prefixes48,
    ),
    maxTotalNames: Number(
      count('OFFSIDE_BREAKER_MAX_TOTAL_NAMES', env.OFFSIDE_BREAKER_MAX_TOTAL_NAMES, BigInt(d.maxTotalNames)),
    ),
    minBaselineNames: Number(
      count(
        'OFFSIDE_BREAKER_MIN_BASELINE_NAMES',
        env.OFFSIDE_BREAKER_MIN_BASELINE_NAMES,
        BigInt(d.minBaselineNames),
      ),
    ),
  }
}

/** Reads and checks the scheduler's settings; throws a {@link ConfigError} naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  return {
    host: env.OFFSIDE_HOST || '127.0.0.1',
    port: integer('OFFSIDE_SCHEDULER_PORT', env.OFFSIDE_SCHEDULER_PORT, 8082, 0, 65535),
    redisUrl: redisUrl(env.OFFSIDE_REDIS_URL),
    keyPrefix: env.OFFSIDE_KEY_PREFIX || DEFAULT_KEY_PREFIX,
    logLevel: env.OFFSIDE_LOG_LEVEL || 'warn',
    horizonMs:
      integer('OFFSIDE_STAGING_HORIZON_HOURS', env.OFFSIDE_STAGING_HORIZON_HOURS, 36, 1, 24 * 7) * 3600_000,
    graceMs:
      integer('OFFSIDE_GRACE_SECONDS', env.OFFSIDE_GRACE_SECONDS, DEFAULT_GRACE_MS / 1000, 0, 3600) * 1000,
    tickMs: integer('OFFSIDE_SCHEDULER_TICK_MS', env.OFFSIDE_SCHEDULER_TICK_MS, 60_000, 1000, 3600_000),
    revisionHistory: integer(
      'OFFSIDE_REVISION_HISTORY',
      env.OFFSIDE_REVISION_HISTORY,
      DEFAULT_REVISION_HISTORY,
      100,
      10_000_000,
    ),
    breaker: breakerConfig(env),
  }
}
