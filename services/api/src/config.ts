import { isIP } from 'node:net'
import { defaultAsnDir } from '@offside/asn-db'
import {
  ConfigError,
  commonEnv,
  integer,
  port,
  readServiceConfig,
  type SharedSettings,
  type TlsFiles,
  Type,
  tlsEnv,
  tlsSettings,
} from '@offside/service'

/** The API's configuration, validated once at start-up; nothing deeper reads `process.env`. */
export interface ApiConfig extends SharedSettings {
  port: number
  /** The bootstrap authority token (OFFSIDE_ADMIN_TOKEN). */
  adminToken: string
  /** Special-purpose range names the guard relaxes, e.g. ["documentation"] for demos and tests. */
  guardAllowSpecial: string[]
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
  tls: TlsFiles | null
  /**
   * Folder of the offline IP-to-ASN database (ip-location-db CSV format) the guard checks shared
   * networks in and the look-ups show; null turns ASN checks off. Default: the copy shipped in the
   * npm package @ip-location-db/asn. Loaded on first use.
   */
  asnDbDir: string | null
  /** Ed25519 private key (PEM) signing the prosecutor's export (OFFSIDE_REPORT_SIGNING_KEY_FILE); null: no export. */
  reportSigningKeyFile: string | null
}

/** The API's variables (docs/operations.md "Configuration"). */
const apiEnv = {
  OFFSIDE_API_PORT: port(8080),
  OFFSIDE_ADMIN_TOKEN: Type.String({ minLength: 16 }),
  OFFSIDE_GUARD_ALLOW_SPECIAL: Type.String({ default: '' }),
  OFFSIDE_API_BODY_LIMIT: integer(256 * 1024, 1024),
  OFFSIDE_API_LIST_BODY_LIMIT: integer(64 * 1024 * 1024, 1024),
  OFFSIDE_API_PUBLIC_BODY_LIMIT: integer(8 * 1024, 256),
  OFFSIDE_API_PUBLIC_RATE_LIMIT: integer(30, 1),
  OFFSIDE_GRACE_SECONDS: commonEnv.OFFSIDE_GRACE_SECONDS,
  OFFSIDE_COMPLIANCE_LATE_MS: commonEnv.OFFSIDE_COMPLIANCE_LATE_MS,
  OFFSIDE_TRUST_PROXY: Type.String({ default: 'false' }),
  OFFSIDE_ASN_DB_DIR: Type.String({ default: '' }),
  OFFSIDE_REPORT_SIGNING_KEY_FILE: Type.String({ default: '' }),
  ...tlsEnv,
}

/** OFFSIDE_TRUST_PROXY: "false", "true", or a comma list of addresses/CIDRs. */
function trustProxy(raw: string): boolean | string[] {
  const text = raw.trim()
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

/** OFFSIDE_ASN_DB_DIR: a folder, "off", or unset for the shipped database. */
function asnDbDir(raw: string): string | null {
  const text = raw.trim()
  if (text === 'off') return null
  return text === '' ? defaultAsnDir() : text
}

/** Reads and checks the environment; throws a {@link ConfigError} naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return readServiceConfig(apiEnv, env, (e) => ({
    port: e.OFFSIDE_API_PORT,
    adminToken: e.OFFSIDE_ADMIN_TOKEN,
    guardAllowSpecial: e.OFFSIDE_GUARD_ALLOW_SPECIAL.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    bodyLimit: e.OFFSIDE_API_BODY_LIMIT,
    listBodyLimit: e.OFFSIDE_API_LIST_BODY_LIMIT,
    publicBodyLimit: e.OFFSIDE_API_PUBLIC_BODY_LIMIT,
    publicRateLimit: e.OFFSIDE_API_PUBLIC_RATE_LIMIT,
    graceMs: e.OFFSIDE_GRACE_SECONDS * 1000,
    complianceLateMs: e.OFFSIDE_COMPLIANCE_LATE_MS,
    trustProxy: trustProxy(e.OFFSIDE_TRUST_PROXY),
    tls: tlsSettings(e),
    asnDbDir: asnDbDir(e.OFFSIDE_ASN_DB_DIR),
    reportSigningKeyFile: e.OFFSIDE_REPORT_SIGNING_KEY_FILE || null,
  }))
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
