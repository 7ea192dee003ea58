/**
 * Starts a scheduler process: catches up, runs the workers, serves health and metrics, and on
 * SIGTERM/SIGINT stops taking jobs, lets the running one finish, then closes queues and Redis.
 */
import { connectRedis } from '@offside/store'
import { pino } from 'pino'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { createMetrics } from './metrics.js'
import { startScheduler } from './scheduler.js'

const config = (() => {
  try {
    return loadConfig()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // docs/operations.md: a bad configuration exits 2 naming the variable.
    console.error(`offside scheduler: ${err.message}`)
    process.exit(2)
  }
})()
const log = pino({ level: config.logLevel, name: 'scheduler' })
const redis = connectRedis(config.redisUrl, { maxRetriesPerRequest: 3 })
redis.on('error', (err) => log.error({ err }, 'redis error'))
const metrics = createMetrics()

const scheduler = await startScheduler({
  redis,
  connection: { redisUrl: config.redisUrl, keyPrefix: config.keyPrefix },
  horizonMs: config.horizonMs,
  graceMs: config.graceMs,
  tickMs: config.tickMs,
  revisionHistory: config.revisionHistory,
  breaker: config.breaker,
  log,
  metrics,
})
const app = await buildApp({ redis, metrics, isReady: scheduler.isReady, logger: log })

let closing = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    log.info({ signal }, 'closing')
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    Promise.all([app.close(), scheduler.close()])
      .then(() => redis.quit())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'close failed')
          process.exit(1)
        },
      )
  })
}

await app.listen({ host: config.host, port: config.port })
log.info({ url: `http://${config.host}:${config.port}/` }, 'scheduler listening')
