import { DEFAULT_COMPLIANCE_LATE_MS } from '@offside/core'
import { DEFAULT_KEY_PREFIX, parseRedisUrl } from '@offside/store'

/** Everything the dashboard reads from its environment, validated once at start-up. */
export interface DashboardConfig {
  host: string
  port: number
  redisUrl: string
  keyPrefix: string
  /** The API that performs every action (approve, reject, decide), with the user's own token. */
  apiUrl: string
  /** The bootstrap authority token, accepted like the API accepts it; absent means none. */
  adminToken?: string
  logLevel: string
  /** How often agents, held entries and complaints are re-read while someone watches (ms). */
  pollMs: number
  /** An agent's acknowledgement later than this after the scheduled instant is late (ms), as in the API's report. */
  complianceLateMs: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${name} must be a TCP port, got "${value}"`)
  return n
}

function url(name: string, value: string | undefined, fallback: string, schemes: string[]): string {
  const text = value === undefined || value === '' ? fallback : value
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${text}"`)
  }
  if (!schemes.includes(parsed.protocol)) throw new ConfigError(`${name} must use ${schemes.join(' or ')}`)
  return text.replace(/\/+$/, '')
}

/** One server, Sentinel or Cluster (store connection.ts). */
function redisUrl(text: string): string {
  try {
    parseRedisUrl(text)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  return text
}

/** Reads and checks the dashboard's settings; throws a {@link ConfigError} naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const pollMs = env.OFFSIDE_DASHBOARD_POLL_MS ? Number(env.OFFSIDE_DASHBOARD_POLL_MS) : 500
  if (!Number.isInteger(pollMs) || pollMs < 50 || pollMs > 10_000) {
    throw new ConfigError('OFFSIDE_DASHBOARD_POLL_MS must be an integer between 50 and 10000')
  }
  const lateRaw = env.OFFSIDE_COMPLIANCE_LATE_MS
  const complianceLateMs = lateRaw ? Number(lateRaw) : DEFAULT_COMPLIANCE_LATE_MS
  if (!Number.isInteger(complianceLateMs) || complianceLateMs < 0) {
    throw new ConfigError(`OFFSIDE_COMPLIANCE_LATE_MS must be an integer ≥ 0, got "${lateRaw}"`)
  }
  return {
    host: env.OFFSIDE_HOST || '127.0.0.1',
    port: port('OFFSIDE_DASHBOARD_PORT', env.OFFSIDE_DASHBOARD_PORT, 8083),
    redisUrl: redisUrl(env.OFFSIDE_REDIS_URL || 'redis://127.0.0.1:6379'),
    keyPrefix: env.OFFSIDE_KEY_PREFIX || DEFAULT_KEY_PREFIX,
    apiUrl: url('OFFSIDE_API_URL', env.OFFSIDE_API_URL, 'http://127.0.0.1:8080', ['http:', 'https:']),
    ...(env.OFFSIDE_ADMIN_TOKEN ? { adminToken: env.OFFSIDE_ADMIN_TOKEN } : {}),
    logLevel: env.OFFSIDE_LOG_LEVEL || 'warn',
    pollMs,
    complianceLateMs,
  }
}
