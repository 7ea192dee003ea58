/**
 * Configuration from the environment, validated once at start-up: each service names its variables
 * in a TypeBox schema (shared ones from {@link sharedEnv}), `readEnv` checks and converts them with
 * env-schema (Ajv), and nothing deeper reads `process.env`.
 */
import { DEFAULT_COMPLIANCE_LATE_MS } from '@offside/core'
import { DEFAULT_GRACE_MS, DEFAULT_KEY_PREFIX, parseRedisUrl } from '@offside/store'
import { envSchema } from 'env-schema'
import { type Static, type TObject, type TProperties, type TSchema, Type } from 'typebox'

/** A setting that is missing, malformed or out of range; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** A whole number in [minimum, maximum] with a default. */
export function integer(fallback: number, minimum: number, maximum = Number.MAX_SAFE_INTEGER) {
  return Type.Integer({ default: fallback, minimum, maximum })
}

/** A TCP port to listen on. */
export const port = (fallback: number) => integer(fallback, 0, 65535)

/** A URL with one of `schemes`, e.g. `['http', 'https']`; no fallback makes it required. */
export function url(fallback: string | undefined, schemes: string[]) {
  const pattern = `^(${schemes.join('|')})://[^\\s]+$`
  return Type.String(fallback === undefined ? { pattern } : { default: fallback, pattern })
}

/** The settings every server reads, under the same names and defaults everywhere. */
export const sharedEnv = {
  OFFSIDE_HOST: Type.String({ default: '127.0.0.1' }),
  // One server, Sentinel or Cluster: checked by the store's parseRedisUrl in sharedSettings.
  OFFSIDE_REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379' }),
  OFFSIDE_KEY_PREFIX: Type.String({ default: DEFAULT_KEY_PREFIX }),
  OFFSIDE_LOG_LEVEL: Type.Unsafe<LogLevel>({ type: 'string', enum: [...LOG_LEVELS], default: 'warn' }),
}

/**
 * Settings several services read and must agree on; a service takes the ones it needs by name.
 * OFFSIDE_GRACE_SECONDS: the scheduler sends it as each group's grace, the API shows the same
 * `until`. OFFSIDE_COMPLIANCE_LATE_MS: the API's report and the dashboard count late acks alike.
 */
export const commonEnv = {
  OFFSIDE_GRACE_SECONDS: integer(DEFAULT_GRACE_MS / 1000, 0, 3600),
  OFFSIDE_COMPLIANCE_LATE_MS: integer(DEFAULT_COMPLIANCE_LATE_MS, 0),
}

/** TLS for a server that may serve it (API, gateway): a certificate and key, both or neither. */
export const tlsEnv = {
  OFFSIDE_TLS_CERT_FILE: Type.Optional(Type.String()),
  OFFSIDE_TLS_KEY_FILE: Type.Optional(Type.String()),
}

/** PEM files to serve TLS with; with `clientCaFile`, clients must present a certificate it signed. */
export interface TlsFiles {
  certFile: string
  keyFile: string
  clientCaFile?: string
}

/** The TLS files, or null for plain HTTP; a certificate without its key (or the reverse) is refused. */
export function tlsSettings(env: {
  OFFSIDE_TLS_CERT_FILE?: string | undefined
  OFFSIDE_TLS_KEY_FILE?: string | undefined
  OFFSIDE_TLS_CLIENT_CA_FILE?: string | undefined
}): TlsFiles | null {
  const { OFFSIDE_TLS_CERT_FILE: certFile, OFFSIDE_TLS_KEY_FILE: keyFile } = env
  const clientCaFile = env.OFFSIDE_TLS_CLIENT_CA_FILE
  if (!certFile && !keyFile && !clientCaFile) return null
  if (!certFile || !keyFile)
    throw new ConfigError('OFFSIDE_TLS_CERT_FILE and OFFSIDE_TLS_KEY_FILE go together (PEM files)')
  return { certFile, keyFile, ...(clientCaFile ? { clientCaFile } : {}) }
}

/** The shared settings in the words the code uses. */
export interface SharedSettings {
  host: string
  redisUrl: string
  keyPrefix: string
  logLevel: LogLevel
}

export function sharedSettings(env: Static<TObject<typeof sharedEnv>>): SharedSettings {
  try {
    parseRedisUrl(env.OFFSIDE_REDIS_URL)
  } catch (err) {
    const message = (err as Error).message
    throw new ConfigError(message.startsWith('OFFSIDE_REDIS_URL') ? message : `OFFSIDE_REDIS_URL: ${message}`)
  }
  return {
    host: env.OFFSIDE_HOST,
    redisUrl: env.OFFSIDE_REDIS_URL,
    keyPrefix: env.OFFSIDE_KEY_PREFIX,
    logLevel: env.OFFSIDE_LOG_LEVEL,
  }
}

/**
 * Reads a server's configuration once: the shared settings and the server's own variables `own`,
 * checked together so one {@link ConfigError} names every bad variable; `build` turns the values
 * read into the server's own settings.
 */
export function readServiceConfig<P extends TProperties, T>(
  own: P,
  env: NodeJS.ProcessEnv,
  build: (values: Static<TObject<typeof sharedEnv & P>>) => T,
): SharedSettings & T {
  const values = readEnv<typeof sharedEnv & P>({ ...sharedEnv, ...own }, env)
  // The shared variables are in `values` under their own names; TypeBox cannot see that through P.
  return { ...sharedSettings(values as unknown as Static<TObject<typeof sharedEnv>>), ...build(values) }
}

interface AjvError {
  instancePath: string
  message?: string
  params: { missingProperty?: string; allowedValues?: unknown[] }
}

function describe(error: AjvError, data: Record<string, string>): string {
  const name = error.params.missingProperty ?? error.instancePath.slice(1)
  if (error.params.missingProperty) return `${name} is required`
  const allowed = error.params.allowedValues ? ` (${error.params.allowedValues.join(', ')})` : ''
  return `${name} ${error.message ?? 'is invalid'}${allowed}, got "${data[name]}"`
}

/**
 * Reads the variables `properties` names from `env`, fills defaults and converts types; throws a
 * {@link ConfigError} naming every bad variable. The one rule for empty values: a variable set to
 * the empty string counts as unset (compose and systemd files write `NAME=`), so it takes its
 * default, or is missing when it has none.
 */
export function readEnv<P extends TProperties>(properties: P, env: NodeJS.ProcessEnv): Static<TObject<P>> {
  const data: Record<string, string> = {}
  for (const name of Object.keys(properties)) {
    const value = env[name]
    if (value !== undefined && value !== '') data[name] = value
  }
  const schema: TSchema = Type.Object(properties)
  try {
    return envSchema({ schema: schema as never, data: { ...data }, env: false }) as never
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors
    if (!errors) throw err
    // Ajv says "must match a schema in anyOf" and the like once per branch; one line per variable.
    const lines = [...new Set(errors.map((error) => describe(error, data)))]
    throw new ConfigError(lines.join('; '))
  }
}
