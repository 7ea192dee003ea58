export { bearerAuth, type BearerAuthOptions, bearerToken } from './auth.js'
export {
  ConfigError,
  integer,
  LOG_LEVELS,
  type LogLevel,
  port,
  readEnv,
  type SharedSettings,
  sharedEnv,
  sharedSettings,
  url,
} from './config.js'
export { condition, type HealthOptions, HealthStatus, healthPlugin, type ReadinessCheck } from './health.js'
export { createLogger, type Log } from './log.js'
export { createRegistry, type MetricsOptions, metricsPlugin } from './metrics.js'
export { EXIT, type RunningService, type RunServiceOptions, runService } from './run.js'
