/**
 * Starts a scheduler process: catches up, runs the workers, serves health and metrics, and on
 * SIGTERM/SIGINT stops taking jobs, lets the running one finish, then closes queues and Redis
 * (exit statuses: runService).
 */

import { loadSigningKey } from '@offside/protocol'
import { createLogger, runService } from '@offside/service'
import { connectRedis, createDb } from '@offside/store'
import { buildApp } from './app.js'
import { startCheckpoints } from './checkpoints.js'
import { loadConfig } from './config.js'
import { createMetrics } from './metrics.js'
import { startScheduler } from './scheduler.js'

await runService({
  name: 'scheduler',
  async start() {
    const config = loadConfig()
    const log = createLogger('scheduler', config.logLevel)
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
    const checkpoints = config.checkpointKeyFile
      ? startCheckpoints({
          db: createDb(redis, config.keyPrefix),
          key: await loadSigningKey(config.checkpointKeyFile),
          intervalMs: config.checkpointIntervalMs,
          log,
        })
      : null
    if (!checkpoints)
      log.warn('OFFSIDE_CHECKPOINT_KEY_FILE not set: the audit chain gets no signed checkpoints')
    const app = await buildApp({ redis, metrics, isReady: scheduler.isReady, logger: log })
    await app.listen({ host: config.host, port: config.port })
    log.info({ url: `http://${config.host}:${config.port}/` }, 'scheduler listening')
    return {
      log,
      async close() {
        await Promise.all([app.close(), scheduler.close(), checkpoints?.close()])
        await redis.quit()
      },
    }
  },
})
