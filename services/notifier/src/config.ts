import { defaultTimeZone, isValidTimeZone } from '@offside/core'
import { ConfigError, port, readServiceConfig, type SharedSettings, Type, url } from '@offside/service'

/** The notifier's settings, validated once at start-up; nothing deeper reads `process.env`. */
export interface NotifierConfig extends SharedSettings {
  port: number
  smtpUrl: string
  from: string
  signingKeyFile: string
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

/** Minutes ≥ 0 (fractions allowed: tests and demos run the builder every few seconds). */
const minutes = (fallback: number) => Type.Number({ default: fallback, minimum: 0 })

/** The notifier's own variables (docs/notices.md "Configuration"); the shared ones come from the kit. */
const notifierEnv = {
  OFFSIDE_NOTIFIER_PORT: port(8085),
  OFFSIDE_SMTP_URL: url('smtp://127.0.0.1:25', ['smtp', 'smtps']),
  OFFSIDE_NOTIFY_FROM: Type.String({ default: 'Offside <offside@localhost>' }),
  // A key apart from the push key (OFFSIDE_SIGNING_KEY_FILE, the gateway's alone): a notifier
  // holding the push key, once compromised, could sign revisions that every agent accepts.
  OFFSIDE_NOTICE_KEY_FILE: Type.String(),
  OFFSIDE_HOSTING_NOTICE_EVERY_MINUTES: minutes(60),
  OFFSIDE_HOSTING_NOTICE_DELAY_MINUTES: minutes(0),
  OFFSIDE_HOSTING_NOTICE_TIME_ZONE: Type.String({ default: defaultTimeZone }),
  OFFSIDE_ASN_DB_DIR: Type.Optional(Type.String()),
  OFFSIDE_ABUSE_CONTACTS_FILE: Type.Optional(Type.String()),
  OFFSIDE_COMPLAINT_URL: Type.Optional(Type.String()),
  OFFSIDE_PORTAL_PUBLIC_URL: Type.Optional(Type.String()),
  OFFSIDE_PORTAL_URL: Type.Optional(Type.String()),
}

/** Reads and checks the notifier's settings; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  return readServiceConfig(notifierEnv, env, (e) => {
    if (!isValidTimeZone(e.OFFSIDE_HOSTING_NOTICE_TIME_ZONE)) {
      throw new ConfigError(
        `OFFSIDE_HOSTING_NOTICE_TIME_ZONE is not a time zone, got "${e.OFFSIDE_HOSTING_NOTICE_TIME_ZONE}"`,
      )
    }
    const portalUrl = (e.OFFSIDE_PORTAL_PUBLIC_URL ?? e.OFFSIDE_PORTAL_URL ?? '').replace(/\/+$/, '')
    return {
      port: e.OFFSIDE_NOTIFIER_PORT,
      smtpUrl: e.OFFSIDE_SMTP_URL,
      from: e.OFFSIDE_NOTIFY_FROM,
      signingKeyFile: e.OFFSIDE_NOTICE_KEY_FILE,
      hostingEveryMs: e.OFFSIDE_HOSTING_NOTICE_EVERY_MINUTES * 60_000,
      hostingDelayMs: e.OFFSIDE_HOSTING_NOTICE_DELAY_MINUTES * 60_000,
      hostingTimeZone: e.OFFSIDE_HOSTING_NOTICE_TIME_ZONE,
      asnDbDir: e.OFFSIDE_ASN_DB_DIR ?? null,
      abuseContactsFile: e.OFFSIDE_ABUSE_CONTACTS_FILE ?? null,
      complaintUrl:
        e.OFFSIDE_COMPLAINT_URL ??
        (portalUrl ? `${portalUrl}/lookup` : 'the public complaint form of the authority'),
    }
  })
}
