import { defaultTimeZone } from '@offside/core'

/** The notifier's settings, validated once at start-up; nothing deeper reads `process.env`. */
export interface NotifierConfig {
  host: string
  port: number
  redisUrl: string
  keyPrefix: string
  smtpUrl: string
  from: string
  signingKeyFile: string
  logLevel: string
  /** Weekly hosting notices: how often the builder runs (0: never), the delay after a week, its zone. */
  hostingEveryMs: number
  hostingDelayMs: number
  hostingTimeZone: string
  /** The offline IP-to-ASN database's folder; null: the copy in @ip-location-db/asn. */
  asnDbDir: string | null
  abuseContactsFile: string | null
  /** The public complaint form named in hosting notices. */
  complaintUrl: string
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const port = env.OFFSIDE_NOTIFIER_PORT ? Number(env.OFFSIDE_NOTIFIER_PORT) : 8085
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`OFFSIDE_NOTIFIER_PORT must be a TCP port, got "${env.OFFSIDE_NOTIFIER_PORT}"`)
  }
  const smtpUrl = env.OFFSIDE_SMTP_URL || 'smtp://127.0.0.1:25'
  if (!/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError('OFFSIDE_SMTP_URL must be smtp://… or smtps://…')
  // A key apart from the push key (OFFSIDE_SIGNING_KEY_FILE, the gateway's alone): a notifier
  // holding the push key, once compromised, could sign revisions that every agent accepts.
  const signingKeyFile = env.OFFSIDE_NOTICE_KEY_FILE ?? ''
  if (!signingKeyFile)
    throw new ConfigError(
      'OFFSIDE_NOTICE_KEY_FILE is required (the Ed25519 key that signs webhook notices, apart from the push key)',
    )
  const minutes = (name: string, fallback: number) => {
    const raw = env[name]
    const value = raw ? Number(raw) : fallback
    if (!Number.isFinite(value) || value < 0)
      throw new ConfigError(`${name} must be minutes ≥ 0, got "${raw}"`)
    return value * 60_000
  }
  const portalUrl = (env.OFFSIDE_PORTAL_PUBLIC_URL || env.OFFSIDE_PORTAL_URL || '').replace(/\/+$/, '')
  return {
    hostingEveryMs: minutes('OFFSIDE_HOSTING_NOTICE_EVERY_MINUTES', 60),
    hostingDelayMs: minutes('OFFSIDE_HOSTING_NOTICE_DELAY_MINUTES', 0),
    hostingTimeZone: env.OFFSIDE_HOSTING_NOTICE_TIME_ZONE || defaultTimeZone,
    asnDbDir: env.OFFSIDE_ASN_DB_DIR || null,
    abuseContactsFile: env.OFFSIDE_ABUSE_CONTACTS_FILE || null,
    complaintUrl:
      env.OFFSIDE_COMPLAINT_URL ||
      (portalUrl ? `${portalUrl}/lookup` : 'the public complaint form of the authority'),
    host: env.OFFSIDE_HOST || '127.0.0.1',
    port,
    redisUrl: env.OFFSIDE_REDIS_URL || 'redis://127.0.0.1:6379',
    keyPrefix: env.OFFSIDE_KEY_PREFIX ?? 'offside:',
    smtpUrl,
    from: env.OFFSIDE_NOTIFY_FROM || 'Offside <offside@localhost>',
    signingKeyFile,
    logLevel: env.OFFSIDE_LOG_LEVEL || 'warn',
  }
}
