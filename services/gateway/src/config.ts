import { hostname } from 'node:os'
import { DEFAULT_KEY_PREFIX, parseRedisUrl } from '@offside/store'

/** Everything the gateway reads from its environment, validated once at start-up. */
export interface GatewayConfig {
  host: string
  port: number
  redisUrl: string
  keyPrefix: string
  logLevel: string
  /** Ed25519 private key (PEM) that signs every snapshot and delta. */
  signingKeyFile: string
  /** Heartbeat period both ways; an agent silent for three periods is disconnected. */
  heartbeatMs: number
  /** A socket whose unsent data grows past this is a slow agent and is disconnected. */
  maxBufferedBytes: number
  /** Names this process in Redis (which gateway holds which agent). */
  gatewayId: string
  /** Simultaneous agent connections one ISP may hold across every gateway; more are refused (429). */
  maxAgentsPerIsp: number
  /**
   * Serve wss:// with this certificate chain and key (PEM files); with `clientCaFile`, agents must
   * also present a client certificate signed by that CA (mutual TLS). Plain ws:// when null.
   */
  tls: { certFile: string; keyFile: string; clientCaFile?: string } | null
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

/** OFFSIDE_TLS_CERT_FILE + OFFSIDE_TLS_KEY_FILE (both or neither), OFFSIDE_TLS_CLIENT_CA_FILE (mutual TLS). */
function tlsFiles(env: NodeJS.ProcessEnv): GatewayConfig['tls'] {
  const certFile = env.OFFSIDE_TLS_CERT_FILE || ''
  const keyFile = env.OFFSIDE_TLS_KEY_FILE || ''
  const clientCaFile = env.OFFSIDE_TLS_CLIENT_CA_FILE || ''
  if (!certFile && !keyFile && !clientCaFile) return null
  if (!certFile || !keyFile)
    throw new ConfigError('OFFSIDE_TLS_CERT_FILE and OFFSIDE_TLS_KEY_FILE go together (PEM files)')
  return { certFile, keyFile, ...(clientCaFile ? { clientCaFile } : {}) }
}

/** Reads and checks the gateway's settings; throws a {@link ConfigError} naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const redisUrl = env.OFFSIDE_REDIS_URL || 'redis://127.0.0.1:6379'
  try {
    parseRedisUrl(redisUrl)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  const signingKeyFile = env.OFFSIDE_SIGNING_KEY_FILE
  if (!signingKeyFile)
    throw new ConfigError('OFFSIDE_SIGNING_KEY_FILE is required (Ed25519 private key, PEM)')
  return {
    host: env.OFFSIDE_HOST || '127.0.0.1',
    port: integer('OFFSIDE_GATEWAY_PORT', env.OFFSIDE_GATEWAY_PORT, 8081, 0, 65535),
    redisUrl,
    keyPrefix: env.OFFSIDE_KEY_PREFIX || DEFAULT_KEY_PREFIX,
    logLevel: env.OFFSIDE_LOG_LEVEL || 'warn',
    signingKeyFile,
    heartbeatMs: integer(
      'OFFSIDE_GATEWAY_HEARTBEAT_MS',
      env.OFFSIDE_GATEWAY_HEARTBEAT_MS,
      10_000,
      100,
      600_000,
    ),
    maxBufferedBytes: integer(
      'OFFSIDE_GATEWAY_MAX_BUFFERED_BYTES',
      env.OFFSIDE_GATEWAY_MAX_BUFFERED_BYTES,
      64 * 1024 * 1024,
      1024,
      2 ** 31,
    ),
    gatewayId: env.OFFSIDE_GATEWAY_ID || `${hostname()}:${process.pid}`,
    tls: tlsFiles(env),
    maxAgentsPerIsp: integer(
      'OFFSIDE_GATEWAY_MAX_AGENTS_PER_ISP',
      env.OFFSIDE_GATEWAY_MAX_AGENTS_PER_ISP,
      64,
      1,
      100_000,
    ),
  }
}
