import { commonEnv, integer, port, readServiceConfig, type SharedSettings, Type, url } from '@offside/service'

/** Everything the dashboard reads from its environment, validated once at start-up. */
export interface DashboardConfig extends SharedSettings {
  port: number
  /** The API that performs every action (approve, reject, decide), with the user's own token. */
  apiUrl: string
  /** The bootstrap authority token, accepted like the API accepts it; absent means none. */
  adminToken?: string
  /** How often agents, held entries and complaints are re-read while someone watches (ms). */
  pollMs: number
  /** An agent's acknowledgement later than this after the scheduled instant is late (ms), as in the API's report. */
  complianceLateMs: number
}

/** The dashboard's variables (docs/operations.md "Configuration"). */
const dashboardEnv = {
  OFFSIDE_DASHBOARD_PORT: port(8083),
  OFFSIDE_API_URL: url('http://127.0.0.1:8080', ['http', 'https']),
  OFFSIDE_ADMIN_TOKEN: Type.Optional(Type.String()),
  OFFSIDE_DASHBOARD_POLL_MS: integer(500, 50, 10_000),
  OFFSIDE_COMPLIANCE_LATE_MS: commonEnv.OFFSIDE_COMPLIANCE_LATE_MS,
}

/** Reads and checks the dashboard's settings; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  return readServiceConfig(dashboardEnv, env, (e) => ({
    port: e.OFFSIDE_DASHBOARD_PORT,
    apiUrl: e.OFFSIDE_API_URL.replace(/\/+$/, ''),
    ...(e.OFFSIDE_ADMIN_TOKEN ? { adminToken: e.OFFSIDE_ADMIN_TOKEN } : {}),
    pollMs: e.OFFSIDE_DASHBOARD_POLL_MS,
    complianceLateMs: e.OFFSIDE_COMPLIANCE_LATE_MS,
  }))
}
