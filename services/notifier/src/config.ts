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
  const signingKeyFile = env.OFFSIDE_SIGNING_KEY_FILE ?? ''
  if (!signingKeyFile)
    throw new ConfigError('OFFSIDE_SIGNING_KEY_FILE is required (it signs webhook notices)')
  return {
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
