/** The schema builder services name their variables with (TypeBox), so they need no import of their own. */
export { Type } from 'typebox'
export { type BearerAuthOptions, bearerAuth, bearerToken } from './auth.js'
export {
  ConfigError,
  commonEnv,
  integer,
  LOG_LEVELS,
  type LogLevel,
  port,
  readEnv,
  readServiceConfig,
  type SharedSettings,
  sharedEnv,
  sharedSettings,
  type TlsFiles,
  tlsEnv,
  tlsSettings,
  url,
} from './config.js'
export { condition, type HealthOptions, HealthStatus, healthPlugin, type ReadinessCheck } from './health.js'
export { createLogger, type Log } from './log.js'
export { createRegistry, type MetricsOptions, metricsIn, metricsPlugin } from './metrics.js'
export { EXIT, type RunningService, type RunServiceOptions, runService } from './run.js'
export { type ServeAppOptions, type ServedApp, type ServedConfig, serveApp } from './serve.js'
