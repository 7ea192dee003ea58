import { connectRedis, createDb, type Db } from '@offside/store'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    /** Redis with the deployment's key names. */
    db: Db
  }
}

export interface DbPluginOptions {
  redisUrl: string
  keyPrefix: string
  /** A client the caller owns (tests share one); otherwise one is opened from redisUrl and closed with the app. */
  redis?: Redis
}

export default fp(
  async function dbPlugin(app: FastifyInstance, options: DbPluginOptions) {
    // Few retries per command: while Redis is down a request fails soon (and /readyz says so) instead of hanging.
    const redis =
      options.redis ??
      connectRedis(options.redisUrl, {
        enableOfflineQueue: true,
        maxRetriesPerRequest: 2,
        lazyConnect: false,
      })
    redis.on('error', (err) => app.log.warn({ err }, 'redis connection error'))
    app.decorate('db', createDb(redis, options.keyPrefix))
    if (!options.redis)
      app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())))
  },
  { name: 'db' },
)
