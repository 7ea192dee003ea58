/** Everything the portal reads from its environment, validated once at start-up. */
export interface PortalConfig {
  host: string
  port: number
  /** The API whose public endpoints the portal reads and forwards to; the portal holds no token. */
  apiUrl: string
  /** The portal's own public address, for the Atom feed's links (default http://host:port). */
  publicUrl: string
  logLevel: string
  /** Longest wait for the API on one request, ms. */
  apiTimeoutMs: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${name} must be a TCP port, got "${value}"`)
  return n
}

function httpUrl(name: string, value: string): string {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${value}"`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must use http: or https:`)
  }
  return value.replace(/\/+$/, '')
}

/** Reads and checks the portal's settings; throws a {@link ConfigError} naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  const host = env.OFFSIDE_HOST || '127.0.0.1'
  const listenPort = port('OFFSIDE_PORTAL_PORT', env.OFFSIDE_PORTAL_PORT, 8084)
  const logLevel = env.OFFSIDE_LOG_LEVEL || 'warn'
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError(`OFFSIDE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  return {
    host,
    port: listenPort,
    apiUrl: httpUrl('OFFSIDE_API_URL', env.OFFSIDE_API_URL || 'http://127.0.0.1:8080'),
    publicUrl: httpUrl(
      'OFFSIDE_PORTAL_PUBLIC_URL',
      env.OFFSIDE_PORTAL_PUBLIC_URL || `http://${host}:${listenPort}`,
    ),
    logLevel,
    apiTimeoutMs: 10_000,
  }
}
