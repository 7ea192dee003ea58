import { isIP } from 'node:net'
import { defaultAsnDir } from '@offside/asn-db'
import { DEFAULT_COMPLIANCE_LATE_MS } from '@offside/core'
import { DEFAULT_GRACE_MS } from '@offside/store'

/** The API's configuration, validated once at start-up; nothing deeper reads `process.env`. */
export interface ApiConfig {
  host: string
  port: number
  redisUrl: string
  keyPrefix: string
  /** The bootstrap authority token (OFFSIDE_ADMIN_TOKEN). */
  adminToken: string
  /** Special-purpose range names the guard relaxes, e.g. ["documentation"] for demos and tests. */
  guardAllowSpecial: string[]
  logLevel: string
  /** Largest request body for ordinary routes, bytes. */
  bodyLimit: number
  /** Largest weekly-list or import body, bytes (a 200k-entry list is a few MB). */
  listBodyLimit: number
  /** Largest public complaint body, bytes. */
  publicBodyLimit: number
  /** Requests per minute per client address on the public endpoints. */
  publicRateLimit: number
  /** Grace after a window closes before its entries expire (SPEC rule 5). */
  graceMs: number
  /** An agent's acknowledgement later than this after the reference instant is late (SPEC rule 8), ms. */
  complianceLateMs: number
  /**
   * Which proxies' X-Forwarded-For to believe (Fastify `trustProxy`), so the public rate limit
   * counts clients rather than the proxy: false (default), true (any hop: only when nothing but
   * the proxy can reach the API), or the proxies' addresses/CIDRs (preferred).
   */
  trustProxy: boolean | string[]
  /** Serve HTTPS with this certificate chain and key (PEM files); plain HTTP when null. */
  tls: { certFile: string; keyFile: string } | null
  /**
   * Folder of the offline IP-to-ASN database (ip-location-db CSV format) the guard checks shared
   * networks in and the look-ups show; null turns ASN checks off. Default: the copy shipped in the
   * npm package @ip-location-db/asn. Loaded on first use.
   */
  asnDbDir: string | null
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min)
    throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`)
  return value
}

/** OFFSIDE_TRUST_PROXY: "false"/empty, "true", or a comma list of addresses/CIDRs. */
function trustProxy(raw: string | undefined): boolean | string[] {
  const text = (raw ?? '').trim()
  if (text === '' || text === 'false') return false
  if (text === 'true') return true
  const proxies = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  for (const proxy of proxies) {
    const [address, length, extra] = proxy.split('/')
    const valid =
      extra === undefined &&
      (isIP(address ?? '') !== 0 ||
        address === 'loopback' ||
        address === 'linklocal' ||
        address === 'uniquelocal') &&
      (length === undefined || /^\d{1,3}$/.test(length))
    if (!valid) {
      throw new ConfigError(
        `OFFSIDE_TRUST_PROXY must be true, false or a comma list of addresses/CIDRs, got "${proxy}"`,
      )
    }
  }
  return proxies
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Reads and checks the environment (names in docs/architecture.md "Configuration"). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const adminToken = env.OFFSIDE_ADMIN_TOKEN ?? ''
  if (adminToken.length < 16)
    throw new ConfigError('OFFSIDE_ADMIN_TOKEN is required (at least 16 characters)')
  const logLevel = env.OFFSIDE_LOG_LEVEL || 'warn'
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError(`OFFSIDE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  return {
    host: env.OFFSIDE_HOST || '127.0.0.1',
    port: integer(env, 'OFFSIDE_API_PORT', 8080),
    redisUrl: env.OFFSIDE_REDIS_URL || 'redis://127.0.0.1:6379',
    keyPrefix: env.OFFSIDE_KEY_PREFIX ?? 'offside:',
    adminToken,
    guardAllowSpecial: (env.OFFSIDE_GUARD_ALLOW_SPECIAL ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    logLevel,
    bodyLimit: integer(env, 'OFFSIDE_API_BODY_LIMIT', 256 * 1024, 1024),
    listBodyLimit: integer(env, 'OFFSIDE_API_LIST_BODY_LIMIT', 64 * 1024 * 1024, 1024),
    publicBodyLimit: integer(env, 'OFFSIDE_API_PUBLIC_BODY_LIMIT', 8 * 1024, 256),
    publicRateLimit: integer(env, 'OFFSIDE_API_PUBLIC_RATE_LIMIT', 30, 1),
    // The same variable the scheduler reads, so /v1/state shows the `until` agents are sent.
    graceMs: integer(env, 'OFFSIDE_GRACE_SECONDS', DEFAULT_GRACE_MS / 1000) * 1000,
    // The same variable the dashboard reads, so its late/missing counts match the report's.
    complianceLateMs: integer(env, 'OFFSIDE_COMPLIANCE_LATE_MS', DEFAULT_COMPLIANCE_LATE_MS),
    trustProxy: trustProxy(env.OFFSIDE_TRUST_PROXY),
    tls: tlsFiles(env),
    asnDbDir: asnDbDir(env.OFFSIDE_ASN_DB_DIR),
  }
}

/** OFFSIDE_TLS_CERT_FILE and OFFSIDE_TLS_KEY_FILE: both (HTTPS) or neither (HTTP). */
export function tlsFiles(env: NodeJS.ProcessEnv): { certFile: string; keyFile: string } | null {
  const certFile = env.OFFSIDE_TLS_CERT_FILE || ''
  const keyFile = env.OFFSIDE_TLS_KEY_FILE || ''
  if (!certFile && !keyFile) return null
  if (!certFile || !keyFile)
    throw new ConfigError('OFFSIDE_TLS_CERT_FILE and OFFSIDE_TLS_KEY_FILE go together (PEM files)')
  return { certFile, keyFile }
}

/** OFFSIDE_ASN_DB_DIR: a folder, "off", or empty for the shipped database. */
function asnDbDir(raw: string | undefined): string | null {
  const text = (raw ?? '').trim()
  if (text === 'off') return null
  return text === '' ? defaultAsnDir() : text
}

/**
 * A configuration for tests and embedding: defaults plus whatever is given. The ASN database is
 * off unless a test asks for it (`asnDbDir: defaultAsnDir()`): loading it takes a second or two.
 */
export function testConfig(overrides: Partial<ApiConfig> & { redisUrl: string }): ApiConfig {
  return {
    ...loadConfig({
      OFFSIDE_ADMIN_TOKEN: 'test-admin-token-0123456789',
      OFFSIDE_GUARD_ALLOW_SPECIAL: 'documentation',
      OFFSIDE_ASN_DB_DIR: 'off',
    }),
    ...overrides,
  }
}
