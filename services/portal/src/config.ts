import { port, readEnv, sharedEnv, Type, url } from '@offside/service'

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

/** The portal's variables (docs/portal.md); it touches no Redis, so it reads no Redis settings. */
const portalEnv = {
  OFFSIDE_HOST: sharedEnv.OFFSIDE_HOST,
  OFFSIDE_LOG_LEVEL: sharedEnv.OFFSIDE_LOG_LEVEL,
  OFFSIDE_PORTAL_PORT: port(8084),
  OFFSIDE_API_URL: url('http://127.0.0.1:8080', ['http', 'https']),
  OFFSIDE_PORTAL_PUBLIC_URL: Type.Optional(url(undefined, ['http', 'https'])),
}

/** Reads and checks the portal's settings; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  const e = readEnv(portalEnv, env)
  const host = e.OFFSIDE_HOST
  return {
    host,
    port: e.OFFSIDE_PORTAL_PORT,
    apiUrl: e.OFFSIDE_API_URL.replace(/\/+$/, ''),
    publicUrl: (e.OFFSIDE_PORTAL_PUBLIC_URL ?? `http://${host}:${e.OFFSIDE_PORTAL_PORT}`).replace(/\/+$/, ''),
    logLevel: e.OFFSIDE_LOG_LEVEL,
    apiTimeoutMs: 10_000,
  }
}
